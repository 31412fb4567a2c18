"""The schedule models and calendar feed links, moved here from the ``calendars`` app (``calendars.0002``).

State only: the tables keep their ``calendars_`` names (``Meta.db_table``), so
no table is created, renamed or copied; ``calendars.0004`` then drops the models
from ``calendars``' state. The content types (and so the permissions and admin
log entries that point at them) follow the models to this app.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ('scheduleheader', 'scheduleversion', 'schedulestep', 'calendarfeedtoken')


def _move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(content_type.objects.using(db).filter(app_label=target, model__in=MOVED).values_list("model", flat=True))
    content_type.objects.using(db).filter(app_label=source, model__in=set(MOVED) - taken).update(app_label=target)


def content_types_here(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="calendars", target="schedules")


def content_types_back(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="schedules", target="calendars")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('calendars', '0003_default_reminder_rules'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScheduleHeader',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField()),
                        ('imported_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'calendars_scheduleheader',
                        'ordering': ['-imported_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='CalendarFeedToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token_hash', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField()),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feed_token', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'calendars_calendarfeedtoken',
                    },
                ),
                migrations.CreateModel(
                    name='ScheduleVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.SlugField(help_text="The schedule's id in the YAML file, e.g. fy2025-plan", max_length=60, unique=True)),
                        ('fiscal_year', models.PositiveSmallIntegerField()),
                        ('status', models.CharField(choices=[('plan', 'Plan'), ('revised', 'Revised plan'), ('actual', 'As run'), ('missing', 'No schedule in the sources')], max_length=10)),
                        ('as_of', models.DateField(blank=True, help_text='Date of the source document', null=True)),
                        ('source_doc', models.CharField(blank=True, default='', max_length=20)),
                        ('outline', models.JSONField(blank=True, default=dict, help_text='Streams and sub-procedures of the version with their own attributes (notes, settles_fiscal_year, …); the steps are rows')),
                        ('extra', models.JSONField(blank=True, default=dict, help_text='Further attributes of the version (note, …)')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'calendars_scheduleversion',
                        'ordering': ['fiscal_year', 'key'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['plan', 'revised', 'actual', 'missing'])), name='schedule_status_valid'), models.CheckConstraint(condition=models.Q(('fiscal_year__gte', 2019), ('fiscal_year__lte', 2100)), name='schedule_fiscal_year_in_reiwa')],
                    },
                ),
                migrations.CreateModel(
                    name='ScheduleStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stream', models.CharField(choices=[('community_support_grant', 'Community support project grant'), ('medical_care_fund', 'Medical and long-term care fund'), ('special_adjustment_grant', 'Special adjustment grant')], max_length=40)),
                        ('sub_procedure', models.SlugField(help_text="The file's sub-procedure key, e.g. current_year_grant_decision or hearing", max_length=60)),
                        ('position', models.PositiveIntegerField(default=0, help_text='Order within the sub-procedure')),
                        ('key', models.SlugField(max_length=80)),
                        ('label_ja', models.CharField(max_length=200)),
                        ('label_en', models.CharField(blank=True, default='', max_length=200)),
                        ('kind', models.CharField(choices=[('request', 'Request'), ('deadline', 'Submission deadline'), ('review', 'Review'), ('decision', 'Decision'), ('notice', 'Informal notice'), ('payment', 'Payment'), ('hearing', 'Hearing or meeting'), ('report', 'Report')], max_length=10)),
                        ('actor', models.CharField(choices=[('ministry', 'Ministry'), ('ministry_roken', 'Ministry: Health and Welfare Bureau for the Elderly'), ('ministry_hoken', 'Ministry: Health Insurance Bureau'), ('bureau', 'Bureau'), ('prefecture', 'Prefecture'), ('municipality', 'Municipality'), ('wide_area_union', 'Wide-area union'), ('kokuhoren', 'Federation of health insurance associations')], max_length=20)),
                        ('part', models.CharField(blank=True, choices=[('', '(not split by part)'), ('both', 'Both parts'), ('facilities', 'Facilities part'), ('personnel', 'Personnel part')], default='', max_length=12)),
                        ('precision', models.CharField(choices=[('exact', 'Exact day'), ('early', 'Early in the month (上旬, 1st–10th)'), ('mid', 'Middle of the month (中旬, 11th–20th)'), ('late', 'Late in the month (下旬, 21st–end)'), ('month', 'Whole month'), ('around', 'Around (頃): whole month or months'), ('range', 'Range of days'), ('from', 'Open: from a day (以降)'), ('by', 'Open: by a day (までに)'), ('undecided', 'Undecided (未定)'), ('none', 'No date given')], max_length=10)),
                        ('date_from', models.DateField(blank=True, null=True)),
                        ('date_to', models.DateField(blank=True, null=True)),
                        ('date_text_ja', models.CharField(blank=True, default='', help_text='The date as the source words it', max_length=100)),
                        ('source', models.CharField(blank=True, default='', help_text='Citation, e.g. 001:752', max_length=100)),
                        ('extra', models.JSONField(blank=True, default=dict, help_text='Further attributes (actor_basis, counterpart, notes, …)')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='schedules.scheduleversion')),
                    ],
                    options={
                        'db_table': 'calendars_schedulestep',
                        'ordering': ['version', 'stream', 'sub_procedure', 'position', 'pk'],
                        'indexes': [models.Index(fields=['stream', 'kind'], name='calendars_s_stream_697822_idx')],
                        'constraints': [models.UniqueConstraint(fields=('version', 'stream', 'sub_procedure', 'key'), name='unique_step_key'), models.CheckConstraint(condition=models.Q(('kind__in', ['request', 'deadline', 'review', 'decision', 'notice', 'payment', 'hearing', 'report'])), name='step_kind_valid'), models.CheckConstraint(condition=models.Q(('precision__in', ['exact', 'early', 'mid', 'late', 'month', 'around', 'range', 'from', 'by', 'undecided', 'none'])), name='step_precision_valid'), models.CheckConstraint(condition=models.Q(('part__in', ['', 'both', 'facilities', 'personnel'])), name='step_part_valid'), models.CheckConstraint(condition=models.Q(('date_from__isnull', True), ('date_to__isnull', True), ('date_from__lte', models.F('date_to')), _connector='OR'), name='step_window_in_order')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_here, content_types_back),
    ]
