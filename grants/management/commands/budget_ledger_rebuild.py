"""``manage.py budget_ledger_rebuild [--fiscal-year YEAR]``: write the budget ledger afresh from what is on file.

The ledger (docs/money.md, "The budget ledger") is kept by every act that moves what a year commits; rows
written around the transition service — a bulk load, a repair by hand — leave it behind. This writes it again
from the approvals on file, for one fiscal year or all, and says how many commitment keys it holds.
"""

from django.core.management.base import BaseCommand

from grants.cli import command_error
from grants.services import budget_ledger_rebuild
from web.errors import DomainError


class Command(BaseCommand):
    help = "Write the budget ledger afresh from the approvals on file (one fiscal year, or all)."

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, help="Only this fiscal year (its April year)")

    def handle(self, *args, fiscal_year=None, **options):
        try:
            keys = budget_ledger_rebuild(fiscal_year=fiscal_year)
        except DomainError as exc:
            raise command_error(exc) from exc
        which = f"FY{fiscal_year}" if fiscal_year is not None else "every fiscal year"
        self.stdout.write(f"budget ledger of {which} written afresh: {keys} commitment key(s)")
