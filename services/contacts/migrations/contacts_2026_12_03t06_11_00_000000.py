from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T06:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Duplicates: indexes, the customer_key trigger (set-based, per statement) and its backfill"

STATEMENTS = [
    "CREATE UNIQUE INDEX duplicate_rule_tenant_rule ON duplicate_rule (tenant_id, rule)",
    # The duplicate engine looks a value up (create, update, import) and self-joins on it (nightly scan).
    "CREATE INDEX customer_key_tenant_rule_value ON customer_key (tenant_id, rule, value, customer_id)",
    "CREATE INDEX customer_key_tenant_customer ON customer_key (tenant_id, customer_id)",
    "CREATE UNIQUE INDEX duplicate_pair_tenant_pair ON duplicate_pair (tenant_id, customer_a, customer_b)",
    "CREATE INDEX duplicate_pair_tenant_b ON duplicate_pair (tenant_id, customer_b)",
    "CREATE INDEX duplicate_pair_tenant_status ON duplicate_pair (tenant_id, status, id)",
    "CREATE INDEX customer_merge_tenant_loser ON customer_merge (tenant_id, loser_id) WHERE undone_at IS NULL",
    "CREATE INDEX customer_merge_tenant_winner ON customer_merge (tenant_id, winner_id, id)",
    # The values a customer is matched on; `name_folded` is the search's folding (infra.text.fold).
    """CREATE FUNCTION customer_match_keys(tax_code text, phones jsonb, emails jsonb, name_folded text,
                                           addresses jsonb) RETURNS TABLE (rule text, value text)
       LANGUAGE sql IMMUTABLE AS $$
         SELECT 'tax_code', tax_code WHERE tax_code IS NOT NULL
         UNION ALL SELECT 'phone', p ->> 'value' FROM jsonb_array_elements(phones) p WHERE p ->> 'value' <> ''
         UNION ALL SELECT 'email', lower(e ->> 'value') FROM jsonb_array_elements(emails) e WHERE e ->> 'value' <> ''
         UNION ALL SELECT 'name_province', name_folded || '|' || (a ->> 'province_code')
               FROM jsonb_array_elements(addresses) a WHERE a ->> 'province_code' <> '' AND name_folded <> ''
       $$""",
    """CREATE FUNCTION customer_keys_sync() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           WITH changed AS (
             SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.tax_code, n.phones, n.emails, n.name_folded, n.addresses)
                   IS DISTINCT FROM (o.tax_code, o.phones, o.emails, o.name_folded, o.addresses)
           ), gone AS (
             DELETE FROM customer_key k USING changed c WHERE k.tenant_id = c.tenant_id AND k.customer_id = c.id
           )
           INSERT INTO customer_key (tenant_id, customer_id, rule, value)
             SELECT c.tenant_id, c.id, k.rule, k.value FROM changed c
             CROSS JOIN LATERAL customer_match_keys(c.tax_code, c.phones, c.emails, c.name_folded, c.addresses) k;
         ELSE
           INSERT INTO customer_key (tenant_id, customer_id, rule, value)
             SELECT n.tenant_id, n.id, k.rule, k.value FROM new_rows n
             CROSS JOIN LATERAL customer_match_keys(n.tax_code, n.phones, n.emails, n.name_folded, n.addresses) k;
         END IF;
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER customer_keys_insert AFTER INSERT ON customer REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION customer_keys_sync()",
    "CREATE TRIGGER customer_keys_update AFTER UPDATE ON customer REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_keys_sync()",
    """INSERT INTO customer_key (tenant_id, customer_id, rule, value)
       SELECT c.tenant_id, c.id, k.rule, k.value FROM customer c
       CROSS JOIN LATERAL customer_match_keys(c.tax_code, c.phones, c.emails, c.name_folded, c.addresses) k""",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_indexes)
    return manager
