"""``manage.py backup OUT``: a consistent copy of the whole database, taken while the application runs.

SQLite: a SQLite file (the backup API). PostgreSQL: a ``pg_dump`` custom-format
archive (``pg_dump`` on PATH; the application's role may run it). A checkpoint
of the history's head is signed first. Never overwrites OUT. Restore with
``manage.py restore``.
"""

from django.core.management.base import BaseCommand

from grants.backup import backup_create
from grants.cli import command_error
from web.errors import DomainError


class Command(BaseCommand):
    help = "Back up the database to a new file (SQLite: a copy; PostgreSQL: pg_dump custom format)."

    def add_arguments(self, parser):
        parser.add_argument("out", help="The backup file to create")

    def handle(self, *args, out: str, **options):
        try:
            report = backup_create(out)
        except DomainError as exc:
            raise command_error(exc) from exc
        self.stdout.write(f"backed up the {report.vendor} database to {report.path} ({report.size:,} bytes)")
        if report.checkpoint:
            self.stdout.write(
                f"its history ends at or after record #{report.checkpoint.head_id}, "
                f"signed as checkpoint #{report.checkpoint.seq}"
            )
        if report.note:
            self.stderr.write(report.note)
