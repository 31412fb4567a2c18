"""The inquiry pages: recording a question and its answer (refusals come back on the form, 422, nothing
written), the CSV export (what it holds, formula-like text neutralised, the reader's scope), and the open
inquiries counted on the officer's worklist."""

import csv
import io
from datetime import date

import pytest

from grants.models import HistoryEntry
from inquiries.models import Inquiry
from inquiries.services import inquiry_answer, inquiry_record
from tests import factories as f
from tests.factories import Stream

pytestmark = pytest.mark.django_db

CSG = Stream.COMMUNITY_SUPPORT_GRANT


@pytest.fixture
def officer(today):
    today(date(2025, 9, 1))
    f.municipality()
    return f.officer(username="tanaka", first_name="田中", prefectures=("11",))


def test_an_officer_records_a_question_and_its_answer_from_the_pages(client, officer):
    client.force_login(officer)
    response = client.post("/inquiries/new", {
        "received_on": "2025-08-29", "asker": "112011", "stream": CSG, "question": "備品購入費は対象ですか。",
    })
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inquiries/{inquiry.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert "疑義照会を記録しました。" in body and "備品購入費は対象ですか。" in body and "未回答" in body
    response = client.post(f"/inquiries/{inquiry.pk}/", {"answered_on": "2025-09-01", "answer": "対象です。"})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "回答を記録しました。" in body and "対象です。" in body
    assert "令和7年9月1日（月）に田中が回答（受付から開庁日1日）。" in body
    assert 'data-testid="inquiry-answer-form"' not in body


def test_a_refused_question_comes_back_on_the_form_and_writes_nothing(client, officer):
    client.force_login(officer)
    before = HistoryEntry.objects.count()
    response = client.post("/inquiries/new", {"received_on": "2025-09-02", "asker": "112011", "stream": CSG, "question": "質問"})
    assert response.status_code == 422 and "未来の日付は入力できません。" in response.content.decode()
    response = client.post("/inquiries/new", {"received_on": "2025-08-01", "asker": "11-wau", "stream": CSG, "question": "質問"})
    assert response.status_code == 422
    assert Inquiry.objects.count() == 0 and HistoryEntry.objects.count() == before


def test_an_unknown_case_number_is_an_error_on_its_field_and_keeps_what_was_typed(client, officer):
    client.force_login(officer)
    response = client.post("/inquiries/new", {
        "received_on": "2025-08-29", "asker": "112011", "stream": CSG, "case": "999999", "question": "備品購入費は対象ですか。",
    })
    html = response.content.decode()
    assert response.status_code == 422 and "案件番号999999の案件はありません。" in html
    assert "備品購入費は対象ですか。</textarea>" in html and 'value="999999"' in html
    assert Inquiry.objects.count() == 0


def test_the_register_page_gives_each_field_its_own_id(client, officer):
    """The filter form and the form to record a question share a page: no id twice, each label for its field."""
    import re
    from collections import Counter

    client.force_login(officer)
    for response in (client.get("/inquiries/"), client.post("/inquiries/new", {"asker": "かわ", "question": "質問"})):
        html = response.content.decode()
        twice = [name for name, count in Counter(re.findall(r'\bid="([^"]+)"', html)).items() if count > 1]
        assert twice == [], twice
        assert set(re.findall(r'<label for="([^"]+)"', html)) <= set(re.findall(r'\bid="([^"]+)"', html))


def test_a_second_answer_is_refused_on_the_form(client, officer):
    inquiry = inquiry_record(actor=officer, received_on=date(2025, 8, 1), asker="112011", stream=CSG, question="質問")
    inquiry_answer(actor=officer, inquiry_id=inquiry.pk, answer="最初の回答", answered_on=date(2025, 8, 4))
    client.force_login(officer)
    before = HistoryEntry.objects.count()
    response = client.post(f"/inquiries/{inquiry.pk}/", {"answered_on": "2025-08-05", "answer": "別の回答"})
    assert response.status_code == 422 and "この疑義照会には回答済みです。" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.answer == "最初の回答" and HistoryEntry.objects.count() == before


def test_the_export_holds_the_filtered_inquiries_with_formulas_neutralised(client, officer):
    f.municipality("131016", "千代田区", "13")
    first = inquiry_record(actor=officer, received_on=date(2025, 8, 1), asker="112011", stream=CSG,
                           question="=HYPERLINK(\"http://x\")は使えますか", procedure="initial_grant")
    inquiry_answer(actor=officer, inquiry_id=first.pk, answer="-使えません", answered_on=date(2025, 8, 5))
    inquiry_record(actor=officer, received_on=date(2025, 8, 2), asker="112011", stream=CSG, question="未回答の質問")
    inquiry_record(actor=f.officer(prefectures=("13",)), received_on=date(2025, 8, 2), asker="131016",
                   stream=CSG, question="東京の質問")
    client.force_login(officer)
    response = client.get("/inquiries/export.csv", {"status": "answered"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))
    assert rows == [{
        "id": str(first.pk), "received_on": "2025-08-01", "asker_code": "112011", "asker": "川越市",
        "prefecture_code": "11", "stream": CSG, "procedure": "initial_grant", "case": "",
        "question": "'=HYPERLINK(\"http://x\")は使えますか", "status": "answered", "answer": "'-使えません",
        "answered_on": "2025-08-05", "answered_by": "tanaka", "business_days": "2",
    }]
    everything = b"".join(client.get("/inquiries/export.csv").streaming_content).decode("utf-8")
    assert "未回答の質問" in everything and "東京の質問" not in everything  # the reader's scope
    auditor = f.auditor()
    client.force_login(auditor)
    assert "東京の質問" in b"".join(client.get("/inquiries/export.csv").streaming_content).decode("utf-8")


def test_the_worklist_counts_the_officers_open_inquiries(client, officer):
    inquiry_record(actor=officer, received_on=date(2025, 8, 1), asker="112011", stream=CSG, question="一")
    answered = inquiry_record(actor=officer, received_on=date(2025, 8, 1), asker="112011", stream=CSG, question="二")
    inquiry_answer(actor=officer, inquiry_id=answered.pk, answer="回答", answered_on=date(2025, 8, 1))
    f.municipality("131016", "千代田区", "13")
    inquiry_record(actor=f.officer(prefectures=("13",)), received_on=date(2025, 8, 1), asker="131016", stream=CSG, question="三")
    client.force_login(officer)
    body = client.get("/cases/").content.decode()
    assert 'href="/inquiries/?status=open" data-testid="open-inquiries">未回答の疑義照会 <strong>1</strong>' in body
    client.force_login(f.auditor())
    assert 'data-testid="open-inquiries"' not in client.get("/cases/").content.decode()
    listed = client.get("/inquiries/", {"status": "open"}).content.decode()
    assert "一" in listed and "三" in listed and "2件" in listed


def test_an_export_with_a_filter_that_does_not_parse_answers_422_with_the_error_and_no_file(client):
    client.force_login(f.officer())
    response = client.get("/inquiries/export.csv", {"stream": "no_such_stream"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")
    assert "field__error" in response.content.decode() or "errorlist" in response.content.decode()
