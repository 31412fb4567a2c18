import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A case's recipient index becomes (recipient, fiscal year, stream, part): the budget ledger's refresh of one
    key reads a recipient's cases of one year at every approval (see the model's Meta)."""

    dependencies = [
        ('grants', '0021_budget_ledger'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['recipient', 'fiscal_year', 'stream', 'part'], name='case_recipient_year'),
        ),
        # The old index goes by name (as Django named it): altering the field would rebuild the table on SQLite
        # and re-check its foreign key on PostgreSQL, to drop one index.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='recipient',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='cases', to='grants.recipient'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "grants_case_recipient_id_9be791c7"',
                    reverse_sql='CREATE INDEX "grants_case_recipient_id_9be791c7" ON "grants_case" ("recipient_id")',
                ),
            ],
        ),
    ]
