"""``manage.py send_reminders [--date YYYY-MM-DD] [--dry-run]``: the daily reminder run (cron or a systemd timer)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from grants.limits import EARLIEST_DATE, LATEST_DATE
from grants.roles import system_user

from ...selectors import reminder_candidates
from ...services import reminder_issue


class Command(BaseCommand):
    help = (
        "Produce the reminders and overdue demands due on a day for cases still waiting for papers; "
        "their PDFs are rendered by the task workers. Safe to run again or on several machines at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="The day to run for, YYYY-MM-DD (default: today in Japan)")
        parser.add_argument("--dry-run", action="store_true", help="List what would be produced; change nothing")

    def handle(self, *args, day=None, dry_run=False, **options):
        on = timezone.localdate() if day is None else _parse_day(day)
        candidates = reminder_candidates(on=on)
        if dry_run:
            for candidate in candidates:
                self.stdout.write(f"  case {candidate.case_id}: {candidate.rule_code} (deadline {candidate.deadline_effective})")
            self.stdout.write(f"{on}: dry run, {len(candidates)} reminder(s) would be produced")
            return
        actor, issued = system_user(), 0
        for candidate in tqdm(candidates, desc=f"reminders {on}", unit="case", disable=None):
            issued += reminder_issue(actor=actor, candidate=candidate, on=on) is not None
        self.stdout.write(
            self.style.SUCCESS(
                f"{on}: {issued} reminder(s) produced, {len(candidates) - issued} skipped "
                "(produced by another run, or papers already in); PDFs queued for rendering"
            )
        )


def _parse_day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {text!r}.") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CommandError(f"--date must be between {EARLIEST_DATE} and {LATEST_DATE}, not {text!r}.")
    return day
