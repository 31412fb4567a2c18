"""Importing received submissions from CSV or XLSX: a preview of every row's result that writes nothing,
then only the confirmed rows recorded, each through the transition service; a reload never re-posts."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.factories import Stream
from grants.models import Case, HistoryEntry
from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT
SELECTION = {"fiscal_year": 2025, "stream": CSG, "part": "", "procedure": "initial_grant"}


@pytest.fixture
def cases():
    officer = f.officer()
    requested = {}
    for code, name in [("112011", "川越市"), ("122076", "松戸市")]:
        case = f.case(actor=officer, recipient=f.municipality(code, name, code[:2]))
        requested[code] = case_transition(  # requested before the papers the files record
            case_id=case.pk, name="request", actor=officer, data={"occurred_on": "2025-11-04"}, expected_version=1
        )
    f.case(actor=officer, recipient=f.municipality("122203", "流山市", "12"))  # planned: not requested yet
    return officer, requested


CSV = (
    "交付先コード,金額,受理日\n"
    "112011,\"１２０，０００，０００\",２０２５／１１／２０\n"
    "122076,abc,2025-11-21\n"
    "122203,1000,2025-11-21\n"
    "99-nowhere,1000,2025-11-21\n"
    "112011,5,2025-11-22\n"
)


def test_a_csv_is_previewed_row_by_row_and_only_the_confirmed_rows_are_recorded(client, cases):
    officer, requested = cases
    client.force_login(officer)
    before = HistoryEntry.objects.count()
    upload = SimpleUploadedFile("received.csv", CSV.encode("cp932"), content_type="text/csv")
    response = client.post("/bulk/submissions/", SELECTION | {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200 and "1行を記録します。" in body
    assert HistoryEntry.objects.count() == before  # the preview writes nothing
    line = lambda n: body.split(f'data-testid="line-{n}"')[1].split("</tr>")[0]  # noqa: E731
    assert "記録します" in line(2) and "120,000,000円" in line(2)
    assert "円単位の整数で入力してください。" in line(3)
    assert "「予定」の状態ではできません。" in line(4)
    assert "案件がありません" in line(5)
    assert "同じ案件の2行目です。" in line(6)
    rows = body.split('name="rows" value="')[1].split('"')[0]
    response = client.post("/bulk/submissions/", SELECTION | {"rows": rows})
    assert response.status_code == 302 and response["Location"] == "/bulk/request/summary/"
    kawagoe = Case.objects.get(pk=requested["112011"].pk)
    assert kawagoe.state == "submitted" and kawagoe.amount_requested == 120_000_000
    assert Case.objects.get(pk=requested["122076"].pk).state == "requested"
    summary = client.get("/bulk/request/summary/").content.decode()
    assert "1件完了しました" in summary and "川越市" in summary


def test_an_xlsx_with_english_headers_is_read_too(client, cases):
    officer, _requested = cases
    book = Workbook()
    sheet = book.active
    sheet.append(["recipient_code", "amount", "received_on"])
    sheet.append(["122076", 2500000, date(2025, 11, 20)])
    data = io.BytesIO()
    book.save(data)
    client.force_login(officer)
    upload = SimpleUploadedFile("received.xlsx", data.getvalue())
    body = client.post("/bulk/submissions/", SELECTION | {"file": upload}).content.decode()
    assert "1行を記録します。" in body and "2,500,000円" in body


def test_a_row_applying_for_0_yen_is_not_ready_and_says_why(client, cases):
    """An application for a grant asks for at least 1 yen (as the step itself refuses): the preview says so."""
    officer, _requested = cases
    client.force_login(officer)
    upload = SimpleUploadedFile("received.csv", "交付先コード,金額,受理日\n112011,0,2025-11-20\n122076,1,2025-11-20\n".encode())
    body = client.post("/bulk/submissions/", SELECTION | {"file": upload}).content.decode()
    line = lambda n: body.split(f'data-testid="line-{n}"')[1].split("</tr>")[0]  # noqa: E731
    assert "交付を申請する額は1円以上で入力してください。" in line(2) and "記録します" in line(3)
    assert "1行を記録します。" in body


@pytest.mark.parametrize("content, name", [(b"a,b\n1,2\n", "x.csv"), (b"not a workbook", "x.xlsx"), (b"", "x.csv")])
def test_a_file_without_the_columns_is_a_form_error(client, cases, content, name):
    officer, _requested = cases
    client.force_login(officer)
    response = client.post("/bulk/submissions/", SELECTION | {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422 and 'class="field__error"' in response.content.decode()


def test_auditors_cannot_import(client, cases):
    client.force_login(f.auditor())
    assert client.get("/bulk/submissions/").status_code == 403


ROUTED_CSV = (
    "交付先コード,金額,受理日,都道府県受理日\n"
    "112011,1000000,2025-11-20,2025-11-18\n"
    "122076,1000000,2025-11-21,2025-11-25\n"
)


def test_the_prefectures_received_date_is_taken_from_its_optional_column_and_checked(client, cases, today):
    officer, requested = cases
    today(date(2025, 11, 28))
    client.force_login(officer)
    upload = SimpleUploadedFile("received.csv", ROUTED_CSV.encode("utf-8"), content_type="text/csv")
    body = client.post("/bulk/submissions/", SELECTION | {"file": upload}).content.decode()
    line = lambda n: body.split(f'data-testid="line-{n}"')[1].split("</tr>")[0]  # noqa: E731
    assert "令和7年11月18日" in line(2) and "記録します" in line(2)
    assert "都道府県の受付日は、局の受理日（令和7年11月21日）より後の日付にはできません。" in line(3)
    assert "記録します" not in line(3)
    rows = body.split('name="rows" value="')[1].split('"')[0]
    assert rows.endswith(":2025-11-20:2025-11-18")
    assert client.post("/bulk/submissions/", SELECTION | {"rows": rows}).status_code == 302
    kawagoe = Case.objects.get(pk=requested["112011"].pk)
    assert (kawagoe.submitted_on, kawagoe.prefecture_received_on) == (date(2025, 11, 20), date(2025, 11, 18))
    record = kawagoe.history.order_by("pk").last()
    assert record.data["fields"]["prefecture_received_on"] == "2025-11-18"
    assert Case.objects.get(pk=requested["122076"].pk).prefecture_received_on is None


def test_a_prefectures_received_date_in_the_future_or_for_papers_not_routed_is_refused(client, cases, today):
    officer, _requested = cases
    today(date(2025, 11, 28))
    client.force_login(officer)
    csv_text = "recipient_code,amount,received_on,prefecture_received_on\n112011,1000,,2025-12-01\n122076,1000,2025-11-20,\n"
    body = client.post("/bulk/submissions/", SELECTION | {"file": SimpleUploadedFile("r.csv", csv_text.encode())}).content.decode()
    line = lambda n: body.split(f'data-testid="line-{n}"')[1].split("</tr>")[0]  # noqa: E731
    assert "未来の日付で記録することはできません。" in line(2)
    assert "記録します" in line(3)  # the column is optional row by row
    sag = f.case(actor=officer, stream=Stream.SPECIAL_ADJUSTMENT_GRANT)
    case_transition(case_id=sag.pk, name="request", actor=officer, data={"deadline": "2025-12-10"}, expected_version=1)
    selection = SELECTION | {"stream": Stream.SPECIAL_ADJUSTMENT_GRANT}
    csv_text = f"recipient_code,amount,received_on,prefecture_received_on\n{sag.recipient.code},1000,2025-11-20,2025-11-19\n"
    body = client.post("/bulk/submissions/", selection | {"file": SimpleUploadedFile("r.csv", csv_text.encode())}).content.decode()
    assert "この案件の書類は都道府県を経由しません。" in body.split('data-testid="line-2"')[1].split("</tr>")[0]
