"""``manage.py history_verify``: recompute the decision history's chain and check it against the signed checkpoints.

    history_verify                                  # the database's and the checkpoint directory's checkpoints
    history_verify --checkpoints history-….jsonl    # also an export's (CSV, XLSX, JSON Lines) or a folder of copies
    history_verify --public-key old-key.pem --json  # trust another public key; print the result as JSON
    history_verify --workers 1                      # recompute the hashes in this process only

The records' hashes are recomputed by one process per CPU this process may
use (``--workers``), each with its own database connection.

Exits 0 when the chain is intact and agrees with every checkpoint, 1 (with the
first missing or altered record named) otherwise.
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError

from grants import checkpoints
from grants.cli import command_error
from grants.history import history_verify
from web.errors import DomainError


class Command(BaseCommand):
    help = "Check the history chain against its signed checkpoints; name the first missing or altered record."

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints", action="append", default=[], metavar="PATH",
            help="An export or checkpoint file (or a folder of them) whose checkpoints the chain must also agree with",
        )
        parser.add_argument(
            "--public-key", action="append", default=[], metavar="PEM", help="Also trust this Ed25519 public key"
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON")
        parser.add_argument(
            "--workers", type=int, default=min(8, os.cpu_count() or 1), metavar="N",
            help="Processes that recompute the records' hashes, each with its own database connection "
            "(default: the CPUs, at most 8)",
        )

    def handle(self, *args, **options):
        try:
            sources = [found for path in options["checkpoints"] for found in checkpoints.from_file(path)]
            if options["workers"] < 1:
                raise CommandError("--workers must be 1 or more")
            result = history_verify(sources=sources, public_keys=options["public_key"], workers=options["workers"])
        except DomainError as exc:
            raise command_error(exc) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
        elif result.ok:
            latest = result.latest_checkpoint
            anchor = (
                f"; checkpoint #{latest['seq']} (signed {latest['signed_at']}) vouches for records up to "
                f"#{result.anchored_id}, {result.unanchored} record(s) after it are checked by their links only"
                if latest else "; no checkpoint yet: run history_checkpoint"
            )
            self.stdout.write(f"ok: {result.checked} records, head #{result.head_id} {result.head_hash}{anchor}")
        if not result.ok:
            lines = [f"{problem['code']}: {problem['message']}" for problem in result.problems]
            raise CommandError("the history does not verify\n  " + "\n  ".join(lines))
