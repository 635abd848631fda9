from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import UUID
from piccolo.table import Table


class Customer(Table, tablename="customer"):
    pass


ID = "2026-12-03T06:34:23:617428"
VERSION = "1.38.0"
DESCRIPTION = "customer_key.customer_id without a foreign key (the trigger deletes keys)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="contacts", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="CustomerKey",
        tablename="customer_key",
        column_name="customer_id",
        db_column_name="customer_id",
        params={"default": None},
        old_params={"default": None, "references": Customer},
        column_class=UUID,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
