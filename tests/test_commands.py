"""The management commands refuse bad input with one clear line and a non-zero exit, never a traceback."""

import pytest
from django.core.management import CommandError, call_command

from schedules.models import ScheduleVersion

pytestmark = pytest.mark.django_db


def test_send_reminders_refuses_an_empty_date_instead_of_running_for_today():
    # A cron line such as `send_reminders --date "$DAY"` with DAY unset must not quietly run for today.
    with pytest.raises(CommandError, match="--date must be a date as YYYY-MM-DD, not ''"):
        call_command("send_reminders", "--date", "", "--dry-run")


def test_import_schedules_names_a_yaml_syntax_error_on_one_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("schedules: [\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_schedules", str(broken))
    message = str(refused.value)
    assert message.startswith(f"Cannot read {broken}: ")
    assert "line 2, column 1" in message
    assert "\n" not in message
    assert not ScheduleVersion.objects.exists()
