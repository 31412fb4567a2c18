"""``manage.py load_local_governments [FILE]``: every local government in Japan as recipients (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grants.local_governments import DATA_FILE
from grants.models import Recipient
from grants.recipients import local_governments_load
from grants.roles import system_user
from web.errors import DomainError

LISTED = 20  # more added rows than this are counted, not listed (unless -v 2)


class Command(BaseCommand):
    help = (
        "Load the national list of local governments (default: the shipped grants/data/local_governments.csv) "
        "and report what was added, renamed, updated, retired or reinstated."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=DATA_FILE, help="A CSV file in the shipped file's format")

    def handle(self, *args, file: Path, verbosity: int = 1, **options):
        try:
            report = local_governments_load(actor=system_user(), path=file)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        names = dict(Recipient.objects.values_list("code", "name_ja"))
        if report.added:
            self.stdout.write(f"added: {len(report.added)}")
            if len(report.added) <= LISTED or verbosity > 1:
                for code in report.added:
                    self.stdout.write(f"  + {code} {names[code]}")
        for code, old, new in report.renamed:
            self.stdout.write(f"renamed: {code} {old} → {new}")
        if report.updated:
            self.stdout.write(f"updated (reading, English name or type): {len(report.updated)}")
            if verbosity > 1:
                for code in report.updated:
                    self.stdout.write(f"  ~ {code} {names[code]}")
        for code in report.retired:
            self.stdout.write(f"retired: {code} {names[code]} (not in the file; kept with its cases, takes no new ones)")
        for code in report.reinstated:
            self.stdout.write(f"reinstated: {code} {names[code]}")
        summary = (
            f"{file.name}: {len(report.added)} added, {len(report.renamed)} renamed, {len(report.updated)} updated, "
            f"{len(report.retired)} retired, {len(report.reinstated)} reinstated, {report.unchanged} unchanged"
        )
        self.stdout.write(self.style.SUCCESS(summary) if report.changed else summary)
