"""``manage.py export_schedules [FY]``: write schedules as YAML (every year when no FY is given)."""

from django.core.management.base import BaseCommand, CommandError

from grants.cli import command_error
from web.errors import DomainError

from ...schedule_format import dump_document
from ...selectors import schedule_document


class Command(BaseCommand):
    help = "Write the schedules of a fiscal year (or of every year) in the YAML format import_schedules reads."

    def add_arguments(self, parser):
        parser.add_argument("fiscal_year", nargs="?", type=int, help="e.g. 2025; all years when left out")
        parser.add_argument("--output", "-o", help="File to write (default: standard output)")

    def handle(self, *args, fiscal_year=None, output=None, **options):
        try:
            document = schedule_document(fiscal_year=fiscal_year)
        except DomainError as exc:
            raise command_error(exc) from exc
        text = dump_document(document)
        if output:
            try:
                with open(output, "w", encoding="utf-8") as file:
                    file.write(text)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc}") from exc
        else:
            self.stdout.write(text, ending="")
