"""The inquiry register as CSV for spreadsheets, with the history export's conventions
(``grants.history_export``): UTF-8 with a byte-order mark so Excel reads the Japanese text,
rows streamed as read, and text a spreadsheet would run as a formula written with a leading ``'``."""

import csv
import io
from collections.abc import Iterator

from django.db.models import QuerySet

from grants.history_export import spreadsheet_text

from .models import Inquiry

COLUMNS = (
    "id", "received_on", "asker_code", "asker", "prefecture_code", "stream", "procedure", "case",
    "question", "status", "answer", "answered_on", "answered_by", "business_days",
)


def inquiry_row(inquiry: Inquiry) -> dict:
    """One inquiry as flat export fields (codes, not labels)."""
    return {
        "id": inquiry.pk,
        "received_on": inquiry.received_on.isoformat(),
        "asker_code": inquiry.asker.code,
        "asker": inquiry.asker.name_ja,
        "prefecture_code": inquiry.asker.prefecture_code,
        "stream": inquiry.stream,
        "procedure": inquiry.procedure,
        "case": inquiry.case_id or "",
        "question": inquiry.question,
        "status": inquiry.status,
        "answer": inquiry.answer,
        "answered_on": inquiry.answered_on.isoformat() if inquiry.answered_on else "",
        "answered_by": inquiry.answered_by.username if inquiry.answered_by else "",
        "business_days": "" if inquiry.business_days is None else inquiry.business_days,
    }


def export_csv(inquiries: QuerySet[Inquiry]) -> Iterator[bytes]:
    """CSV, UTF-8 with BOM, one chunk per inquiry, formula-like text neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for inquiry in inquiries.iterator(chunk_size=2000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow({column: spreadsheet_text(value) for column, value in inquiry_row(inquiry).items()})
        yield buffer.getvalue().encode("utf-8")
