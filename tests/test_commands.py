"""The management commands refuse bad input with one clear line and a non-zero exit, never a traceback."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_send_reminders_refuses_an_empty_date_instead_of_running_for_today():
    # A cron line such as `send_reminders --date "$DAY"` with DAY unset must not quietly run for today.
    with pytest.raises(CommandError, match="--date must be a date as YYYY-MM-DD, not ''"):
        call_command("send_reminders", "--date", "", "--dry-run")

