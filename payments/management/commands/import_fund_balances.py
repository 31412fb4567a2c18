"""``manage.py import_fund_balances FILE --user USERNAME``: record medical-care fund balances from a CSV.

The file is UTF-8 (a BOM, as Excel writes it, is fine) with the header

    prefecture,fiscal_year,opening,national_contribution,prefectural_contribution,interest,spending,closing

one row per prefecture (JIS code) and fiscal year, amounts in whole yen
(thousands separators allowed). The import is all or nothing: a row that
does not add up, or a closing balance that differs from the next year's
opening balance, refuses the whole file and writes nothing.
"""

import contextlib
import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grants.cli import actor_for, command_error
from web.errors import DomainError

from ...services import FundBalanceRow, fund_balance_import
from ...services.fund_balances import AMOUNT_FIELDS

COLUMNS = ("prefecture", "fiscal_year", *AMOUNT_FIELDS)


def _whole_number(text: str, *, line: int, column: str) -> int:
    cleaned = (text or "").strip().replace(",", "")
    if cleaned.isdecimal():  # isdigit() lets "²" through, which int() refuses
        with contextlib.suppress(ValueError):  # int() refuses more than 4,300 digits too
            return int(cleaned)
    raise CommandError(f"line {line}: {column} must be a whole number of yen, not {text!r}")


def read_rows(path: Path) -> list[FundBalanceRow]:
    """The file's rows, or a CommandError naming the line and column that cannot be read."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if missing := [c for c in COLUMNS if c not in (reader.fieldnames or [])]:
                raise CommandError(f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
            return [
                FundBalanceRow(
                    prefecture=(record["prefecture"] or "").strip().zfill(2),
                    **{
                        column: _whole_number(record[column], line=reader.line_num, column=column)
                        for column in COLUMNS[1:]
                    },
                )
                for record in reader  # line_num: the file's line, past blank lines and quoted line breaks
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:  # csv.Error: a stray quote runs a field past the limit
        raise CommandError(f"{path}: cannot read the file ({exc})") from exc


class Command(BaseCommand):
    help = "Import medical-care fund balances from a CSV; refused whole if a year does not join the next."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Username of the person importing")

    def handle(self, *args, file: Path, user: str, **options):
        actor = actor_for(user)
        rows = read_rows(file)
        if not rows:
            raise CommandError(f"{file}: no rows")
        try:
            written = fund_balance_import(actor=actor, rows=rows)
        except DomainError as exc:
            raise command_error(exc) from exc
        self.stdout.write(f"{len(written)} of {len(rows)} row(s) recorded; the others were unchanged.")
