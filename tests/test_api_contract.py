"""The API contract, line by line, against real objects: the one place it is pinned."""

import json
from datetime import date

import pytest
import yaml

from grants.models import Case
from letters.models import Letter
from payments.models import ReturnClaim
from tests import factories as f
from tests.factories import Stream
from tests.http import assert_error
from tests.letters.factories import requested_case, shipped_schedules
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT
PASSWORD = "pw-for-tests-123"


def login(api, user):
    response = api.post("/api/auth/token", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return api


def assert_page(response) -> list:
    assert response.status_code == 200, response.content
    body = response.json()
    assert isinstance(body["items"], list) and body["count"] == len(body["items"]) or body["count"] > 50, body
    return body["items"]


@pytest.fixture
def people(today):
    today(date(2026, 2, 2))
    return {"officer": f.officer(), "tokyo": f.officer(prefectures=("13",)), "boss": f.supervisor(),
            "auditor": f.auditor()}


# ---------------------------------------------------------------- auth and errors


def test_token_then_bearer(api, people):
    response = api.post("/api/auth/token", {"username": people["officer"].username, "password": PASSWORD}, format="json")
    assert response.status_code == 200 and set(response.json()) == {"token", "expiry"}
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert api.get("/api/cases").status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert_error(api.get("/api/cases"), 401, "not_authenticated")


def test_wrong_password_is_401_and_missing_fields_422(api, people):
    error = assert_error(
        api.post("/api/auth/token", {"username": people["officer"].username, "password": "x"}, format="json"),
        401, "invalid_credentials",
    )
    assert isinstance(error["details"], dict)
    assert_error(api.post("/api/auth/token", {"username": "x"}, format="json"), 422, "invalid_input")


def test_error_statuses_and_codes(api, people):
    assert_error(api.get("/api/cases"), 401, "not_authenticated")
    officer = people["officer"]
    login(api, officer)
    case = f.case(actor=officer)
    assert_error(api.get("/api/cases/999999"), 404, "case_not_found")
    assert_error(api.post("/api/cases/1/transitions/request", b"{", content_type="application/json"),
                 400, "malformed_request")
    assert_error(api.post(f"/api/cases/{case.pk}/transitions/request", {"version": 99}, format="json"),
                 409, "stale_version")
    assert_error(api.post(f"/api/cases/{case.pk}/transitions/notify", {"version": case.version}, format="json"),
                 409, "transition_not_allowed")
    login(api, people["tokyo"])
    assert_error(api.get(f"/api/cases/{case.pk}"), 403, "out_of_scope")
    login(api, people["auditor"])
    assert_error(api.post(f"/api/cases/{case.pk}/transitions/request", {"version": case.version}, format="json"),
                 403, "permission_denied")


def test_condition_unmet_names_the_condition(api, people):
    officer = people["officer"]
    case = f.case(actor=officer)
    login(api, officer)
    for name, fields in [("request", {}), ("submit", {"amount": 1_000_000}), ("start_review", {}),
                         ("draft", {"amount": 1_000_000})]:
        response = api.post(f"/api/cases/{case.pk}/transitions/{name}", {"version": case.version, **fields},
                            format="json")
        assert response.status_code == 200, response.content
        case = Case.objects.get(pk=case.pk)
    login(api, people["boss"])  # no budget notice for the year: docs/domain.md#budget-notices
    error = assert_error(api.post(f"/api/cases/{case.pk}/transitions/approve", {"version": case.version},
                                  format="json"), 409, "budget_ceiling_exceeded")
    # The budget ceiling has its own code and names its figures beside the condition.
    assert error["details"]["condition"] == "budget_notice_covers" and error["details"]["shortfall"] == 1_000_000, error


# ---------------------------------------------------------------- cases


def test_case_detail_fields(api, people):
    officer = people["officer"]
    case = f.case(actor=officer)
    login(api, officer)
    body = api.get(f"/api/cases/{case.pk}").json()
    contract = {"id", "fiscal_year", "stream", "part", "procedure", "recipient", "state", "version", "amounts",
                "deadline", "available_transitions", "history"}
    assert contract <= set(body), contract - set(body)
    assert body["id"] == case.pk and body["fiscal_year"] == 2025 and body["stream"] == CSG and body["part"] is None
    assert body["procedure"] == "initial_grant" and body["state"] == "planned" and body["version"] == case.version
    assert {"code", "name"} <= set(body["recipient"])
    assert body["recipient"]["code"] == "112011" and body["recipient"]["name"] == "川越市"
    assert set(body["amounts"]) == {"requested", "determined", "current", "settled", "paid", "revoked", "in_force"}
    assert body["amounts_shown"] == ["requested", "determined", "current", "paid"]  # what its case page shows
    assert body["deadline"] is None
    assert body["available_transitions"]
    for transition in body["available_transitions"]:
        assert {"name", "label", "fields"} <= set(transition)
    assert isinstance(body["history"], list) and body["history"]
    requested = api.post(f"/api/cases/{case.pk}/transitions/request",
                         {"version": case.version, "deadline": "2026-02-28"}, format="json").json()
    assert requested["state"] == "requested" and requested["version"] == case.version + 1
    assert requested["deadline"] == {"stated": "2026-02-28", "effective": "2026-03-02"}


def test_a_case_says_which_of_its_amounts_its_procedure_shows_and_keeps_every_key(api, people):
    """The case page shows a survey only what its papers ask for: the API names the same amounts
    (``amounts_shown``, additive), and ``amounts`` keeps every key so no client breaks."""
    officer = people["officer"]
    survey = f.case(actor=officer, stream=Stream.MEDICAL_CARE_FUND, part="facilities", procedure="demand_survey")
    settlement = f.case(actor=officer, procedure="prior_year_settlement")
    login(api, officer)
    body = api.get(f"/api/cases/{survey.pk}").json()
    assert body["amounts_shown"] == ["requested"]
    assert set(body["amounts"]) == {"requested", "determined", "current", "settled", "paid", "revoked", "in_force"}
    assert api.get(f"/api/cases/{settlement.pk}").json()["amounts_shown"] == ["requested", "settled", "paid"]
    listed = {case["id"]: case["amounts_shown"] for case in api.get("/api/cases").json()["items"]}
    assert listed[survey.pk] == ["requested"]


def test_transition_fields_are_taken(api, people):
    officer = people["officer"]
    case = requested_case(officer=officer, deadline="2026-02-27")
    login(api, officer)
    body = api.post(f"/api/cases/{case.pk}/transitions/submit",
                    {"version": case.version, "amount": 1_234_000, "date": "2026-02-02"}, format="json").json()
    assert body["state"] == "submitted" and body["amounts"]["requested"] == 1_234_000
    body = api.post(f"/api/cases/{case.pk}/transitions/return_for_correction",
                    {"version": body["version"], "reason": "添付書類の不足"}, format="json")
    assert body.status_code == 200, body.content
    assert body.json()["state"] == "returned"


def test_case_create(api, people):
    f.municipality(), f.fiscal_year(2025)
    body = {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant", "recipient": "112011"}
    login(api, people["officer"])
    created = api.post("/api/cases", body, format="json")
    assert created.status_code == 201 and created.json()["state"] == "planned"
    assert_error(api.post("/api/cases", body, format="json"), 409, "duplicate_case")
    login(api, people["tokyo"])
    assert_error(api.post("/api/cases", {**body, "procedure": "change_grant"}, format="json"), 403, "out_of_scope")
    assert_error(api.post("/api/cases", {**body, "stream": "nope"}, format="json"), 422, "invalid_input")


@pytest.mark.parametrize("part", [None, "", "absent"])
def test_a_case_of_a_stream_without_parts_reads_part_null_and_takes_it_back(api, people, part):
    """What a client reads (``"part": null``) it can post back; "" and leaving it out mean the same."""
    f.municipality(), f.fiscal_year(2025)
    body = {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant", "recipient": "112011"}
    if part != "absent":
        body["part"] = part
    login(api, people["officer"])
    created = api.post("/api/cases", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["part"] is None
    assert [item["part"] for item in assert_page(api.get("/api/cases"))] == [None]
    assert Case.objects.get(pk=created.json()["id"]).part == ""


def test_a_case_of_a_stream_with_parts_reads_its_part(api, people):
    f.prefecture("11"), f.fiscal_year(2025)
    body = {"fiscal_year": 2025, "stream": Stream.MEDICAL_CARE_FUND, "part": "facilities", "procedure": "initial_grant",
            "recipient": "11"}
    login(api, people["officer"])
    created = api.post("/api/cases", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["part"] == "facilities"
    assert_error(api.post("/api/cases", {**body, "part": None}, format="json"), 422, "invalid_input")


def cases_across(officer):
    """Cases differing in each filterable dimension."""
    f.fiscal_year(2024)
    f.budget_notice(2025, CSG)
    base = f.case(actor=officer)  # FY2025 CSG initial grant, 112011 川越市 (11), planned
    other_year = f.case(actor=officer, year=2024)
    other_procedure = f.case(actor=officer, procedure="change_grant")
    other_recipient = f.case(actor=officer, recipient=f.municipality("121002", "千葉市", "12"))
    other_stream = f.case(actor=officer, stream=Stream.MEDICAL_CARE_FUND, part="facilities")
    return base, other_year, other_procedure, other_recipient, other_stream


def test_every_case_filter_filters(api, people, today):
    officer = people["officer"]
    base, other_year, other_procedure, other_recipient, other_stream = cases_across(officer)
    requested = requested_case(officer=officer, deadline="2026-01-30", recipient=f.municipality("111007", "さいたま市", "11"))
    other_officer = f.officer(prefectures=("11", "12"))
    Case.objects.filter(pk=other_stream.pk).update(officer=other_officer)
    login(api, officer)

    def ids(**params):
        return {item["id"] for item in assert_page(api.get("/api/cases", params))}

    everything = ids()
    assert len(everything) == 6
    assert ids(fiscal_year=2024) == {other_year.pk}
    assert ids(stream=Stream.MEDICAL_CARE_FUND) == {other_stream.pk}
    assert ids(procedure="change_grant") == {other_procedure.pk}
    assert ids(recipient="121002") == {other_recipient.pk}
    assert ids(prefecture="12") == {other_recipient.pk}
    assert ids(state="requested") == {requested.pk}
    assert ids(overdue="true") == {requested.pk}
    assert ids(overdue="false") == everything
    assert ids(officer=other_officer.username) == {other_stream.pk}
    assert ids(part="facilities") == {other_stream.pk}
    assert ids(part="") == everything - {other_stream.pk}
    assert ids(stream=Stream.SPECIAL_ADJUSTMENT_GRANT) == set()


@pytest.mark.parametrize("param, value", [
    ("fiscal_year", "abc"), ("fiscal_year", "1"), ("stream", "nope"), ("part", "nope"), ("procedure", "nope"),
    ("prefecture", "1"), ("prefecture", "saitama"), ("prefecture", "00"), ("prefecture", "48"), ("prefecture", "99"), ("state", "nope"), ("overdue", "maybe"), ("page", "0"),
    ("page", "x"), ("fiscal_year", "9" * 40),
])
def test_a_bad_case_filter_is_422(api, people, param, value):
    login(api, people["officer"])
    error = assert_error(api.get("/api/cases", {param: value}), 422, "invalid_input")
    assert param in error["details"], error


def test_lists_page(api, people):
    officer = people["officer"]
    cases_across(officer)
    login(api, officer)
    body = api.get("/api/cases", {"page": 1}).json()
    assert body["count"] == 5 and len(body["items"]) == 5
    body = api.get("/api/cases", {"page": 2}).json()
    assert body["count"] == 5 and body["items"] == []


# ---------------------------------------------------------------- budget notices, recipients


def test_budget_notices_are_for_supervisors(api, people):
    f.fiscal_year(2025)
    body = {"fiscal_year": 2025, "stream": CSG, "part": "", "amount": 5_000_000, "received_on": "2025-04-01",
            "reference": "老発0401第2号"}
    login(api, people["officer"])
    assert_error(api.post("/api/budget-notices", body, format="json"), 403, "permission_denied")
    login(api, people["boss"])
    created = api.post("/api/budget-notices", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == 5_000_000 and created.json()["part"] is None
    again = api.post("/api/budget-notices", {**body, "part": None}, format="json")
    assert again.status_code == 201 and again.json()["part"] is None, again.content
    assert_error(api.post("/api/budget-notices", {**body, "amount": "lots"}, format="json"), 422, "invalid_input")


def test_recipients_by_kind_and_prefecture(api, people):
    f.municipality(), f.union("11"), f.prefecture("12")
    login(api, people["officer"])

    def codes(**params):
        return {item["code"] for item in assert_page(api.get("/api/recipients", params))}

    assert codes() >= {"11", "12", "112011", "11-wau"}
    assert codes(kind="prefecture") == {"11", "12"}
    assert codes(kind="municipality") == {"112011"}
    assert codes(kind="wide_area_union") == {"11-wau"}
    assert codes(prefecture="12") == {"12"}
    assert codes(kind="municipality", prefecture="12") == set()
    [kawagoe] = api.get("/api/recipients", {"kind": "municipality"}).json()["items"]
    assert kawagoe["kind"] == "municipality" and kawagoe["municipality_type"] == "city"
    assert_error(api.get("/api/recipients", {"kind": "city"}), 422, "invalid_input")
    for bad in ("Saitama", "00", "48", "99"):  # not a JIS X 0401 code
        assert_error(api.get("/api/recipients", {"prefecture": bad}), 422, "invalid_input")


# ---------------------------------------------------------------- calendar, schedules, letters


def test_calendar_filters(api, people):
    officer = people["officer"]
    saitama = requested_case(officer=officer, deadline="2026-02-27")
    chiba = requested_case(officer=officer, deadline="2026-02-27", recipient=f.municipality("121002", "千葉市", "12"))
    other_officer = f.officer()
    Case.objects.filter(pk=chiba.pk).update(officer=other_officer)
    login(api, officer)

    def case_ids(**params):
        response = api.get("/api/calendar", {"from": "2026-02-01", "to": "2026-03-31", **params})
        assert response.status_code == 200, response.content
        return {item["case"]["id"] for item in response.json()["items"] if item["case"]}

    assert case_ids() == {saitama.pk, chiba.pk}
    assert case_ids(prefecture="12") == {chiba.pk}
    assert case_ids(officer=other_officer.username) == {chiba.pk}
    assert case_ids(stream=Stream.MEDICAL_CARE_FUND) == set()
    assert case_ids(**{"from": "2026-03-01"}) == set()
    for param, value in [("from", "soon"), ("to", "2026-13-01"), ("stream", "nope"), ("prefecture", "1"),
                         ("prefecture", "99")]:
        assert_error(api.get("/api/calendar", {param: value}), 422, "invalid_input")


def test_calendar_feed(api, people):
    officer = people["officer"]
    requested_case(officer=officer, deadline="2026-02-27")
    login(api, officer)
    token = api.post("/api/calendar/feed-token").json()["token"]
    api.credentials()
    feed = api.get("/api/calendar.ics", {"token": token})
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in feed.content
    assert api.get("/api/calendar.ics", {"token": "wrong"}).status_code == 401


def test_schedules_export_and_import_in_yaml_and_json(api, people):
    shipped_schedules()
    login(api, people["officer"])
    as_json = api.get("/api/schedules/2025")
    assert as_json.status_code == 200 and as_json["Content-Type"].startswith("application/json")
    as_yaml = api.get("/api/schedules/2025", HTTP_ACCEPT="application/yaml")
    assert as_yaml.status_code == 200 and as_yaml["Content-Type"].startswith("application/yaml")
    assert json.loads(json.dumps(yaml.safe_load(as_yaml.content), default=str)) == as_json.json()
    assert api.post("/api/schedules/2025", as_json.json(), format="json").status_code == 403
    login(api, people["boss"])
    imported = api.post("/api/schedules/2025", as_yaml.content, content_type="application/yaml")
    assert imported.status_code == 200, imported.content
    assert imported.json() == as_json.json(), (imported.json(), as_json.json())
    imported = api.post("/api/schedules/2025", as_json.json(), format="json")
    assert imported.status_code == 200, imported.content


def test_letters_of_a_case_and_their_pdf(api, people, django_capture_on_commit_callbacks):
    officer = people["officer"]
    with django_capture_on_commit_callbacks(execute=True):
        case = requested_case(officer=officer, deadline="2026-02-27")
        requested_case(officer=officer, deadline="2026-02-27", recipient=f.municipality("111007", "さいたま市", "11"))
    login(api, officer)
    # each request (to the prefecture's division head, naming the municipality: 経由)
    assert len(assert_page(api.get("/api/letters"))) == 2
    [letter] = [item for item in assert_page(api.get("/api/letters", {"case": case.pk})) if item["kind"] == "request"]
    assert letter["case"] == case.pk
    pdf = api.get(f"/api/letters/{letter['id']}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert_error(api.get("/api/letters", {"case": "abc"}), 422, "invalid_input")
    assert Letter.objects.count() == 2


# ---------------------------------------------------------------- payments


@pytest.fixture
def paid(people):
    pf.shipped_plans()
    officer, boss = people["officer"], people["boss"]
    kawagoe = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    urawa = pf.notified(officer=officer, boss=boss, year=2023, amount=4_000_000, on=date(2023, 10, 19),
                        recipient=f.municipality("111007", "さいたま市", "11"))
    run = pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    return {"kawagoe": kawagoe, "urawa": urawa, "run": run}


def test_payment_runs_by_fiscal_year_each_with_its_date(api, people, paid):
    login(api, people["officer"])
    [run] = assert_page(api.get("/api/payment-runs", {"fiscal_year": 2023}))
    assert run["id"] == paid["run"].pk and run["date"] == "2023-10-30"
    assert assert_page(api.get("/api/payment-runs", {"fiscal_year": 2024})) == []
    assert_error(api.get("/api/payment-runs", {"fiscal_year": "soon"}), 422, "invalid_input")


def test_payment_run_transitions(api, people, paid):
    f.fiscal_year(2024)
    login(api, people["officer"])
    drafted = api.post("/api/payment-runs", {"date": "2024-01-29"}, format="json")
    assert drafted.status_code == 201, drafted.content
    run_id = drafted.json()["id"]
    assert_error(api.post(f"/api/payment-runs/{run_id}/transitions/approve"), 403, "permission_denied")
    assert_error(api.post(f"/api/payment-runs/{run_id}/transitions/nope"), 404, "unknown_transition")
    assert_error(api.post(f"/api/payment-runs/{run_id}/transitions/execute"), 409, "transition_not_allowed")
    login(api, people["boss"])
    approved = api.post(f"/api/payment-runs/{run_id}/transitions/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"


def test_payment_items_filter_and_fields(api, people, paid):
    login(api, people["officer"])
    items = assert_page(api.get("/api/payment-items"))
    assert items
    for item in items:
        assert {"amount", "basis", "due_run", "paid_in_run"} <= set(item)
    by_case = assert_page(api.get("/api/payment-items", {"case": paid["kawagoe"].pk}))
    assert by_case and {item["case"] for item in by_case} == {paid["kawagoe"].pk}
    by_recipient = assert_page(api.get("/api/payment-items", {"recipient": "111007"}))
    assert by_recipient and {item["recipient"]["code"] for item in by_recipient} == {"111007"}
    by_run = assert_page(api.get("/api/payment-items", {"run": paid["run"].pk}))
    assert by_run and {item["paid_in_run"] for item in by_run} == {paid["run"].pk}
    assert len(by_run) < len(items)
    for param in ("case", "run"):
        assert_error(api.get("/api/payment-items", {param: "x"}), 422, "invalid_input")


def test_return_claims(api, people, paid):
    pf.revoked(paid["kawagoe"], people["boss"], today=date(2024, 3, 1), reason="補助目的外への使用", legal_basis="art_17_1")
    claim = ReturnClaim.objects.get()
    login(api, people["officer"])
    [item] = assert_page(api.get("/api/return-claims"))
    assert item["id"] == claim.pk and item["case"] == paid["kawagoe"].pk
    assert assert_page(api.get("/api/return-claims", {"recipient": "111007"})) == []
    assert_error(api.get("/api/return-claims", {"case": "x"}), 422, "invalid_input")


# ---------------------------------------------------------------- history, openapi


@pytest.mark.parametrize("fmt, media_type", [("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats"),
                                             ("jsonl", "application/")])
def test_history_export_formats(api, people, fmt, media_type):
    f.case(actor=people["officer"])
    login(api, people["auditor"])
    response = api.get("/api/history/export", {"format": fmt, "fiscal_year": 2025, "stream": CSG})
    assert response.status_code == 200 and response["Content-Type"].startswith(media_type)
    assert b"".join(response.streaming_content)


def test_history_export_filters_and_refuses_bad_values(api, people):
    officer = people["officer"]
    kept = f.case(actor=officer)
    f.case(actor=officer, procedure="change_grant")
    login(api, people["auditor"])
    lines = b"".join(api.get("/api/history/export", {"format": "jsonl", "case": kept.pk}).streaming_content)
    records = lines.splitlines()[:-1]  # the last line is the signed checkpoint
    assert records and all(b'"target"' in line for line in records)
    assert str(kept.pk).encode() in lines
    for param, value in [("format", "pdf"), ("fiscal_year", "x"), ("stream", "nope"), ("date_from", "soon")]:
        assert_error(api.get("/api/history/export", {param: value}), 422, "invalid_input")


def test_history_verify_and_openapi(api, people):
    f.case(actor=people["officer"])
    login(api, people["auditor"])
    verified = api.get("/api/history/verify")
    assert verified.status_code == 200 and verified.json()["ok"] is True
    schema = api.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ["/api/auth/token", "/api/cases", "/api/cases/{case_id}", "/api/cases/{case_id}/transitions/{name}",
                 "/api/budget-notices", "/api/recipients", "/api/calendar", "/api/calendar.ics",
                 "/api/schedules/{fiscal_year}", "/api/letters", "/api/letters/{letter_id}.pdf", "/api/payment-runs",
                 "/api/payment-runs/{run_id}/transitions/{name}", "/api/payment-items", "/api/return-claims",
                 "/api/history/export", "/api/history/verify"]:
        assert path in paths, path
