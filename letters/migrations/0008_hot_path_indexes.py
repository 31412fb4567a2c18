import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('letters', '0007_reminder_rule_labels'),
    ]

    operations = [
        # The index goes by name (as Django named it), on both databases: altering the field would rebuild the
        # table on SQLite and re-check its foreign key on PostgreSQL, to drop one index.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='letter',
                    name='batch',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='letters.letterbatch'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "calendars_letter_batch_id_b5d3b4cf"',
                    reverse_sql='CREATE INDEX "calendars_letter_batch_id_b5d3b4cf" ON "calendars_letter" ("batch_id")',
                ),
            ],
        ),
    ]
