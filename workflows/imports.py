"""Received submissions typed into a spreadsheet: read a CSV (UTF-8 or Shift_JIS) or XLSX file of
recipient code, amount and date received (and, for papers routed through a prefecture, the day the
prefecture received them), and say for each row what recording it would do. Nothing here writes: the page
records the rows the officer confirms, each through the transition service."""

import csv
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from grants.catalogue import procedure_get
from web.errors import InvalidInput
from web.typing import plain, plain_amount, plain_date

from .fields import amount_asked_problem, clean_step_data, fields_for_case, prefecture_receipt_problem
from .selectors import bulk_step_preview_for_actor
from .steps import step_declared

MAX_ROWS = 2000
# The header names a file may use for each column (English codes or the bureau's own words).
COLUMNS = {
    "recipient_code": ("recipient_code", "code", "交付先コード", "コード"),
    "amount": ("amount", "金額", "申請額"),
    "received_on": ("received_on", "date", "受理日", "受付日", "提出日"),
}
# Optional: papers routed through the prefecture (経由), the day the prefecture received them.
OPTIONAL_COLUMNS = {
    "prefecture_received_on": ("prefecture_received_on", "都道府県受理日", "都道府県受付日", "県受理日", "県受付日"),
}


@dataclass
class SubmissionRow:
    line: int
    recipient_code: str
    amount: str
    received_on: str
    prefecture_received_on: str = ""


def _cells(upload) -> list[list[str]]:
    name = (upload.name or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception:  # openpyxl raises many kinds on a file that is not a workbook
            raise InvalidInput(details={"file": [_("This is not an Excel (XLSX) file.")]}) from None
        return [["" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v)) for v in row]
                for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return list(csv.reader(io.StringIO(data.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise InvalidInput(details={"file": [_("Save the CSV file as UTF-8 or Shift_JIS.")]})


def submission_rows_read(upload) -> list[SubmissionRow]:
    """The file's rows under a header naming the three columns (see COLUMNS); InvalidInput when it has none."""
    cells = [row for row in _cells(upload) if any(str(c).strip() for c in row)]
    if not cells:
        raise InvalidInput(details={"file": [_("The file is empty.")]})
    header = [plain(str(c)).lower() for c in cells[0]]
    where = {}
    for column, names in COLUMNS.items():
        found = [i for i, h in enumerate(header) if h in names]
        if not found:
            raise InvalidInput(details={"file": [_("The first row must name the columns recipient_code, amount and received_on.")]})
        where[column] = found[0]
    for column, names in OPTIONAL_COLUMNS.items():
        found = [i for i, h in enumerate(header) if h in names]
        if found:
            where[column] = found[0]
    if len(cells) - 1 > MAX_ROWS:
        raise InvalidInput(details={"file": [_("Import at most %(count)s rows at a time.") % {"count": MAX_ROWS}]})

    def cell(row, column):
        index = where.get(column)
        return plain(str(row[index])) if index is not None and index < len(row) else ""

    return [
        SubmissionRow(
            number, cell(row, "recipient_code"), cell(row, "amount"), cell(row, "received_on"),
            cell(row, "prefecture_received_on"),
        )
        for number, row in enumerate(cells[1:], start=2)
    ]


def _row_data(transition: str, case, row: SubmissionRow) -> tuple[dict, str]:
    """The data the step would record for a row, or the reason it cannot: the step's own checks, the amount
    (at least 1 yen on an application for a grant: ``amount_asked_problem``), and for the prefecture's received
    day, that the case's papers are routed and the day is neither in the future nor after the bureau received
    them."""
    raw = {"amount": plain_amount(row.amount), "date": plain_date(row.received_on)}
    if row.prefecture_received_on:
        if not any(spec.name == "prefecture_received_on" for spec in fields_for_case(step_declared(transition).step.fields, case)):
            return {}, _("This case's papers do not travel through a prefecture.")
        raw["prefecture_received_on"] = plain_date(row.prefecture_received_on)
    try:
        data = clean_step_data(step_declared(transition).step.fields, raw)
    except InvalidInput as exc:
        return {}, " ".join(str(p) for problems in exc.details.values() for p in problems)
    if "amount" in data:
        kind = procedure_get(case.stream, case.procedure).determination
        problem = amount_asked_problem(data["amount"], determination_kind=kind)
        if problem:
            return {}, problem
    if "prefecture_received_on" in data:
        today = timezone.localdate()
        problem = prefecture_receipt_problem(data["prefecture_received_on"], received=data.get("date") or today, today=today)
        if problem:
            return {}, problem
    return data, ""


def submission_import_preview_for_actor(*, actor, transition: str, rows: list[SubmissionRow], **selection) -> list[dict]:
    """Each row with its ``case`` (of the selection: fiscal year, stream, part, procedure), the ``data`` the step
    would record, and ``ready`` or the ``reason`` it would not: unknown recipient, bad amount or date, a second
    row for the same case, or the case not ready for the step (its state or an unmet condition)."""
    cases = {row["case"].recipient.code: row for row in bulk_step_preview_for_actor(actor=actor, transition=transition, **selection)}
    seen: set[str] = set()
    result = []
    for row in rows:
        found = cases.get(row.recipient_code)
        data, reason = {}, ""
        if found is None:
            reason = _("No case of this recipient in the chosen year, stream and procedure (or outside your scope).")
        elif row.recipient_code in seen:
            reason = _("A second row for the same case.")
        else:
            data, reason = _row_data(transition, found["case"], row)
            if not reason and not found["ready"]:
                reason = found["reason"]
        seen.add(row.recipient_code)
        result.append({"row": row, "case": found["case"] if found else None, "data": data, "ready": not reason, "reason": reason})
    return result
