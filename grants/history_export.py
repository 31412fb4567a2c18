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
import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from web.errors import InvalidInput

from . import checkpoints
from .access import authorize, scope_q
from .checkpoints import Checkpoint
from .history import stored_json, stored_json_exact
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
    ``search`` keeps the records of recipients whose name, reading or code contains it.

    Scope applies as everywhere (``grants.access``): a reader limited by scope rows gets the records of their
    streams in their prefectures (a record's stream and its recipient's prefecture), none of the bureau-wide
    ones (budget notices, schedules, users); a bureau-wide reader gets them all."""
    permission = "grants.export_history" if export else "grants.read_history"
    authorize(actor, permission)
    if date_from and date_to and date_to < date_from:  # the page and the export alike: an error, not an empty list
        raise InvalidInput(details={"date_to": [_("The end date is before the start date.")]})
    entries = HistoryEntry.objects.select_related("actor", "recipient").filter(scope_q(actor, permission)).order_by("pk")
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
# (building a model instance per record was most of an export's time); ``data`` as its stored text.
_FIELDS = (
    "pk", "occurred_at", "actor__username", "actor_role", "action", "subject_type", "subject_id", "case_id",
    "fiscal_year", "stream", "recipient__code", "source", "target", "data_text", "prev_hash", "hash",
)


# The JSON texts an export shows, as ``json.dumps`` makes them (encoders built once: the same C encoder, same bytes).
_JSON = json.JSONEncoder(ensure_ascii=False).encode
_JSON_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_EMPTY = _JSON({})


def _values(entries: QuerySet[HistoryEntry]) -> Iterator[tuple]:
    """Each record's ``_FIELDS``, ``data`` decoded as the ORM decodes it, and ``data``'s JSON with sorted keys.

    orjson reads ``data`` (``stored_json``); when the JSON written from it
    shows ``e+``, a float of 1e16 or more that may have been an integer beyond
    64 bits, ``json`` reads it again, so every value is the ORM's.
    """
    read, read_exact, encode_sorted = stored_json, stored_json_exact, _JSON_SORTED
    rows = entries.annotate(data_text=Cast("data", TextField())).values_list(*_FIELDS).iterator(chunk_size=5000)
    for (pk, occurred_at, actor, actor_role, action, subject_type, subject_id, case, fiscal_year, stream, recipient,
         source, target, data_text, prev_hash, digest) in rows:
        data = read(data_text)[0] or {}
        data_json = encode_sorted(data)
        if "e+" in data_json:
            data = read_exact(data_text) or {}
            data_json = encode_sorted(data)
        yield (pk, occurred_at, actor, actor_role, action, subject_type, subject_id, case, fiscal_year, stream,
               recipient, source, target, data, data_json, prev_hash, digest)


def _rows(entries: QuerySet[HistoryEntry]) -> Iterator[list]:
    """Each record as the values of ``COLUMNS`` (codes, not labels; times in the current zone; JSON as text)."""
    tz, encode = timezone.get_current_timezone(), _JSON
    for (pk, occurred_at, actor, actor_role, action, subject_type, subject_id, case, fiscal_year, stream, recipient,
         source, target, data, data_json, prev_hash, digest) in _values(entries):
        yield [
            pk, occurred_at.astimezone(tz).isoformat(timespec="seconds"), actor, actor_role, action, subject_type,
            subject_id, case, fiscal_year, stream, recipient or "", source, target,
            encode(data["amounts_before"]) if "amounts_before" in data else _EMPTY,
            encode(data["amounts_after"]) if "amounts_after" in data else _EMPTY,
            _cell_text(data.get("document_number", "")), _cell_text(data.get("reason", "")), data_json, prev_hash, digest,
        ]


def _cell_text(value):
    """A record's document number or reason as a cell: as recorded (text, a number), or the JSON of a list or an
    object a record holds there (a spreadsheet cell and a CSV field take no list)."""
    return _JSON(value) if isinstance(value, (list, dict)) else value


# What a spreadsheet reads as the start of a formula (or, for tab and CR, a cell it may shift into one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula (OWASP); else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


_BATCH = 1000  # records a chunk of the CSV and JSON Lines output
_MAY_TRIGGER = tuple(index for index, column in enumerate(COLUMNS) if column not in ("id", "occurred_at_jst", "data"))


def export_csv(entries: QuerySet[HistoryEntry], checkpoint: Checkpoint | None) -> Iterator[bytes]:
    """CSV, UTF-8 with BOM, a chunk per thousand records, formula-like text neutralised; the checkpoint's row last."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    triggers = FORMULA_TRIGGERS
    batch = []
    for row in _rows(entries):
        # The id is an integer, the time starts with its year and ``data`` with "{": the other columns are checked.
        for index in _MAY_TRIGGER:
            value = row[index]
            if isinstance(value, str) and value.startswith(triggers):
                row[index] = "'" + value
        batch.append(row)
        if len(batch) == _BATCH:
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(batch)
            batch = []
            yield buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    writer.writerows(batch)
    trailer = dict.fromkeys(COLUMNS, "")
    trailer.update(id="checkpoint", data=json.dumps(checkpoints.export_trailer(checkpoint), sort_keys=True))
    writer.writerow(trailer.values())
    yield buffer.getvalue().encode("utf-8")


def export_jsonl(entries: QuerySet[HistoryEntry], checkpoint: Checkpoint | None) -> Iterator[bytes]:
    """JSON Lines: the exact records, one per line (the data as JSON, not a string), the checkpoint's line last.

    Each line is ``json.dumps`` of the record's ``COLUMNS`` in order with
    ``data``'s keys sorted, made in pieces: the columns before ``data`` in one
    call, ``data`` sorted, then the two hashes (a JSON object's text is the
    same made whole or in pieces).
    """
    tz, encode = timezone.get_current_timezone(), _JSON
    data_key = f", {encode('data')}: "
    lines = []
    for (pk, occurred_at, actor, actor_role, action, subject_type, subject_id, case, fiscal_year, stream, recipient,
         source, target, data, data_json, prev_hash, digest) in _values(entries):
        head = encode({
            "id": pk, "occurred_at_jst": occurred_at.astimezone(tz).isoformat(timespec="seconds"), "actor": actor,
            "actor_role": actor_role, "action": action, "subject_type": subject_type, "subject_id": subject_id,
            "case": case, "fiscal_year": fiscal_year, "stream": stream, "recipient": recipient or "", "source": source,
            "target": target, "amounts_before": data.get("amounts_before", {}),
            "amounts_after": data.get("amounts_after", {}), "document_number": data.get("document_number", ""),
            "reason": data.get("reason", ""),
        })
        tail = encode({"prev_hash": prev_hash, "hash": digest})
        lines.append(f"{head[:-1]}{data_key}{data_json}, {tail[1:]}\n")
        if len(lines) == _BATCH:
            yield "".join(lines).encode("utf-8")
            lines = []
    lines.append(json.dumps({"checkpoint": checkpoints.export_trailer(checkpoint)}, sort_keys=True) + "\n")
    yield "".join(lines).encode("utf-8")


# What a worksheet cannot hold: most ASCII control characters (the same set openpyxl refuses).
_NOT_IN_A_CELL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
XLSX_CELL_MAX = 32_767  # UTF-16 units a worksheet cell holds at most (Excel's specification)
_CUT = "\u2026"


def xlsx_text(value: str) -> str:
    """``value`` as a worksheet cell can hold it: control characters as U+FFFD, cut to the cell's limit, ending in "…"."""
    value = _NOT_IN_A_CELL.sub("\ufffd", value)
    if len(value) > XLSX_CELL_MAX // 2 and len(value.encode("utf-16-le")) // 2 > XLSX_CELL_MAX:
        units = value.encode("utf-16-le")[: 2 * (XLSX_CELL_MAX - 1)]
        value = units.decode("utf-16-le", errors="ignore") + _CUT
    return value


def _xlsx_json(value: str) -> str:
    """``xlsx_text`` of a JSON text, which holds no control character (JSON escapes each): only its length is checked."""
    return value if len(value) <= XLSX_CELL_MAX // 2 else xlsx_text(value)


# What each column's text goes through: the JSON columns' only through the length check.
_XLSX_FIXES = tuple(
    _xlsx_json if name in ("amounts_before", "amounts_after", "data") else xlsx_text for name in COLUMNS
)


def export_xlsx(entries: QuerySet[HistoryEntry], checkpoint: Checkpoint | None) -> Iterator[bytes]:
    """XLSX via XlsxWriter's constant-memory mode (rows go to temporary files, not memory).

    Text is written as text, never as a formula, a number or a link: the
    spreadsheet shows what was recorded. A worksheet cannot hold most ASCII
    control characters, and a record that holds one can never be corrected,
    so each becomes U+FFFD in this format; a text longer than a cell holds
    (32,767 UTF-16 units: a payment run's data at national scale) is cut to
    it and ends in "…". CSV and JSON Lines keep the text exactly. The cells
    are those openpyxl's write-only mode wrote before (``docs/dependencies.md``).
    """
    import xlsxwriter

    with tempfile.TemporaryFile() as handle:
        workbook = xlsxwriter.Workbook(handle, {
            "constant_memory": True, "use_zip64": True,
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        })
        sheet = workbook.add_worksheet("history")
        text, number = sheet.write_string, sheet.write_number
        for column, name in enumerate(COLUMNS):
            text(0, column, name)
        fixes = _XLSX_FIXES
        for line, row in enumerate(_rows(entries), start=1):
            for column, value in enumerate(row):
                if value.__class__ is str:
                    if value:
                        text(line, column, fixes[column](value))
                elif value is not None:
                    number(line, column, value)
        trailer = workbook.add_worksheet(checkpoints.XLSX_SHEET)
        trailer.write_string(0, 0, "signed checkpoint (JSON; join the cells below in order)")
        for line, piece in enumerate(checkpoints.xlsx_cells(checkpoint), start=1):
            trailer.write_string(line, 0, piece)
        workbook.close()
        handle.seek(0)
        while chunk := handle.read(64 * 1024):
            yield chunk


EXPORTERS = {
    "csv": (export_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (export_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "jsonl": (export_jsonl, "application/x-ndjson; charset=utf-8", "jsonl"),
}
