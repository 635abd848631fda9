"""Vietnamese tax codes and province codes (infra.vn), as plain functions."""

from __future__ import annotations

import pytest

from infra.vn import PROVINCES, is_province_code, normalise_tax_code, tax_check_digit


@pytest.mark.parametrize("code", ["0100109106", "0101245486", "0100233583", "0101248141", "0102100740"])
def test_real_looking_enterprise_codes_pass_the_checksum(code):
    assert normalise_tax_code(code) == code


def test_the_check_digit_is_ten_minus_the_weighted_sum_mod_eleven():
    # 0*31 + 1*29 + 0*23 + 0*19 + 1*17 + 0*13 + 9*7 + 1*5 + 0*3 = 114; 114 mod 11 = 4; 10 - 4 = 6
    assert tax_check_digit("010010910") == 6
    assert tax_check_digit("010000001") == 0  # 29 + 3 = 32 ≡ 10 (mod 11): check digit 0


def test_a_rule_result_of_ten_makes_every_code_with_that_start_invalid():
    assert tax_check_digit("010000005") is None  # 29 + 15 = 44 ≡ 0 (mod 11)
    assert all(normalise_tax_code(f"010000005{digit}") is None for digit in range(10))


@pytest.mark.parametrize(("raw", "expected"), [
    ("0100109106-001", "0100109106-001"),
    ("0100109106001", "0100109106-001"),  # the 13-digit form without the dash
    (" 0100109106 ", "0100109106"),
])
def test_branch_codes_and_spacing_are_normalised(raw, expected):
    assert normalise_tax_code(raw) == expected


@pytest.mark.parametrize("raw", [
    "0100109107",  # check digit off by one
    "0100109106-000",  # branch numbers start at 001
    "010010910",  # nine digits
    "01001091061",  # eleven digits
    "0100109106-01",  # a two-digit branch
    "01001O9106",  # a letter O for a zero
])
def test_malformed_or_failing_codes_are_refused(raw):
    assert normalise_tax_code(raw) is None


def test_the_63_gso_province_codes():
    assert len(PROVINCES) == 63
    assert PROVINCES["01"] == "Hà Nội" and PROVINCES["79"] == "Hồ Chí Minh" and PROVINCES["96"] == "Cà Mau"
    assert all(len(code) == 2 and code.isdigit() for code in PROVINCES)
    assert not is_province_code("03") and not is_province_code("99") and is_province_code("48")
