import django.db.models.deletion
from django.db import migrations, models


def drop_hash_pattern_index(apps, schema_editor):
    """PostgreSQL: the LIKE-pattern index Django adds beside the unique hash's (``varchar_pattern_ops``), which
    nothing searches by and every record keeps up."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "grants_historyentry_hash_5516d990_like"')


def create_hash_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX "grants_historyentry_hash_5516d990_like" ON "grants_historyentry" ("hash" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0019_determination_sent_back_index'),
    ]

    operations = [
        # The index goes by name (as Django named it), on both databases: altering the field would rebuild the
        # table on SQLite and re-check its foreign key on PostgreSQL, to drop one index.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='fiscal_year',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='grants.fiscalyear'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "grants_case_fiscal_year_id_fe0e95fe"',
                    reverse_sql='CREATE INDEX "grants_case_fiscal_year_id_fe0e95fe" ON "grants_case" ("fiscal_year_id")',
                ),
            ],
        ),
        migrations.RunPython(drop_hash_pattern_index, create_hash_pattern_index),
    ]
