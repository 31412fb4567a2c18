"""The history's chain reading and export as they were written first, a dictionary and several `json.dumps` a record.

The fast paths in ``grants.history`` and ``grants.history_export`` must give
the same hashes and the same bytes; ``tests/grants/test_history_fast.py``
checks them against these, and ``bench/history_speed.py`` measures both.
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterator

from django.utils import timezone

from grants import checkpoints
from grants.history import _COLUMNS, _HASHED
from grants.history_export import COLUMNS, spreadsheet_text
from grants.models import HistoryEntry

import hashlib


def canonical_text(values: dict, prev_hash: str) -> str:
    """A record's canonical JSON as ``json.dumps`` makes it: its hashed fields and ``prev_hash``, sorted keys, no spaces
    (``grants.history`` writes the same bytes with orjson where it can)."""
    body = {
        "occurred_at": values["occurred_at"].astimezone(timezone.UTC).isoformat(timespec="microseconds"),
        **{name: values[name] for name in _HASHED[1:]},
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def row_hash(row: tuple, prev_hash: str) -> str:
    return hashlib.sha256(canonical_text(dict(zip(_HASHED, row)), prev_hash).encode()).hexdigest()


def chain_rows(after_id: int | None = None, limit: int | None = None):
    """(id, prev_hash, stored hash, recomputed content hash) of the records after ``after_id``, oldest first."""
    rows = HistoryEntry.objects.order_by("pk").values_list("pk", "prev_hash", "hash", *_COLUMNS)
    if after_id is not None:
        rows = rows.filter(pk__gt=after_id)
    for pk, prev_hash, stored, *values in rows[:limit] if limit else rows.iterator(chunk_size=5000):
        yield pk, prev_hash, stored, row_hash(values, prev_hash)


_FIELDS = (
    "pk", "occurred_at", "actor__username", "actor_role", "action", "subject_type", "subject_id", "case_id",
    "fiscal_year", "stream", "recipient__code", "source", "target", "data", "prev_hash", "hash",
)


def history_row(values: tuple, tz) -> dict:
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


def _rows(entries) -> Iterator[dict]:
    tz = timezone.get_current_timezone()
    for values in entries.values_list(*_FIELDS).iterator(chunk_size=5000):
        yield history_row(values, tz)


def export_csv(entries, checkpoint) -> Iterator[bytes]:
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


def export_jsonl(entries, checkpoint) -> Iterator[bytes]:
    for row in _rows(entries):
        row["amounts_before"] = json.loads(row["amounts_before"])
        row["amounts_after"] = json.loads(row["amounts_after"])
        row["data"] = json.loads(row["data"])
        yield (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
    yield (json.dumps({"checkpoint": checkpoints.export_trailer(checkpoint)}, sort_keys=True) + "\n").encode("utf-8")


def export_xlsx(entries, checkpoint) -> Iterator[bytes]:
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
        text.data_type = "s"
        trailer.append([text])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(64 * 1024):
            yield chunk


EXPORTERS = {"csv": export_csv, "jsonl": export_jsonl, "xlsx": export_xlsx}
