"""``manage.py restore IN``: restore a ``manage.py backup`` file into the configured database, then verify it.

The database must be new and empty (SQLite: a file that does not exist yet;
PostgreSQL: a database created for it, restored as the owner role; the
application's role, ``DATABASE_APP_ROLE``, is granted its rights afterwards).
Exits non-zero when the restored history does not verify against its checkpoints.
"""

from django.core.management.base import BaseCommand, CommandError

from grants.backup import backup_restore
from grants.cli import command_error
from web.errors import DomainError


class Command(BaseCommand):
    help = "Restore a backup into the configured (new, empty) database and verify its history."

    def add_arguments(self, parser):
        parser.add_argument("source", help="A file made by manage.py backup")

    def handle(self, *args, source: str, **options):
        try:
            result = backup_restore(source)
        except DomainError as exc:
            raise command_error(exc) from exc
        if not result.ok:
            raise CommandError(f"restored, but the history does not verify: {result.code}: {result.problem}")
        latest = result.latest_checkpoint
        anchor = (
            f", checkpoint #{latest['seq']} vouches for records up to #{result.anchored_id}" if latest else ", no checkpoint"
        )
        self.stdout.write(f"restored {source}: history ok, {result.checked} records{anchor}")
