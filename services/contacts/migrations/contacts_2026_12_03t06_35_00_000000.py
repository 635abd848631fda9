from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T06:35:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "customer_key: no foreign key (one check per key row slowed bulk inserts); a delete trigger instead"

STATEMENTS = [
    """DO $$ DECLARE name text; BEGIN
         FOR name IN SELECT conname FROM pg_constraint WHERE conrelid = 'customer_key'::regclass AND contype = 'f'
         LOOP EXECUTE format('ALTER TABLE customer_key DROP CONSTRAINT %I', name); END LOOP;
       END $$""",
    """CREATE FUNCTION customer_keys_delete() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM customer_key k USING old_rows o WHERE k.tenant_id = o.tenant_id AND k.customer_id = o.id;
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER customer_keys_delete AFTER DELETE ON customer REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION customer_keys_delete()",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def drop_foreign_key() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(drop_foreign_key)
    return manager
