"""``manage.py payment_run``: draft, approve, execute, cancel or show a payment run from the command line.

    payment_run create --date 2024-01-29 --user officer1
    payment_run approve 12 --user supervisor1
    payment_run execute 12 --user officer1
    payment_run cancel 13 --user officer1
    payment_run show 12 --user auditor1

Each prints the run as the user may read it: only the items of the cases in their scope.

The same services as the API: the same rules, the same history records.
Refusals print the error code and exit non-zero.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from grants.cli import actor_for, command_error
from web.errors import DomainError

from ...selectors import payment_run_breakdown_for_actor, payment_run_get_for_actor
from ...services import payment_run_create, payment_run_transition


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Draft (create), approve, execute, cancel or show a payment run."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        create = actions.add_parser("create", help="Draft a run for a date: it gathers every unpaid item due by then")
        create.add_argument("--date", required=True, help="The payment date, YYYY-MM-DD")
        for action, text in (
            ("approve", "Approve a drafted run (a supervisor who did not draft it)"),
            ("execute", "Pay every item of an approved run, once"),
            ("cancel", "Cancel a drafted run: its items go back to be gathered by a later run"),
            ("show", "Print a run netted per recipient"),
        ):
            sub = actions.add_parser(action, help=text)
            sub.add_argument("run", type=int, help="The run's id")
        for sub in actions.choices.values():
            sub.add_argument("--user", required=True, help="Username of the person acting")

    def handle(self, *args, action: str, user: str, **options):
        actor = actor_for(user)
        try:
            if action == "create":
                run = payment_run_create(actor=actor, run_on=_date(options["date"]))
            elif action == "show":
                run = payment_run_get_for_actor(actor=actor, run_id=options["run"])
            else:
                run = payment_run_transition(actor=actor, run_id=options["run"], name=action)
        except DomainError as exc:
            raise command_error(exc) from exc
        self._print(run, actor)

    def _print(self, run, actor) -> None:
        """The run as the actor may read it: the items of the cases in their scope."""
        lines = payment_run_breakdown_for_actor(actor=actor, run=run)
        self.stdout.write(f"payment run {run.pk} of {run.run_on} (FY{run.fiscal_year_id}): {run.state}")
        for line in lines:
            self.stdout.write(f"  {line.recipient.code:<16} {line.recipient.name_ja:<20} {line.amount:>18,} yen")
            for item in line.items:
                self.stdout.write(
                    f"      {item.basis:<22} FY{item.budget_year} case {item.case_id:<8} {item.amount:>18,}"
                )
        self.stdout.write(f"  total {sum(line.amount for line in lines):,} yen to {len(lines)} recipient(s)")
