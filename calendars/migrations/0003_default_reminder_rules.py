"""The default reminder rules (docs/domain.md#reminders); administrators change them in the admin."""

from django.db import migrations

DEFAULT_RULES = [
    # code, label_ja, label_en, offset in business days, letter kind, subject suffix
    ("advance_notice", "提出期限のお知らせ", "Advance notice", -10, "reminder", "（お知らせ）"),
    ("reminder", "再依頼", "Reminder", -3, "reminder", "（再依頼）"),
    ("overdue_demand", "督促", "Overdue demand", 1, "overdue_demand", "（督促）"),
]


def create_rules(apps, schema_editor):
    ReminderRule = apps.get_model("calendars", "ReminderRule")
    for code, label_ja, label_en, offset, kind, suffix in DEFAULT_RULES:
        ReminderRule.objects.get_or_create(
            code=code,
            defaults={
                "label_ja": label_ja,
                "label_en": label_en,
                "offset_business_days": offset,
                "letter_kind": kind,
                "subject_suffix_ja": suffix,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("calendars", "0002_schedules_letters_reminders")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
