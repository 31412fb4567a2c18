"""Export of the decision history for auditors (docs/domain.md#history): CSV, XLSX, JSON Lines.

Rows are read with ``iterator()`` and written as they come, so memory stays
flat however long the history is. CSV starts with a UTF-8 byte-order mark so
Excel opens the Japanese text correctly. Times are shown in Asia/Tokyo.

Every export carries the signed checkpoint of the chain's head taken when it
was made (docs/operations.md, "The history chain"), as a trailer: CSV's last
row has ``checkpoint`` in its ``id`` column and the checkpoint as JSON in its
``data`` column; JSON Lines' last line is ``{"checkpoint": {...}}``; XLSX has
a second sheet, ``checkpoint``, whose first column holds the JSON in pieces to
be joined. The trailer is ``null`` when the history has no checkpoint yet.
``manage.py history_verify --checkpoints FILE`` checks a database against it.

The formats are for different readers. **JSON Lines is the exact record**:
every value as stored, for programs and for checking the hash chain. CSV
and XLSX are for spreadsheets, which would run a cell that looks like a
formula: a CSV text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return is written with a leading ``'`` (OWASP's advice on CSV
injection), and XLSX stores every text as text. So a CSV cell may differ
from the record by that one leading ``'``.
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from . import checkpoints
from .access import authorize
from .checkpoints import Checkpoint
from .models import HistoryEntry
from .selectors import recipients_matching

COLUMNS = (
    "id", "occurred_at_jst", "actor", "actor_role", "action", "subject_type", "subject_id", "case",
    "fiscal_year", "stream", "recipient", "source", "target", "amounts_before", "amounts_after",
    "document_number", "reason", "data", "prev_hash", "hash",
)
_OLDEST, _NEWEST = date(2000, 1, 1), date(2999, 12, 31)


def history_list_for_auditor(
    *,
    actor,
    export: bool = False,
    fiscal_year: int | None = None,
    stream: str | None = None,
    recipient: str | None = None,
    user: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    case: int | None = None,
    search: str | None = None,
) -> QuerySet[HistoryEntry]:
    """History records, oldest first, for one who may read them (``grants.read_history``) or, for an
    ``export``, export them (``grants.export_history``): auditors, supervisors and administrators.
    ``search`` keeps the records of recipients whose name, reading or code contains it."""
    authorize(actor, "grants.export_history" if export else "grants.read_history")
    entries = HistoryEntry.objects.select_related("actor", "recipient").order_by("pk")
    if fiscal_year is not None:
        entries = entries.filter(fiscal_year=fiscal_year)
    if stream:
        entries = entries.filter(stream=stream)
    if recipient:
        entries = entries.filter(recipient__code=recipient)
    if search:
        entries = entries.filter(recipient__in=recipients_matching(search))
    if user:
        entries = entries.filter(actor__username=user)
    if case is not None:
        entries = entries.filter(case_id=case)
    tz = timezone.get_default_timezone()
    # Bounds outside the records' possible span filter nothing (and would overflow a datetime).
    if date_from and date_from > _OLDEST:
        entries = entries.filter(occurred_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to and date_to < _NEWEST:
        entries = entries.filter(occurred_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return entries


# What an export reads of each record: its columns and the two names it shows, as plain values
# (building a model instance per record was most of an export's time).
_FIELDS = (
    "pk", "occurred_at", "actor__username", "actor_role", "action", "subject_type", "subject_id", "case_id",
    "fiscal_year", "stream", "recipient__code", "source", "target", "data", "prev_hash", "hash",
)


def history_row(values: tuple, tz) -> dict:
    """One record, read as ``_FIELDS``, as flat export fields (codes, not labels); times in ``tz``."""
    (pk, occurred_at, actor, actor_role, action, subject_type, subject_id, case, fiscal_year, stream, recipient,
     source, target, data, prev_hash, digest) = values
    data = data or {}
    return {
        "id": pk,
        "occurred_at_jst": occurred_at.astimezone(tz).isoformat(timespec="seconds"),
        "actor": actor,
        "actor_role": actor_role,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "case": case,
        "fiscal_year": fiscal_year,
        "stream": stream,
        "recipient": recipient or "",
        "source": source,
        "target": target,
        "amounts_before": json.dumps(data.get("amounts_before", {}), ensure_ascii=False),
        "amounts_after": json.dumps(data.get("amounts_after", {}), ensure_ascii=False),
        "document_number": data.get("document_number", ""),
        "reason": data.get("reason", ""),
        "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
        "prev_hash": prev_hash,
        "hash": digest,
    }


def _rows(entries: QuerySet[HistoryEntry]) -> Iterator[dict]:
    tz = timezone.get_current_timezone()
    for values in entries.values_list(*_FIELDS).iterator(chunk_size=5000):
        yield history_row(values, tz)


# What a spreadsheet reads as the start of a formula (or, for tab and CR, a cell it may shift into one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula (OWASP); else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def export_csv(entries: QuerySet[HistoryEntry], checkpoint: Checkpoint | None) -> Iterator[bytes]:
    """CSV, UTF-8 with BOM, one chunk per record, formula-like text neutralised; the checkpoint's row last."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for row in _rows(entries):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow({column: spreadsheet_text(value) for column, value in row.items()})
        yield buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    writer.writerow({"id": "checkpoint", "data": json.dumps(checkpoints.export_trailer(checkpoint), sort_keys=True)})
    yield buffer.getvalue().encode("utf-8")


def export_jsonl(entries: QuerySet[HistoryEntry], checkpoint: Checkpoint | None) -> Iterator[bytes]:
    """JSON Lines: the exact records, one per line (the data as JSON, not a string), the checkpoint's line last."""
    for row in _rows(entries):
        row["amounts_before"] = json.loads(row["amounts_before"])
        row["amounts_after"] = json.loads(row["amounts_after"])
        row["data"] = json.loads(row["data"])
        yield (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
    yield (json.dumps({"checkpoint": checkpoints.export_trailer(checkpoint)}, sort_keys=True) + "\n").encode("utf-8")


def export_xlsx(entries: QuerySet[HistoryEntry], checkpoint: Checkpoint | None) -> Iterator[bytes]:
    """XLSX via openpyxl's write-only mode (rows go to a temporary file, not memory).

    Text is written as text: openpyxl would store a string starting with "="
    as a formula, which the spreadsheet would compute (or follow, for a
    HYPERLINK) instead of showing what was recorded. A worksheet cannot hold
    most ASCII control characters, and a record that holds one can never be
    corrected, so each becomes U+FFFD in this format (CSV and JSON Lines keep
    the text exactly).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        text.data_type = "s"
        return text

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("history")
    sheet.append(list(COLUMNS))
    for row in _rows(entries):
        sheet.append([cell(row[column]) for column in COLUMNS])
    trailer = workbook.create_sheet(checkpoints.XLSX_SHEET)
    trailer.append(["signed checkpoint (JSON; join the cells below in order)"])
    for piece in checkpoints.xlsx_cells(checkpoint):
        text = WriteOnlyCell(trailer, value=piece)
        text.data_type = "s"  # a piece may start with "=": text, never a formula
        trailer.append([text])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(64 * 1024):
            yield chunk


EXPORTERS = {
    "csv": (export_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (export_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "jsonl": (export_jsonl, "application/x-ndjson; charset=utf-8", "jsonl"),
}
