"""``manage.py rollforward_schedule FROM_FY TO_FY``: start a year's plan from an earlier year's schedule."""

from django.core.management.base import BaseCommand

from calendars.eras import era_date
from grants.cli import actor_for, command_error
from web.errors import DomainError

from ...selectors import schedule_closed_exact_days
from ...services import schedule_rollforward


class Command(BaseCommand):
    help = (
        "Copy the schedule in force of FROM_FY into TO_FY as a plan (fy<TO_FY>-plan), dates moved by whole years; "
        "lists the exact days that now fall on a closed day with the business day they roll to."
    )

    def add_arguments(self, parser):
        parser.add_argument("from_year", type=int)
        parser.add_argument("to_year", type=int)
        parser.add_argument("--as", dest="username", help="Supervisor recorded in the history (default: system)")

    def handle(self, *args, from_year, to_year, username=None, **options):
        try:
            version = schedule_rollforward(actor=actor_for(username), from_year=from_year, to_year=to_year)
        except DomainError as exc:
            raise command_error(exc) from exc
        rolled = schedule_closed_exact_days(version=version)
        for step, effective in rolled:
            self.stdout.write(
                f"  {step.path}: {era_date(step.date_to, weekday=True)} "
                f"is a closed day → {era_date(effective, weekday=True)}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{version.key}: {version.steps.count()} steps; {len(rolled)} exact day(s) fall on a closed day"
            )
        )
