"""``manage.py history_checkpoint``: sign a checkpoint of the decision history's head.

Run it from cron or a systemd timer (every few minutes) and after a backup;
the application also signs one every ``HISTORY_CHECKPOINT_EVERY`` records and
before each export. It signs nothing when no record was added since the last
checkpoint, copies any checkpoint the directory lacks into it, and refuses
(non-zero exit) when the chain since the last checkpoint does not verify or
no signing key is configured.
"""

from django.core.management.base import BaseCommand

from grants import checkpoints
from grants.cli import command_error
from grants.history import history_checkpoint
from web.errors import DomainError


class Command(BaseCommand):
    help = "Sign a checkpoint of the history's head (the records since the last one) and copy it outside the database."

    def handle(self, *args, **options):
        try:
            signed = history_checkpoint()
        except DomainError as exc:
            raise command_error(exc) from exc
        copied = checkpoints.write_to_directory(checkpoints.from_database())
        for checkpoint in signed:
            self.stdout.write(
                f"checkpoint #{checkpoint.seq}: record #{checkpoint.head_id} is record {checkpoint.count} of the chain, "
                f"hash {checkpoint.head_hash}"
            )
        if not signed:
            latest = checkpoints.latest_in_database()
            self.stdout.write(
                f"no new records: checkpoint #{latest.seq} already signs record #{latest.head_id}"
                if latest else "the history is empty: nothing to sign"
            )
        if copied > len(signed):
            self.stdout.write(f"copied {copied - len(signed)} earlier checkpoint(s) into {checkpoints.directory()}")
