import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0020_hot_path_indexes'),
        ('payments', '0006_item_budget_year_index'),
    ]

    operations = [
        # The index goes by name (as Django named it), on both databases: altering the field would rebuild the
        # table on SQLite and re-check its foreign key on PostgreSQL, to drop one index.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='paymentitem',
                    name='recipient',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='payment_items', to='grants.recipient'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "grants_paymentitem_recipient_id_06a663f4"',
                    reverse_sql='CREATE INDEX "grants_paymentitem_recipient_id_06a663f4" ON "grants_paymentitem" ("recipient_id")',
                ),
            ],
        ),
    ]
