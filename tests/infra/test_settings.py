"""Settings: typed, from CRM_ variables, and a bad value names the variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from infra.settings import Settings, SettingsError, describe, load_settings


def test_values_are_parsed_into_types(tmp_path):
    settings = load_settings({"CRM_DATA_DIR": str(tmp_path), "CRM_PORT": "9001", "CRM_DB_POOL_MAX": "4",
                              "CRM_READINESS_TIMEOUT_SECONDS": "0.5", "CRM_ENV": "test"})
    assert (settings.port, settings.db_pool_max, settings.readiness_timeout_seconds) == (9001, 4, 0.5)
    assert settings.jwt_secret  # generated for local runs and kept in the data folder
    assert load_settings({"CRM_DATA_DIR": str(tmp_path)}).jwt_secret == settings.jwt_secret


@pytest.mark.parametrize(("name", "value"), [("CRM_PORT", "eighty"), ("CRM_ENV", "staging"),
                                             ("CRM_LOG_LEVEL", "LOUD"), ("CRM_DB_POOL_MIN", "1.5")])
def test_a_bad_value_names_the_variable(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({"CRM_DATA_DIR": str(tmp_path), name: value})


def test_an_unknown_variable_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="CRM_DATABSE_URL"):
        load_settings({"CRM_DATA_DIR": str(tmp_path), "CRM_DATABSE_URL": "postgresql://x"})


def test_production_needs_a_jwt_secret(tmp_path):
    with pytest.raises(SettingsError, match="CRM_JWT_SECRET"):
        load_settings({"CRM_DATA_DIR": str(tmp_path), "CRM_ENV": "production"})


def test_every_setting_is_documented_in_the_readme():
    readme = (__import__("pathlib").Path(__file__).parents[2] / "README.md").read_text()
    for name, _default in describe():
        assert f"`{name}`" in readme, f"{name} is not in the README"
    assert len(describe()) == len(Settings.__struct_fields__)


def test_the_command_line_stops_on_a_bad_setting(tmp_path):
    result = subprocess.run([sys.executable, "-m", "infra.cli", "migrate"], capture_output=True, text=True,
                            env={"CRM_DATA_DIR": str(tmp_path), "CRM_PORT": "x", "PATH": "/usr/bin"})
    assert result.returncode == 2
    assert "CRM_PORT" in result.stderr
