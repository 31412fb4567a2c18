"""Schedules and feed links now belong to the ``schedules`` app, letters and reminders to ``letters``.

State only: the tables keep their names (``Meta.db_table``), rows, constraints
and indexes; nothing in the database changes. ``calendars`` keeps the closure
days and document numbering.
"""

from django.db import migrations

# Models that refer to others go first, so the state never holds a dangling reference.
MOVED = (
    "Reminder",
    "Letter",
    "LetterBatch",
    "ReminderRule",
    "ScheduleStep",
    "ScheduleVersion",
    "ScheduleHeader",
    "CalendarFeedToken",
)


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0003_default_reminder_rules"),
        ("schedules", "0001_initial"),
        ("letters", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
            database_operations=[],
        ),
    ]
