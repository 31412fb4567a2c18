"""The calendar, feed, schedule and letter endpoints over HTTP: status codes and error codes."""

import hashlib
import io
import json
import zipfile
from datetime import date

import pytest
import yaml
from icalendar import Calendar
from pypdf import PdfReader

from letters.models import Letter
from tests import factories as f
from tests.http import assert_error

from .factories import act, requested_case, shipped_document, shipped_schedules

pytestmark = pytest.mark.django_db


def login(api, user):
    api.force_authenticate(user)
    return api



@pytest.fixture
def people(today):
    today(date(2026, 2, 2))
    return {"officer": f.officer(), "tokyo": f.officer(prefectures=("13",)), "boss": f.supervisor(), "auditor": f.auditor()}


@pytest.fixture
def saitama_case(people):
    return requested_case(officer=people["officer"], deadline="2026-02-28")  # a Saturday: effective 3/2


# ---------------------------------------------------------------- calendar


def test_calendar_needs_a_login(api):
    assert_error(api.get("/api/calendar"), 401, "not_authenticated")


def test_calendar_lists_deadlines_in_scope_with_schedule_steps(api, people, saitama_case):
    shipped_schedules()
    f.define(2025, "community_support_grant", "initial_grant")  # the application alone, no pre-consultation
    tokyo = f.municipality("132012", "八王子市", "13")
    requested_case(officer=people["tokyo"], deadline="2026-02-20", recipient=tokyo)
    body = login(api, people["officer"]).get("/api/calendar", {"from": "2026-02-01", "to": "2026-03-31"}).json()
    deadlines = [item for item in body["items"] if item["kind"] == "case_deadline"]
    assert [item["case"]["id"] for item in deadlines] == [saitama_case.pk]  # the Tokyo case is out of scope
    assert deadlines[0]["case"]["recipient"] == {"code": saitama_case.recipient.code, "name": saitama_case.recipient.name_ja}
    assert deadlines[0]["stated"] == "2026-02-28" and deadlines[0]["effective"] == "2026-03-02"
    assert deadlines[0]["date_text"] == "令和8年3月2日（月）" and deadlines[0]["overdue"] is False
    steps = {item["step"]["key"] for item in body["items"] if item["kind"] == "schedule_step"}
    assert {"initial_application_deadline", "initial_decision_notice"} <= steps
    assert body["count"] == len(body["items"])
    undecided = {item["step"]["key"] for item in body["undecided"]}
    assert "informal_notice_personnel" in undecided


def test_overdue_and_undecided_cases(api, people, saitama_case, today):
    officer = people["officer"]
    pending = act(f.case(actor=officer, stream="medical_care_fund", part="personnel"), "request_consultation", officer)
    today(date(2026, 3, 3))
    body = login(api, officer).get("/api/calendar", {"from": "2026-03-01", "to": "2026-03-31"}).json()
    [deadline] = [item for item in body["items"] if item["kind"] == "case_deadline"]
    assert deadline["overdue"] is True
    [undecided] = [item for item in body["undecided"] if item["kind"] == "case_deadline"]
    assert undecided["case"]["id"] == pending.pk and undecided["date_text"] == "未定"


def test_calendar_filters_by_prefecture_and_stream(api, people, saitama_case):
    body = login(api, people["boss"]).get("/api/calendar", {"from": "2026-02-01", "to": "2026-03-31", "prefecture": "13"}).json()
    assert not [item for item in body["items"] if item["kind"] == "case_deadline"]
    body = api.get("/api/calendar", {"from": "2026-02-01", "to": "2026-03-31", "stream": "medical_care_fund"}).json()
    assert body["items"] == []


@pytest.mark.parametrize(
    "params",
    [{"from": "2026-03-01", "to": "2026-02-01"}, {"from": "2026-01-01", "to": "2028-01-01"}, {"from": "yesterday"}, {"stream": "x"}],
)
def test_bad_calendar_ranges_are_422(api, people, params):
    assert_error(login(api, people["officer"]).get("/api/calendar", params), 422, "invalid_input")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "9999-12-31"}, "from"),  # the default 'to' would be past the last date Python has
        ({"from": "9999-12-01", "to": "9999-12-31"}, "from"),
        ({"from": "0001-01-01", "to": "0001-02-01"}, "from"),
        ({"to": "0001-01-01"}, "to"),
        ({"from": "2026-13-01"}, "from"),
    ],
)
def test_calendar_days_outside_2000_to_2100_are_422_on_the_parameter_given(api, people, params, field):
    error = assert_error(login(api, people["officer"]).get("/api/calendar", params), 422, "invalid_input")
    assert field in error["details"]


# ---------------------------------------------------------------- feed


def test_feed_link_gives_all_day_events_and_can_be_rotated_and_revoked(api, people, saitama_case):
    login(api, people["officer"])
    link = api.post("/api/calendar/feed-token")
    assert link.status_code == 201 and link.json()["url"].endswith(link.json()["token"])
    api.force_authenticate(None)
    feed = api.get("/api/calendar.ics", {"token": link.json()["token"]})
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    events = [event for event in Calendar.from_ical(feed.content).walk("VEVENT")]
    [deadline] = [event for event in events if str(event["uid"]) == f"case-{saitama_case.pk}-deadline@grants"]
    assert deadline.decoded("dtstart") == date(2026, 3, 2) and deadline.decoded("dtend") == date(2026, 3, 3)
    assert b"DTSTART;VALUE=DATE:20260302" in feed.content
    login(api, people["officer"]).post("/api/calendar/feed-token")  # rotated: the old link stops working
    api.force_authenticate(None)
    assert_error(api.get("/api/calendar.ics", {"token": link.json()["token"]}), 401, "invalid_feed_token")
    token = login(api, people["officer"]).post("/api/calendar/feed-token").json()["token"]
    assert api.delete("/api/calendar/feed-token").status_code == 204
    api.force_authenticate(None)
    assert_error(api.get("/api/calendar.ics", {"token": token}), 401, "invalid_feed_token")


def test_feed_without_or_with_a_wrong_token_is_401(api):
    assert_error(api.get("/api/calendar.ics"), 401, "invalid_feed_token")
    assert_error(api.get("/api/calendar.ics", {"token": "guess"}), 401, "invalid_feed_token")


# ---------------------------------------------------------------- schedules


def test_schedule_export_as_json_and_yaml(api, people):
    shipped_schedules()
    login(api, people["officer"])
    response = api.get("/api/schedules/2023")
    assert response.status_code == 200 and response["Schedule-In-Force"] == "fy2023-actual"
    assert [item["id"] for item in response.json()["schedules"]] == ["fy2023-plan", "fy2023-actual"]
    as_yaml = api.get("/api/schedules/2025", HTTP_ACCEPT="application/yaml")
    assert as_yaml["Content-Type"].startswith("application/yaml")
    expected = [item for item in shipped_document()["schedules"] if item["fiscal_year"] == 2025]
    assert yaml.safe_load(as_yaml.content)["schedules"] == expected
    assert_error(api.get("/api/schedules/2031"), 404, "schedule_not_found")


def test_schedule_import_over_the_api_is_for_supervisors(api, people):
    document = {"schedules": [item for item in shipped_document()["schedules"] if item["fiscal_year"] == 2025]}
    body = yaml.safe_dump(document, allow_unicode=True)
    assert_error(
        login(api, people["officer"]).post("/api/schedules/2025", body, content_type="application/yaml"), 403, "permission_denied"
    )
    response = login(api, people["boss"]).post("/api/schedules/2025", body, content_type="application/yaml")
    assert response.status_code == 200 and response["Schedule-In-Force"] == "fy2025-plan"
    assert response.json()["schedules"] == json.loads(json.dumps(document["schedules"], default=str))


def test_bad_schedule_documents_are_refused(api, people):
    login(api, people["boss"])
    plan = [item for item in shipped_document()["schedules"] if item["fiscal_year"] == 2025][0]
    error = assert_error(api.post("/api/schedules/2024", {"schedules": [plan]}, format="json"), 422, "invalid_schedule")
    assert "schedules" in error["details"]
    plan["streams"]["community_support_grant"]["sub_procedures"]["initial_grant"]["steps"][0]["kind"] = "party"
    error = assert_error(api.post("/api/schedules/2025", {"schedules": [plan]}, format="json"), 422, "invalid_schedule")
    assert list(error["details"]) == ["schedules[0].streams.community_support_grant.sub_procedures.initial_grant.steps[0].kind"]
    response = api.post("/api/schedules/2025", "schedules: [", content_type="application/yaml")
    assert_error(response, 400, "malformed_request")


def test_a_years_import_cannot_take_over_another_years_version(api, people):
    shipped_schedules()
    login(api, people["boss"])
    actual = next(item for item in shipped_document()["schedules"] if item["id"] == "fy2023-actual")
    moved = {**actual, "fiscal_year": 2025, "era_ja": "令和7年度"}
    body = yaml.safe_dump({"schedules": [moved]}, allow_unicode=True)
    error = assert_error(api.post("/api/schedules/2025", body, content_type="application/yaml"), 422, "invalid_schedule")
    assert list(error["details"]) == ["schedules[0].id"] and "fy2023-actual" in error["details"]["schedules[0].id"][0]
    assert api.get("/api/schedules/2023")["Schedule-In-Force"] == "fy2023-actual"
    assert [item["id"] for item in api.get("/api/schedules/2025").json()["schedules"]] == ["fy2025-plan"]
    response = api.post("/api/schedules/2023", yaml.safe_dump({"schedules": [actual]}, allow_unicode=True), content_type="application/yaml")
    assert response.status_code == 200 and response["Schedule-In-Force"] == "fy2023-actual"


def test_a_yaml_nan_or_an_overlong_text_is_a_422_not_a_database_error(api, people):
    login(api, people["boss"])
    plan = [item for item in shipped_document()["schedules"] if item["fiscal_year"] == 2025][0]
    step = plan["streams"]["community_support_grant"]["sub_procedures"]["initial_grant"]["steps"][0]
    step.update(year_inferred=float("nan"), date_text_ja="x" * 101)
    body = yaml.safe_dump({"schedules": [plan]}, allow_unicode=True)
    error = assert_error(api.post("/api/schedules/2025", body, content_type="application/yaml"), 422, "invalid_schedule")
    path = "schedules[0].streams.community_support_grant.sub_procedures.initial_grant.steps[0]"
    assert set(error["details"]) == {f"{path}.year_inferred", f"{path}.date_text_ja"}


def test_an_impossible_day_in_a_yaml_document_is_a_422_at_its_place_not_a_500(api, people):
    login(api, people["boss"])
    plan = [item for item in shipped_document()["schedules"] if item["fiscal_year"] == 2025][0]
    body = yaml.safe_dump({"schedules": [plan]}, allow_unicode=True).replace("date_to: 2026-02-28", "date_to: 2026-02-29", 1)
    error = assert_error(api.post("/api/schedules/2025", body, content_type="application/yaml"), 422, "invalid_schedule")
    assert [place.rsplit(".", 1)[1] for place in error["details"]] == ["date_to"]
    odd_tag = body.replace("fiscal_year: 2025", "fiscal_year: !!int twenty", 1)
    assert_error(api.post("/api/schedules/2025", odd_tag, content_type="application/yaml"), 400, "malformed_request")


@pytest.mark.parametrize("content_type", ["application/yaml", "application/json"])
def test_a_schedule_document_with_an_unpaired_surrogate_is_a_400(api, people, content_type):
    login(api, people["boss"])
    plan = [item for item in shipped_document()["schedules"] if item["fiscal_year"] == 2025][0]
    plan["label_ja"] = "@@"
    text = (yaml.safe_dump({"schedules": [plan]}, allow_unicode=True) if "yaml" in content_type
            else json.dumps({"schedules": [plan]}, default=str, ensure_ascii=False))
    body = text.replace("'@@'", '"@@"').replace("@@", "\\ud800")  # YAML reads escapes in double quotes only
    assert_error(api.post("/api/schedules/2025", body, content_type=content_type), 400, "malformed_request")


# ---------------------------------------------------------------- letters


def test_letters_of_a_case_and_the_pdf(api, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = requested_case(officer=people["officer"], deadline="2026-02-27")
    login(api, people["officer"])
    body = api.get("/api/letters", {"case": case.pk}).json()
    assert body["count"] == 1  # the request (to the prefecture's division head, naming the municipality: 経由)
    [letter] = [item for item in body["items"] if item["kind"] == "request"]
    assert letter["kind"] == "request" and letter["status"] == "rendered"
    assert letter["deadline"] == {"stated": "2026-02-27", "effective": "2026-02-27"}
    assert letter["recipient"] == {"code": case.recipient.code, "name": case.recipient.name_ja}
    pdf = api.get(letter["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == letter["sha256"]


def test_letters_outside_the_officers_scope_are_403(api, people, saitama_case):
    letter = Letter.objects.get(kind="request", case=saitama_case)
    login(api, people["tokyo"])
    assert_error(api.get(f"/api/letters/{letter.pk}.pdf"), 403, "out_of_scope")
    assert_error(api.get("/api/letters", {"case": saitama_case.pk}), 403, "out_of_scope")
    assert api.get("/api/letters").json()["count"] == 0
    assert_error(api.get("/api/letters/999999.pdf"), 404, "letter_not_found")


def test_a_letter_not_yet_drawn_is_409(api, people, saitama_case):
    letter = Letter.objects.get(kind="request", case=saitama_case)  # its task runs only after commit
    assert_error(login(api, people["auditor"]).get(f"/api/letters/{letter.pk}.pdf"), 409, "letter_not_rendered")


def test_batch_of_letters_downloads_as_one_pdf_or_a_zip(api, people, django_capture_on_commit_callbacks):
    officer = people["officer"]
    with django_capture_on_commit_callbacks(execute=True):
        cases = [
            requested_case(officer=officer, deadline="2026-02-27", recipient=f.town(n))
            for n in range(3)
        ]
    ids = [Letter.objects.get(kind="request", case=case).pk for case in cases]
    login(api, officer)
    created = api.post("/api/letter-batches", {"title": "当初交付申請依頼", "letters": ids}, format="json")
    assert created.status_code == 201 and len(created.json()["letters"]) == 3
    batch = created.json()
    merged = api.get(batch["pdf"])
    assert merged.status_code == 200 and merged["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(merged.content)).pages) == 3
    archive = zipfile.ZipFile(io.BytesIO(api.get(batch["zip"]).content))
    assert sorted(archive.namelist()) == [f"{f.municipality_code(300 + n)}_町{n}.pdf" for n in range(3)]
    assert_error(login(api, people["tokyo"]).get(batch["pdf"]), 403, "out_of_scope")
    assert_error(api.get("/api/letter-batches/999999.zip"), 404, "letter_batch_not_found")


def test_a_batch_holds_one_letter_per_recipient_and_each_letter_once(api, people):
    officer = people["officer"]
    first = requested_case(officer=officer, deadline="2026-02-27")
    second = act(f.case(actor=officer, procedure="adjustment_grant", recipient=first.recipient), "request", officer)
    ids = [Letter.objects.get(kind="request", case=first).pk, Letter.objects.get(kind="request", case=second).pk]
    login(api, officer)
    assert_error(api.post("/api/letter-batches", {"title": "x", "letters": ids}, format="json"), 422, "invalid_input")
    assert api.post("/api/letter-batches", {"title": "x", "letters": ids[:1]}, format="json").status_code == 201
    assert_error(api.post("/api/letter-batches", {"title": "y", "letters": ids[:1]}, format="json"), 422, "invalid_input")
    assert_error(login(api, people["auditor"]).post("/api/letter-batches", {"title": "z", "letters": ids[1:]}, format="json"), 403, "permission_denied")


def test_calendar_costs_the_same_queries_for_one_case_or_many(api, people, django_assert_max_num_queries):
    shipped_schedules()
    f.define(2025, "community_support_grant", "initial_grant")  # the application alone, no pre-consultation
    officer = people["officer"]
    requested_case(officer=officer, deadline="2026-02-27")
    login(api, officer)
    params = {"from": "2026-01-01", "to": "2026-03-31"}
    with django_assert_max_num_queries(20) as few:
        assert api.get("/api/calendar", params).status_code == 200
    for n in range(8):
        requested_case(officer=officer, deadline="2026-02-27", recipient=f.town(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/calendar", params).json()["items"]) > 9


def test_openapi_document_describes_the_calendar_endpoints(api, people):
    paths = login(api, people["officer"]).get("/api/openapi.json").json()["paths"]
    for path in ("/api/calendar", "/api/calendar.ics", "/api/schedules/{fiscal_year}", "/api/letters", "/api/letters/{letter_id}.pdf"):
        assert path in paths, path
