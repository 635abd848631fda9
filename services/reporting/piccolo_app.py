import os

from piccolo.conf.apps import AppConfig, table_finder

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="reporting",
    migrations_folder_path=os.path.join(HERE, "migrations"),
    table_classes=table_finder(modules=["services.reporting.tables"], exclude_imported=True),
)
