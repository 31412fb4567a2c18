"""Letters, letter batches, reminder rules and reminders, moved here from the ``calendars`` app (``calendars.0002``).

State only: the tables keep their ``calendars_`` names (``Meta.db_table``), so
no table is created, renamed or copied; ``calendars.0004`` then drops the models
from ``calendars``' state. The content types (and so the permissions and admin
log entries that point at them) follow the models to this app, and letters
queued for rendering before the move find their task at its new path.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ('letterbatch', 'letter', 'reminderrule', 'reminder')


def _move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(content_type.objects.using(db).filter(app_label=target, model__in=MOVED).values_list("model", flat=True))
    content_type.objects.using(db).filter(app_label=source, model__in=set(MOVED) - taken).update(app_label=target)


def content_types_here(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="calendars", target="letters")


def content_types_back(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="letters", target="calendars")


OLD_TASK, NEW_TASK = "calendars.tasks.letter_render_task", "letters.tasks.letter_render_task"


def _task_path(apps, schema_editor, *, old: str, new: str) -> None:
    task_result = apps.get_model("django_tasks_database", "DBTaskResult")
    task_result.objects.using(schema_editor.connection.alias).filter(task_path=old).update(task_path=new)


def render_tasks_here(apps, schema_editor):
    _task_path(apps, schema_editor, old=OLD_TASK, new=NEW_TASK)


def render_tasks_back(apps, schema_editor):
    _task_path(apps, schema_editor, old=NEW_TASK, new=OLD_TASK)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('calendars', '0003_default_reminder_rules'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('django_tasks_database', '0001_initial'),
        ('grants', '0005_payments_to_their_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LetterBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(blank=True, help_text='Set on batches a job builds, so reruns share one', max_length=200, null=True, unique=True)),
                        ('title', models.CharField(max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name_plural': 'letter batches',
                        'db_table': 'calendars_letterbatch',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Letter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('request', 'Request (依頼)'), ('reminder', 'Reminder'), ('overdue_demand', 'Overdue demand (督促)'), ('decision_notice', 'Decision notice'), ('settlement_notice', 'Settlement notice'), ('payment_notice', 'Payment notice')], max_length=20)),
                        ('document_number', models.CharField(blank=True, default='', help_text='Given when rendered, unless set', max_length=60)),
                        ('issued_on', models.DateField()),
                        ('subject', models.CharField(max_length=300)),
                        ('content', models.JSONField()),
                        ('deadline_stated', models.DateField(blank=True, null=True)),
                        ('deadline_effective', models.DateField(blank=True, null=True)),
                        ('basis', models.JSONField(blank=True, default=dict, help_text='What triggered it: schedule version and step, reminder rule …')),
                        ('pdf', models.FileField(blank=True, upload_to='letters/%Y/%m/')),
                        ('sha256', models.CharField(blank=True, default='', max_length=64)),
                        ('status', models.CharField(choices=[('pending', 'Waiting to be rendered'), ('rendered', 'Rendered')], default='pending', max_length=10)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('rendered_at', models.DateTimeField(blank=True, null=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='grants.case')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_entry', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='grants.historyentry')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='grants.recipient')),
                        ('batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='letters.letterbatch')),
                    ],
                    options={
                        'db_table': 'calendars_letter',
                        'ordering': ['-issued_on', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ReminderRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True)),
                        ('label_ja', models.CharField(max_length=60)),
                        ('label_en', models.CharField(max_length=60)),
                        ('offset_business_days', models.SmallIntegerField(help_text='Negative: business days before the deadline; positive: after it', unique=True)),
                        ('letter_kind', models.CharField(choices=[('reminder', 'Reminder'), ('overdue_demand', 'Overdue demand (督促)')], max_length=20)),
                        ('subject_suffix_ja', models.CharField(help_text='Ends the subject instead of （依頼）, e.g. （再依頼）', max_length=20)),
                        ('is_active', models.BooleanField(default=True)),
                    ],
                    options={
                        'db_table': 'calendars_reminderrule',
                        'ordering': ['offset_business_days'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('letter_kind', 'reminder'), ('offset_business_days__lte', 0)), models.Q(('letter_kind', 'overdue_demand'), ('offset_business_days__gt', 0)), _connector='OR'), name='reminder_before_demand_after')],
                    },
                ),
                migrations.CreateModel(
                    name='Reminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('deadline_effective', models.DateField()),
                        ('due_on', models.DateField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reminders', to='grants.case')),
                        ('letter', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reminder', to='letters.letter')),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reminders', to='letters.reminderrule')),
                    ],
                    options={
                        'db_table': 'calendars_reminder',
                        'ordering': ['-due_on', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='letter',
                    index=models.Index(fields=['status'], name='calendars_l_status_12302e_idx'),
                ),
                migrations.AddIndex(
                    model_name='letter',
                    index=models.Index(fields=['document_number'], name='calendars_l_documen_5c8db7_idx'),
                ),
                migrations.AddConstraint(
                    model_name='letter',
                    constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['request', 'reminder', 'overdue_demand', 'decision_notice', 'settlement_notice', 'payment_notice'])), name='letter_kind_valid'),
                ),
                migrations.AddConstraint(
                    model_name='letter',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'rendered'])), name='letter_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='letter',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'pending'), models.Q(models.Q(('sha256', ''), _negated=True), models.Q(('document_number', ''), _negated=True)), _connector='OR'), name='rendered_letter_has_hash_and_number'),
                ),
                migrations.AddConstraint(
                    model_name='letter',
                    constraint=models.UniqueConstraint(condition=models.Q(('batch__isnull', False)), fields=('batch', 'recipient'), name='one_letter_per_recipient_in_batch'),
                ),
                migrations.AddConstraint(
                    model_name='reminder',
                    constraint=models.UniqueConstraint(fields=('case', 'rule', 'deadline_effective'), name='one_reminder_per_case_rule_deadline'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_here, content_types_back),
        migrations.RunPython(render_tasks_here, render_tasks_back),
    ]
