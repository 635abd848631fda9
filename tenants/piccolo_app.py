import os

from piccolo.conf.apps import AppConfig, table_finder

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="tenants",
    migrations_folder_path=os.path.join(HERE, "migrations"),
    table_classes=table_finder(modules=["tenants.idempotency", "tenants.audit", "tenants.quotas", "tenants.job_runs"],
                               exclude_imported=True),
)
