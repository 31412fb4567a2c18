"""``manage.py import_schedules FILE``: create or replace schedule versions from a YAML file."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from grants.cli import actor_for, command_error
from web.errors import DomainError

from ...schedule_format import load_document
from ...services import schedule_import


class Command(BaseCommand):
    help = "Import the schedules of a YAML file (the format of schedules/data/schedules.yaml); versions are replaced by id."

    def add_arguments(self, parser):
        parser.add_argument("file", help="YAML file, e.g. schedules/data/schedules.yaml")
        parser.add_argument("--as", dest="username", help="Supervisor recorded in the history (default: system)")

    def handle(self, *args, file, username=None, **options):
        try:
            document = load_document(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CommandError(f"Cannot read {file}: {_one_line(exc)}") from exc
        try:
            versions = schedule_import(actor=actor_for(username), document=document)
        except DomainError as exc:
            raise command_error(exc) from exc
        for version in versions:
            self.stdout.write(f"{version.key}: FY{version.fiscal_year} {version.status}, {version.steps.count()} steps")
        self.stdout.write(self.style.SUCCESS(f"{len(versions)} schedule version(s) in {file}"))


def _one_line(exc: Exception) -> str:
    """The reason a file cannot be read, on one line: PyYAML's own message spans several, with a caret under the text."""
    mark = getattr(exc, "problem_mark", None)
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem and mark is not None:
        return f"{exc.problem} at line {mark.line + 1}, column {mark.column + 1}"
    return " ".join(str(exc).split())
