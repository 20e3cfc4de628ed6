"""On PostgreSQL the audit tables are append-only: a trigger refuses UPDATE, DELETE and
TRUNCATE of entries and checkpoints, whoever asks. SQLite (the embedded default, one file
that its owner can edit anyway) gets no trigger; there the signed checkpoints are the only
defence, as they are everywhere against someone who can drop a trigger.

TRUNCATE goes through when the session says ``SET yilian.allow_audit_truncate = 'on'``:
Django's test runner empties every table with TRUNCATE between transactional tests
(``yilian.settings_test`` sets it for the test database). UPDATE and DELETE have no such
switch."""

from django.db import migrations

TABLES = ("audit_entry", "audit_checkpoint")

FORWARD = """
CREATE OR REPLACE FUNCTION yilian_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND current_setting('yilian.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
""" + "".join(f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION yilian_audit_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION yilian_audit_append_only();
""" for table in TABLES)

BACKWARD = "".join(f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
""" for table in TABLES) + "DROP FUNCTION IF EXISTS yilian_audit_append_only();"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # "%" in the SQL is not a placeholder
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_versioned_digest_checkpoints"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]
