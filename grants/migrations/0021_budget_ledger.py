import django.db.models.deletion
import grants.catalogue
from django.db import migrations, models


def ledger_fill(apps, schema_editor):
    """Fill the budget ledger from the determinations and cases on file, by the one rule of what a commitment key
    commits (``grants.services.budget_ledger_rebuild``, which reads with that rule's SQL). That is today's code,
    not this migration's models: a database with no cases (every new one) has nothing to fill and does not call it,
    so a later change to the models cannot break ``migrate`` on a new database."""
    if not apps.get_model("grants", "Case").objects.exists():
        return
    from grants.services import budget_ledger_rebuild

    budget_ledger_rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0020_hot_path_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='BudgetCommitment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stream', models.CharField(choices=grants.catalogue.stream_choices, max_length=40)),
                ('part', models.CharField(blank=True, choices=grants.catalogue.part_choices, default='', max_length=20)),
                ('grant_key', models.CharField(blank=True, default='', help_text='"" for a grant, else the procedure', max_length=40)),
                ('amount', models.PositiveBigIntegerField()),
                ('determination', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grants.determination')),
                ('fiscal_year', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grants.fiscalyear')),
                ('recipient', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grants.recipient')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('fiscal_year', 'stream', 'part', 'recipient', 'grant_key'), name='one_budget_commitment_per_key')],
            },
        ),
        migrations.CreateModel(
            name='BudgetLedger',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stream', models.CharField(choices=grants.catalogue.stream_choices, max_length=40)),
                ('part', models.CharField(blank=True, choices=grants.catalogue.part_choices, default='', max_length=20)),
                ('committed', models.BigIntegerField(default=0)),
                ('revision', models.PositiveBigIntegerField(default=0, help_text='Raised by every write of committed')),
                ('fiscal_year', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grants.fiscalyear')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('fiscal_year', 'stream', 'part'), name='one_budget_ledger_per_year')],
            },
        ),
        migrations.RunPython(ledger_fill, migrations.RunPython.noop),
    ]
