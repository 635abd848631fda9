from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T07:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Customer search words follow deletes and renames, so a deleted customer's name does not stay behind"

# `customer_search_word` counted words up only. A word is part of a customer's name, i.e. tenant data: when
# the last customer carrying it is deleted (or renamed away from it), the word goes too, and so a deleted
# tenant (whose customers are all deleted) leaves no word behind.
STATEMENTS = [
    """
    CREATE FUNCTION customer_search_words_removed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    BEGIN
        WITH gone AS (
            SELECT o.tenant_id, term, count(*) AS n FROM removed o, unnest(string_to_array(o.name_folded, ' ')) term
            WHERE term <> '' GROUP BY o.tenant_id, term)
        UPDATE customer_search_word w SET uses = w.uses - gone.n FROM gone
        WHERE w.tenant_id = gone.tenant_id AND w.word = gone.term;
        DELETE FROM customer_search_word w
        WHERE w.tenant_id IN (SELECT DISTINCT tenant_id FROM removed) AND w.uses <= 0;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER customer_search_words_delete AFTER DELETE ON customer REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION customer_search_words_removed()
    """,
    """
    CREATE OR REPLACE FUNCTION customer_search_words_renamed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    BEGIN
        -- Grouped: a name may carry a word twice, and one statement may not upsert a row twice.
        INSERT INTO customer_search_word AS w (tenant_id, word, uses)
        SELECT NEW.tenant_id, term, count(*) FROM unnest(string_to_array(NEW.name_folded, ' ')) term
        WHERE term <> '' GROUP BY term
        ON CONFLICT (tenant_id, word) DO UPDATE SET uses = w.uses + EXCLUDED.uses;
        UPDATE customer_search_word w SET uses = w.uses - o.n
        FROM (SELECT term, count(*) AS n FROM unnest(string_to_array(OLD.name_folded, ' ')) term
              WHERE term <> '' GROUP BY term) o
        WHERE w.tenant_id = OLD.tenant_id AND w.word = o.term;
        DELETE FROM customer_search_word w WHERE w.tenant_id = OLD.tenant_id AND w.uses <= 0;
        RETURN NULL;
    END $$
    """,
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def follow_deletes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(follow_deletes)
    return manager
