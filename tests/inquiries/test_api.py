"""The inquiry register over HTTP (/api/inquiries): list with the page's filters, record, read, answer; the
JSON error shape for bad input, 404 out of scope, 409 once answered; a refusal writes nothing."""

from datetime import date

import pytest
from knox.models import AuthToken

from grants.models import HistoryEntry
from inquiries.models import Inquiry
from inquiries.services import inquiry_record
from tests import factories as f
from tests.factories import Stream
from tests.http import assert_error

pytestmark = pytest.mark.django_db

CSG = Stream.COMMUNITY_SUPPORT_GRANT
FUND = Stream.MEDICAL_CARE_FUND
QUESTION = "対象経費に備品は含まれますか。"


@pytest.fixture(autouse=True)
def _today(today):
    today(date(2025, 9, 1))


@pytest.fixture
def officer():
    f.municipality()  # 川越市, Saitama
    return f.officer(username="tanaka", prefectures=("11",))


def as_user(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {AuthToken.objects.create(user=user)[1]}")
    return api


def ask(api, **given):
    body = {"received_on": "2025-08-01", "asker": "112011", "stream": CSG, "question": QUESTION} | given
    return api.post("/api/inquiries", body, format="json")


def test_an_officer_records_reads_and_answers_an_inquiry(api, officer):
    created = ask(as_user(api, officer), procedure="initial_grant")
    assert created.status_code == 201, created.content
    inquiry = created.json()
    assert (inquiry["asker"]["code"], inquiry["stream"], inquiry["procedure"], inquiry["status"]) == (
        "112011", CSG, "initial_grant", "open",
    )
    assert (inquiry["question"], inquiry["recorded_by"], inquiry["answer"], inquiry["answered_on"]) == (
        QUESTION, "tanaka", "", None,
    )
    detail = api.get(f"/api/inquiries/{inquiry['id']}")
    assert detail.status_code == 200 and detail.json() == inquiry
    answered = api.post(
        f"/api/inquiries/{inquiry['id']}/answer", {"answered_on": "2025-08-05", "answer": "含まれます。"}, format="json"
    )
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert (body["status"], body["answer"], body["answered_by"], body["business_days"]) == (
        "answered", "含まれます。", "tanaka", 2,
    )
    before = HistoryEntry.objects.count()
    again = api.post(f"/api/inquiries/{inquiry['id']}/answer", {"answered_on": "2025-08-06", "answer": "別"}, format="json")
    assert_error(again, 409, "inquiry_already_answered")
    assert HistoryEntry.objects.count() == before
    assert Inquiry.objects.get().answer == "含まれます。"


def test_the_list_is_scoped_and_filtered_as_the_page_is(api, officer):
    saitama = inquiry_record(actor=officer, received_on=date(2025, 8, 1), asker="112011", stream=CSG, question=QUESTION)
    inquiry_record(actor=officer, received_on=date(2025, 8, 2), asker="11", stream=FUND, question="基金の残高は")
    chiba_officer = f.officer(prefectures=("12",))
    f.municipality("122033", "市川市", "12")
    inquiry_record(actor=chiba_officer, received_on=date(2025, 8, 3), asker="122033", stream=CSG, question="千葉の照会")

    def ids(user, **query):
        response = as_user(api, user).get("/api/inquiries", query)
        assert response.status_code == 200, response.content
        return [item["question"] for item in response.json()["items"]]

    assert ids(officer) == ["基金の残高は", QUESTION]  # newest received first; not Chiba's
    assert ids(chiba_officer) == ["千葉の照会"]
    assert ids(f.auditor()) == ["千葉の照会", "基金の残高は", QUESTION]
    assert ids(officer, stream=CSG) == [QUESTION]
    assert ids(officer, search="備品") == [QUESTION]
    assert ids(officer, asker="川越") == [QUESTION]
    assert ids(officer, status="answered") == []
    assert ids(officer, status="open", procedure="initial_grant") == []
    # out of scope reads as absent
    assert_error(as_user(api, chiba_officer).get(f"/api/inquiries/{saitama.pk}"), 404, "inquiry_not_found")
    assert_error(api.get("/api/inquiries/999999"), 404, "inquiry_not_found")


@pytest.mark.parametrize(
    "given, field",
    [
        ({"received_on": "2025-09-02"}, "received_on"),  # the future: the service's rule
        ({"received_on": "not a date"}, "received_on"),
        ({"question": ""}, "question"),
        ({"asker": "999999"}, "asker"),
        ({"stream": "no_such_stream"}, "stream"),
        ({"case": 0}, "case"),
        ({"surplus": 1, "question": None}, "question"),
    ],
)
def test_bad_input_is_a_422_in_the_error_shape_and_writes_nothing(api, officer, given, field):
    before = HistoryEntry.objects.count()
    error = assert_error(ask(as_user(api, officer), **given), 422, "invalid_input")
    assert field in error["details"], error
    assert Inquiry.objects.count() == 0 and HistoryEntry.objects.count() == before


def test_bad_filters_and_bad_answers_are_422s(api, officer):
    inquiry = inquiry_record(actor=officer, received_on=date(2025, 8, 1), asker="112011", stream=CSG, question=QUESTION)
    as_user(api, officer)
    assert "status" in assert_error(api.get("/api/inquiries", {"status": "closed"}), 422, "invalid_input")["details"]
    assert "stream" in assert_error(api.get("/api/inquiries", {"stream": "x"}), 422, "invalid_input")["details"]
    before = HistoryEntry.objects.count()
    early = api.post(f"/api/inquiries/{inquiry.pk}/answer", {"answered_on": "2025-07-31", "answer": "回答"}, format="json")
    assert "answered_on" in assert_error(early, 422, "invalid_input")["details"]
    blank = api.post(f"/api/inquiries/{inquiry.pk}/answer", {"answered_on": "2025-08-04", "answer": ""}, format="json")
    assert "answer" in assert_error(blank, 422, "invalid_input")["details"]
    inquiry.refresh_from_db()
    assert inquiry.answered_on is None and HistoryEntry.objects.count() == before


def test_only_officers_in_scope_write(api, officer):
    before = HistoryEntry.objects.count()
    assert_error(ask(api), 401, "not_authenticated")
    assert_error(ask(as_user(api, f.auditor())), 403, "permission_denied")
    assert_error(ask(as_user(api, f.officer(prefectures=("13",)))), 403, "out_of_scope")
    inquiry = inquiry_record(actor=officer, received_on=date(2025, 8, 1), asker="112011", stream=CSG, question=QUESTION)
    before = HistoryEntry.objects.count()
    answer = {"answered_on": "2025-08-04", "answer": "回答"}
    assert_error(as_user(api, f.auditor()).post(f"/api/inquiries/{inquiry.pk}/answer", answer, format="json"), 403,
                 "permission_denied")
    tokyo = as_user(api, f.officer(prefectures=("13",)))
    assert_error(tokyo.post(f"/api/inquiries/{inquiry.pk}/answer", answer, format="json"), 404, "inquiry_not_found")
    assert HistoryEntry.objects.count() == before and Inquiry.objects.get().answered_on is None
