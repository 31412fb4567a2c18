"""``manage.py issue_payment_notices RUN_ID``: issue the payment notices an executed run still lacks.

Executing a run issues its notices after the payment has committed; if that
step failed (it is logged, never undone with the payment), this fills in
whatever is missing and issues nothing twice.
"""

from django.core.management.base import BaseCommand

from grants.cli import command_error
from web.errors import DomainError

from ...services import payment_notices_issue


class Command(BaseCommand):
    help = "Issue the payment notices (支払通知) an executed payment run still lacks; safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("run_id", type=int, help="id of an executed payment run")

    def handle(self, *args, run_id: int, **options):
        try:
            batch = payment_notices_issue(run_id=run_id)
        except DomainError as exc:
            raise command_error(exc) from exc
        self.stdout.write(self.style.SUCCESS(f"run {run_id}: {batch.letters.count()} notice(s) in batch {batch.pk}"))
