"""Auditors export the decision history as CSV (with BOM), XLSX and JSON Lines."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from grants.history_export import COLUMNS, spreadsheet_text
from grants.models import HistoryEntry
from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    officer = f.officer(username="tanaka")
    saitama = f.case(actor=officer)
    chiba = f.case(actor=officer, recipient=f.municipality(code="122076", name="松戸市", prefecture_code="12"))
    case_transition(case_id=saitama.pk, name="request", actor=officer, data={"deadline": "2025-09-01", "occurred_on": "2025-08-01"}, expected_version=1)
    case_transition(case_id=saitama.pk, name="withdraw", actor=officer, data={"reason": "申請取下げ（重複）"}, expected_version=2)
    return {"saitama": saitama, "chiba": chiba}


def download(api, query):
    api.force_authenticate(f.auditor())
    response = api.get(f"/api/history/export?{query}")
    assert response.status_code == 200, response.content if not response.streaming else ""
    return response, b"".join(response.streaming_content)


def csv_records(body: bytes) -> list[dict]:
    """The record rows of a CSV export (its last row is the checkpoint's)."""
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[-1]["id"] == "checkpoint"
    return rows[:-1]


def jsonl_records(body: bytes) -> list[dict]:
    """The records of a JSON Lines export (its last line is the checkpoint's)."""
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert list(lines[-1]) == ["checkpoint"]
    return lines[:-1]


def test_csv_has_a_bom_and_japanese_text_survives(api, history):
    response, body = download(api, "format=csv")
    assert body.startswith(b"\xef\xbb\xbf")
    assert response["Content-Disposition"].endswith('.csv"')
    rows = csv_records(body)
    case_rows = [r["action"] for r in rows if r["subject_type"] == "case"]
    assert case_rows == ["create", "create", "request", "withdraw"]
    assert {r["action"] for r in rows if r["subject_type"] == "letter"} <= {"letter_issue", "letter_render"}
    assert rows[-1]["reason"] == "申請取下げ（重複）"
    assert rows[-1]["occurred_at_jst"].endswith("+09:00")


def test_filters_by_recipient_and_actor(api, history):
    _, body = download(api, "format=jsonl&recipient=122076")
    lines = jsonl_records(body)
    assert [(line["recipient"], line["action"]) for line in lines] == [("122076", "create")]
    _, body = download(api, "format=jsonl&actor=nobody")
    assert jsonl_records(body) == []


def test_xlsx_opens_with_the_same_rows(api, history):
    _, body = download(api, "format=xlsx&case=%d" % history["saitama"].pk)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("id", "occurred_at_jst", "actor", "actor_role", "action")
    assert [row[4] for row in rows[1:]] == ["create", "request", "withdraw"]


def test_a_control_character_in_a_reason_does_not_break_the_xlsx(api, history):
    officer = f.officer(username="suzuki")
    case_transition(
        case_id=history["chiba"].pk, name="withdraw", actor=officer, data={"reason": "重複\x1b"}, expected_version=1
    )
    _, body = download(api, "format=xlsx&case=%d" % history["chiba"].pk)
    rows = list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))
    assert rows[-1][4] == "withdraw" and rows[-1][COLUMNS.index("reason")] == "重複\ufffd"
    _, body = download(api, "format=jsonl&case=%d" % history["chiba"].pk)
    assert jsonl_records(body)[-1]["reason"] == "重複\x1b"


def test_a_record_whose_reason_or_document_number_is_not_text_exports_it_as_json(api, history):
    """Records written by other acts than transitions may hold a list there: every format exports it, as JSON."""
    from django.db import transaction

    from grants.history import history_append

    with transaction.atomic():
        history_append(actor=f.officer(username="suzuki"), action="note", subject_type="case",
                       subject_id=history["chiba"].pk, case=history["chiba"],
                       data={"reason": ["重複", "誤記"], "document_number": {"first": "関厚発1201第1号"}})
    query = "case=%d" % history["chiba"].pk
    _, body = download(api, "format=xlsx&" + query)
    last = list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))[-1]
    assert last[COLUMNS.index("reason")] == '["重複", "誤記"]'
    assert last[COLUMNS.index("document_number")] == '{"first": "関厚発1201第1号"}'
    _, body = download(api, "format=csv&" + query)
    assert csv_records(body)[-1]["reason"] == '["重複", "誤記"]'
    _, body = download(api, "format=jsonl&" + query)
    assert jsonl_records(body)[-1]["reason"] == ["重複", "誤記"]


def test_text_that_looks_like_a_formula_stays_text_in_the_xlsx(api, history):
    """A reason is what was recorded: the spreadsheet shows it, it does not compute or link it."""
    officer = f.officer(username="suzuki")
    reason = '=HYPERLINK("http://example.invalid/","重複")'
    chiba = history["chiba"].pk
    case_transition(case_id=chiba, name="withdraw", actor=officer, data={"reason": reason}, expected_version=1)
    _, body = download(api, "format=xlsx&case=%d" % chiba)
    sheet = load_workbook(io.BytesIO(body)).active
    cell = sheet.cell(row=sheet.max_row, column=COLUMNS.index("reason") + 1)
    assert (cell.value, cell.data_type) == (reason, "s")
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize(
    "reason",
    ['=HYPERLINK("http://example.invalid/","重複")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"],
)
def test_csv_neutralises_a_formula_and_json_lines_keeps_the_exact_record(api, history, reason):
    """(Found by a security audit: CSV passed formulas to Excel, XLSX did not.)"""
    chiba = history["chiba"].pk
    case_transition(case_id=chiba, name="withdraw", actor=f.officer(username="suzuki"), data={"reason": reason},
                    expected_version=1)
    _, body = download(api, "format=csv&case=%d" % chiba)
    rows = csv_records(body)
    assert rows[-1]["reason"] == "'" + reason
    assert rows[-1]["action"] == "withdraw" and rows[-1]["actor"] == "suzuki"  # plain text is left alone
    _, body = download(api, "format=jsonl&case=%d" % chiba)
    assert jsonl_records(body)[-1]["reason"] == reason


def test_a_leading_tab_or_carriage_return_is_neutralised_too_and_other_values_are_not():
    """(Reasons are stripped when recorded; other text fields are not.)"""
    assert [spreadsheet_text(v) for v in ("\t=1", "\r=1", "重複", "", 12, "a=b")] == ["'\t=1", "'\r=1", "重複", "", 12, "a=b"]


def test_officers_cannot_export_and_bad_filters_get_422(api, history):
    api.force_authenticate(f.officer())
    assert api.get("/api/history/export").json()["error"]["code"] == "permission_denied"
    api.force_authenticate(f.auditor())
    response = api.get("/api/history/export?format=pdf")
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"
    assert api.get("/api/history/export?date_from=yesterday").status_code == 422


def test_the_widest_date_range_exports_everything(api, history):
    _, body = download(api, "format=jsonl&date_from=0001-01-01&date_to=9999-12-31")
    assert [line["id"] for line in jsonl_records(body)] == list(
        HistoryEntry.objects.order_by("pk").values_list("pk", flat=True)
    )
