"""The payment models, moved here from the ``grants`` app (``grants.0003_payments``, ``grants.0004``).

State only: the tables keep their ``grants_`` names (``Meta.db_table``), so no
table is created, renamed or copied; ``grants.0005`` then drops the models from
``grants``' state. The content types (and so the permissions and admin log
entries that point at them) follow the models to this app.
"""

import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models

MOVED = (
    "paymentitem",
    "paymentrun",
    "paymentrecord",
    "returnclaim",
    "returnclaimreceipt",
    "returnpayment",
    "fundbalance",
    "paymentplanrule",
)


def _move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(content_type.objects.using(db).filter(app_label=target, model__in=MOVED).values_list("model", flat=True))
    content_type.objects.using(db).filter(app_label=source, model__in=set(MOVED) - taken).update(app_label=target)


def content_types_to_payments(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="grants", target="payments")


def content_types_to_grants(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="payments", target="grants")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('grants', '0004_payment_run_cancelled'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PaymentItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('budget_year', models.PositiveSmallIntegerField(help_text='The fiscal year whose grant the money belongs to')),
                        ('basis', models.CharField(choices=[('tranche_1', 'Tranche ①'), ('tranche_2', 'Tranche ②'), ('tranche_3_change', 'Tranche ③ (change grant)'), ('adjustment_grant', 'Adjustment grant'), ('settlement_remainder', 'Prior-year settlement: settled less paid'), ('resettlement', 'Re-settlement: re-settled less paid')], max_length=30)),
                        ('amount', models.PositiveBigIntegerField()),
                        ('due_on', models.DateField(help_text='The earliest payment run that pays it')),
                        ('withdrawn_on', models.DateField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payment_items', to='grants.case')),
                        ('determination', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payment_items', to='grants.determination')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payment_items', to='grants.recipient')),
                        ('replaces', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.paymentitem')),
                        ('withdrawn_by_case', models.ForeignKey(blank=True, help_text='The case whose lower determination or revocation withdrew it', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grants.case')),
                    ],
                    options={
                        'db_table': 'grants_paymentitem',
                        'ordering': ['due_on', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='PaymentRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('run_on', models.DateField(help_text='The day the money reaches the recipients')),
                        ('state', models.CharField(choices=[('draft', 'Draft'), ('approved', 'Approved'), ('executed', 'Executed'), ('cancelled', 'Cancelled')], default='draft', max_length=20)),
                        ('drafted_at', models.DateTimeField()),
                        ('approved_at', models.DateTimeField(blank=True, null=True)),
                        ('executed_at', models.DateTimeField(blank=True, null=True)),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('drafted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('executed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('fiscal_year', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payment_runs', to='grants.fiscalyear')),
                    ],
                    options={
                        'db_table': 'grants_paymentrun',
                        'ordering': ['run_on', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='PaymentRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.PositiveBigIntegerField()),
                        ('paid_on', models.DateField()),
                        ('item', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='payment', to='payments.paymentitem')),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='payments.paymentrun')),
                    ],
                    options={
                        'db_table': 'grants_paymentrecord',
                        'ordering': ['run', 'item'],
                    },
                ),
                migrations.AddField(
                    model_name='paymentitem',
                    name='run',
                    field=models.ForeignKey(blank=True, help_text='The run that carries it, from the moment the run is drafted', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='items', to='payments.paymentrun'),
                ),
                migrations.CreateModel(
                    name='ReturnClaim',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('budget_year', models.PositiveSmallIntegerField()),
                        ('reason', models.CharField(choices=[('settlement', 'Settled below what was paid'), ('reduction', 'Changed below what was paid'), ('revocation', 'Grant decision revoked')], max_length=20)),
                        ('principal', models.PositiveBigIntegerField()),
                        ('noticed_on', models.DateField()),
                        ('due_on', models.DateField()),
                        ('surcharge_applies', models.BooleanField(help_text='加算金 from the day of receipt: returns ordered on a revocation (subsidy act art. 19(1))')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='return_claims', to='grants.case')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('determination', models.ForeignKey(blank=True, help_text='The determination that lowered the amount, or the one revoked', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grants.determination')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='return_claims', to='grants.recipient')),
                    ],
                    options={
                        'db_table': 'grants_returnclaim',
                        'ordering': ['noticed_on', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ReturnClaimReceipt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('received_on', models.DateField()),
                        ('amount', models.PositiveBigIntegerField()),
                        ('claim', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='payments.returnclaim')),
                    ],
                    options={
                        'db_table': 'grants_returnclaimreceipt',
                        'ordering': ['claim', 'received_on'],
                    },
                ),
                migrations.CreateModel(
                    name='ReturnPayment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('paid_on', models.DateField()),
                        ('amount', models.PositiveBigIntegerField()),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('claim', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='payments.returnclaim')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'grants_returnpayment',
                        'ordering': ['claim', 'paid_on', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='FundBalance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('opening', models.PositiveBigIntegerField()),
                        ('national_contribution', models.PositiveBigIntegerField()),
                        ('prefectural_contribution', models.PositiveBigIntegerField()),
                        ('interest', models.PositiveBigIntegerField()),
                        ('spending', models.PositiveBigIntegerField()),
                        ('closing', models.PositiveBigIntegerField()),
                        ('recorded_at', models.DateTimeField(auto_now=True)),
                        ('fiscal_year', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grants.fiscalyear')),
                        ('prefecture', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='fund_balances', to='grants.recipient')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'grants_fundbalance',
                        'ordering': ['prefecture', 'fiscal_year'],
                        'constraints': [models.UniqueConstraint(fields=('prefecture', 'fiscal_year'), name='one_fund_balance_per_year'), models.CheckConstraint(condition=models.Q(('closing', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('opening'), '+', models.F('national_contribution')), '+', models.F('prefectural_contribution')), '+', models.F('interest')), '-', models.F('spending')))), name='fund_balance_sums')],
                    },
                ),
                migrations.CreateModel(
                    name='PaymentPlanRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stream', models.CharField(choices=[('community_support_grant', 'Community support project grant'), ('medical_care_fund', 'Medical and long-term care fund'), ('special_adjustment_grant', 'Special adjustment grant')], max_length=40)),
                        ('part', models.CharField(blank=True, choices=[('', '(whole stream)'), ('facilities', 'Facilities part'), ('personnel', 'Personnel part')], default='', max_length=20)),
                        ('procedure', models.CharField(choices=[('initial_grant', 'Initial grant'), ('change_grant', 'Change grant'), ('adjustment_grant', 'Adjustment grant'), ('prior_year_settlement', 'Prior-year settlement'), ('past_year_resettlement', 'Re-settlement of earlier years'), ('fund_balance_survey', 'Fund balance survey'), ('results_report', 'Results report and settlement')], max_length=40)),
                        ('sequence', models.PositiveSmallIntegerField()),
                        ('basis', models.CharField(choices=[('tranche_1', 'Tranche ①'), ('tranche_2', 'Tranche ②'), ('tranche_3_change', 'Tranche ③ (change grant)'), ('adjustment_grant', 'Adjustment grant'), ('settlement_remainder', 'Prior-year settlement: settled less paid'), ('resettlement', 'Re-settlement: re-settled less paid')], max_length=30)),
                        ('base', models.CharField(choices=[('amount', 'The notified amount'), ('increase', 'The increase over the previous amount'), ('cumulative', 'The notified amount less what the grant was already issued')], max_length=20)),
                        ('percent', models.PositiveSmallIntegerField()),
                        ('run_on', models.DateField(help_text='The payment run the share is due for')),
                        ('source', models.CharField(blank=True, default='', help_text='Where the rule comes from', max_length=200)),
                        ('fiscal_year', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payment_plan_rules', to='grants.fiscalyear')),
                    ],
                    options={
                        'db_table': 'grants_paymentplanrule',
                        'ordering': ['fiscal_year', 'stream', 'part', 'procedure', 'sequence'],
                        'constraints': [models.UniqueConstraint(fields=('fiscal_year', 'stream', 'part', 'procedure', 'sequence'), name='unique_payment_plan_rule'), models.CheckConstraint(condition=models.Q(('percent__gte', 1), ('percent__lte', 100)), name='plan_percent_1_to_100'), models.CheckConstraint(condition=models.Q(('basis__in', ['tranche_1', 'tranche_2', 'tranche_3_change', 'adjustment_grant', 'settlement_remainder', 'resettlement'])), name='plan_basis_valid'), models.CheckConstraint(condition=models.Q(('base__in', ['amount', 'increase', 'cumulative'])), name='plan_base_valid')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='paymentrun',
                    constraint=models.CheckConstraint(condition=models.Q(('state__in', ['draft', 'approved', 'executed', 'cancelled'])), name='payment_run_state_valid'),
                ),
                migrations.AddConstraint(
                    model_name='paymentrun',
                    constraint=models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), models.Q(('approved_by', models.F('drafted_by')), _negated=True), _connector='OR'), name='payment_run_four_eyes'),
                ),
                migrations.AddConstraint(
                    model_name='paymentrun',
                    constraint=models.CheckConstraint(condition=models.Q(('state__in', ['draft', 'cancelled']), ('approved_by__isnull', False), _connector='OR'), name='payment_run_approved_by_someone'),
                ),
                migrations.AddConstraint(
                    model_name='paymentrun',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'executed'), _negated=True), ('executed_by__isnull', False), _connector='OR'), name='payment_run_executed_by_someone'),
                ),
                migrations.AddConstraint(
                    model_name='paymentrecord',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_record_positive'),
                ),
                migrations.AddIndex(
                    model_name='paymentitem',
                    index=models.Index(condition=models.Q(('run__isnull', True), ('withdrawn_on__isnull', True)), fields=['due_on'], name='item_unassigned_due'),
                ),
                migrations.AddIndex(
                    model_name='paymentitem',
                    index=models.Index(fields=['recipient', 'budget_year'], name='grants_paym_recipie_aeabb5_idx'),
                ),
                migrations.AddConstraint(
                    model_name='paymentitem',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_item_positive'),
                ),
                migrations.AddConstraint(
                    model_name='paymentitem',
                    constraint=models.CheckConstraint(condition=models.Q(('basis__in', ['tranche_1', 'tranche_2', 'tranche_3_change', 'adjustment_grant', 'settlement_remainder', 'resettlement'])), name='payment_item_basis_valid'),
                ),
                migrations.AddConstraint(
                    model_name='paymentitem',
                    constraint=models.CheckConstraint(condition=models.Q(('withdrawn_on__isnull', True), ('run__isnull', True), _connector='OR'), name='withdrawn_item_in_no_run'),
                ),
                migrations.AddConstraint(
                    model_name='returnclaim',
                    constraint=models.CheckConstraint(condition=models.Q(('principal__gt', 0)), name='return_claim_positive'),
                ),
                migrations.AddConstraint(
                    model_name='returnclaim',
                    constraint=models.CheckConstraint(condition=models.Q(('due_on__gte', models.F('noticed_on'))), name='return_claim_due_after_notice'),
                ),
                migrations.AddConstraint(
                    model_name='returnclaim',
                    constraint=models.CheckConstraint(condition=models.Q(('reason__in', ['settlement', 'reduction', 'revocation'])), name='return_claim_reason_valid'),
                ),
                migrations.AddConstraint(
                    model_name='returnclaimreceipt',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='return_receipt_positive'),
                ),
                migrations.AddConstraint(
                    model_name='returnpayment',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='return_payment_positive'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_payments, content_types_to_grants),
    ]
