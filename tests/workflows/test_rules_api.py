"""Each rule of docs/domain.md refuses what it must, over HTTP, with the right status and error code."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests import factories as f
from tests.factories import Stream
from tests.http import assert_error
from web.errors import InvalidInput
from workflows.errors import FourEyesViolation
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT


def login(api, user):
    response = api.post("/api/auth/token", {"username": user.username, "password": "pw-for-tests-123"}, format="json")
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return api


def act(api, case_id, name, version, **fields):
    return api.post(f"/api/cases/{case_id}/transitions/{name}", {"version": version, **fields}, format="json")


def advance(case, officer, until):
    path = [("request", {}), ("submit", {"amount": 1_000_000}), ("start_review", {}), ("draft", {"amount": 1_000_000})]
    for name, data in path[: path.index(next(p for p in path if p[0] == until)) + 1]:
        case = case_transition(case_id=case.pk, name=name, actor=officer, data=data, expected_version=case.version)
    return case


@pytest.fixture
def people():
    return {"officer": f.officer(), "boss": f.supervisor(), "auditor": f.auditor()}


def test_api_needs_a_token(api):
    assert_error(api.get("/api/cases"), 401, "not_authenticated")
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_error(api.get("/api/cases"), 401, "authentication_failed")


def test_wrong_password_gives_401(api, people):
    response = api.post("/api/auth/token", {"username": people["officer"].username, "password": "nope"}, format="json")
    assert_error(response, 401, "invalid_credentials")


def test_case_detail_shows_version_and_the_callers_transitions(api, people):
    case = advance(f.case(actor=people["officer"]), people["officer"], "draft")
    f.budget_notice(2025, CSG, by=people["boss"])
    officer_view = login(api, people["officer"]).get(f"/api/cases/{case.pk}").json()
    assert officer_view["version"] == 5 and officer_view["state"] == "drafted"
    assert [t["name"] for t in officer_view["available_transitions"]] == ["withdraw"]
    boss_view = login(api, people["boss"]).get(f"/api/cases/{case.pk}").json()
    assert [t["name"] for t in boss_view["available_transitions"]] == ["send_back", "approve"]
    assert boss_view["recipient"] == {"code": "112011", "name": "川越市", "prefecture": "11"}
    assert [h["action"] for h in boss_view["history"]] == ["create", "request", "submit", "start_review", "draft"]
    assert boss_view["amounts"]["requested"] == 1_000_000


def test_approval_needs_a_budget_notice_covering_the_amount(api, people):
    case = advance(f.case(actor=people["officer"]), people["officer"], "draft")
    login(api, people["boss"])
    error = assert_error(act(api, case.pk, "approve", case.version), 409, "budget_ceiling_exceeded")
    assert error["details"]["condition"] == "budget_notice_covers" and error["details"]["shortfall"] == 1_000_000
    f.budget_notice(2025, CSG, amount=999_999, by=people["boss"])
    assert_error(act(api, case.pk, "approve", case.version), 409, "budget_ceiling_exceeded")
    f.budget_notice(2025, CSG, amount=1, by=people["boss"])
    assert act(api, case.pk, "approve", case.version).json()["state"] == "approved"


def test_the_drafter_cannot_approve_even_as_a_supervisor(api, people):
    both = f.officer()
    both.groups.add(*f.supervisor().groups.all())
    f.budget_notice(2025, CSG, by=people["boss"])
    case = advance(f.case(actor=both), both, "draft")
    error = assert_error(act(login(api, both), case.pk, "approve", case.version), 403, "four_eyes")
    with translation.override("ja"):  # the API speaks the request's language; Japanese by default
        assert error["message"] == str(FourEyesViolation.default_message)
    assert act(login(api, people["boss"]), case.pk, "approve", case.version).status_code == 200


def test_an_acts_reply_lists_the_steps_a_fresh_read_lists(api, people):
    """The reply to an act offers what the case allows after it: a drafter who also supervises is not offered
    the approval of their own draft, nor one no budget notice covers (read afresh, not from before the act)."""
    both = f.officer()
    both.groups.add(*f.supervisor().groups.all())
    case = advance(f.case(actor=both), both, "start_review")
    client = login(api, both)
    reply = act(client, case.pk, "draft", case.version, amount=1_000_000).json()
    fresh = client.get(f"/api/cases/{case.pk}").json()
    offered = [(t["name"], t.get("blocked_by")) for t in reply["available_transitions"]]
    assert offered == [(t["name"], t.get("blocked_by")) for t in fresh["available_transitions"]]
    assert "approve" not in [name for name, blocked in offered if blocked is None]


def test_an_officer_cannot_approve(api, people):
    f.budget_notice(2025, CSG, by=people["boss"])
    case = advance(f.case(actor=people["officer"]), people["officer"], "draft")
    assert_error(act(login(api, people["officer"]), case.pk, "approve", case.version), 403, "permission_denied")


def test_auditors_never_act(api, people):
    case = f.case(actor=people["officer"])
    assert_error(act(login(api, people["auditor"]), case.pk, "request", 1), 403, "permission_denied")
    response = api.post("/api/cases", {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant", "recipient": "11"}, format="json")
    assert_error(response, 403, "permission_denied")


def test_officer_outside_scope_is_refused(api, people):
    narrow = f.officer(streams=[CSG], prefectures=["12"])
    case = f.case(actor=people["officer"])  # a Saitama (11) municipality
    login(api, narrow)
    assert_error(api.get(f"/api/cases/{case.pk}"), 403, "out_of_scope")
    assert_error(act(api, case.pk, "request", 1), 403, "out_of_scope")
    assert api.get("/api/cases").json()["count"] == 0
    response = api.post("/api/cases", {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant", "recipient": "112011"}, format="json")
    assert_error(response, 403, "out_of_scope")


def test_determination_below_request_needs_a_reason(api, people):
    case = advance(f.case(actor=people["officer"]), people["officer"], "start_review")
    login(api, people["officer"])
    error = assert_error(act(api, case.pk, "draft", case.version, amount=900_000), 422, "invalid_input")
    assert "reason" in error["details"]
    assert act(api, case.pk, "draft", case.version, amount=900_000, reason="補助対象外経費").json()["state"] == "drafted"


def test_a_reason_with_a_nul_character_gets_422_and_leaves_no_trace(api, people):
    case = advance(f.case(actor=people["officer"]), people["officer"], "start_review")
    before = case.history.count()
    login(api, people["officer"])
    error = assert_error(act(api, case.pk, "draft", case.version, amount=900_000, reason="対象外\x00経費"), 422, "invalid_input")
    assert "reason" in error["details"]
    case.refresh_from_db()
    assert case.state == "under_review" and case.history.count() == before


def test_a_reason_with_an_unpaired_surrogate_is_a_400_not_a_500(api, people):
    case = advance(f.case(actor=people["officer"]), people["officer"], "start_review")
    login(api, people["officer"])
    body = '{"version": %d, "amount": 900000, "reason": "\\ud800"}' % case.version
    response = api.post(f"/api/cases/{case.pk}/transitions/draft", body, content_type="application/json")
    assert_error(response, 400, "malformed_request")
    case.refresh_from_db()
    assert case.state == "under_review"


def test_change_must_differ_and_carry_a_reason(api, people):
    officer, boss = people["officer"], people["boss"]
    f.budget_notice(2025, CSG, by=boss)
    initial = advance(f.case(actor=officer), officer, "draft")
    initial = case_transition(case_id=initial.pk, name="approve", actor=boss, data={}, expected_version=initial.version)
    case_transition(case_id=initial.pk, name="notify", actor=officer, data={}, expected_version=initial.version)
    change = f.case(actor=officer, procedure="change_grant")
    for name, data in [("request", {}), ("submit", {"amount": 1_000_000}), ("start_review", {})]:
        change = case_transition(case_id=change.pk, name=name, actor=officer, data=data, expected_version=change.version)
    login(api, officer)
    assert "amount" in assert_error(act(api, change.pk, "draft", change.version, amount=1_000_000, reason="x"), 422, "invalid_input")["details"]
    assert "reason" in assert_error(act(api, change.pk, "draft", change.version, amount=1_100_000), 422, "invalid_input")["details"]
    assert act(api, change.pk, "draft", change.version, amount=1_100_000, reason="事業費増").status_code == 200


def test_change_without_a_notified_grant_is_a_condition_unmet(api, people):
    change = f.case(actor=people["officer"], procedure="change_grant")
    for name, data in [("request", {}), ("submit", {"amount": 1_000_000}), ("start_review", {})]:
        change = case_transition(case_id=change.pk, name=name, actor=people["officer"], data=data, expected_version=change.version)
    error = assert_error(act(login(api, people["officer"]), change.pk, "draft", change.version, amount=5, reason="x"), 409, "condition_unmet")
    assert error["details"]["condition"] == "baseline_known"


def settlement_under_review(officer, boss, *, reported: int):
    """A FY2024 grant of 1,000,000 notified, and its settlement under review on a report of ``reported`` yen."""
    f.budget_notice(2024, CSG, by=boss)
    grant = advance(f.case(actor=officer, year=2024), officer, "draft")
    grant = case_transition(case_id=grant.pk, name="approve", actor=boss, data={}, expected_version=grant.version)
    case_transition(case_id=grant.pk, name="notify", actor=officer, data={}, expected_version=grant.version)
    settlement = f.case(actor=officer, procedure="prior_year_settlement")
    assert settlement.settles_fiscal_year == 2024
    for name, data in [("request", {}), ("submit", {"amount": reported}), ("start_review", {})]:
        settlement = case_transition(case_id=settlement.pk, name=name, actor=officer, data=data, expected_version=settlement.version)
    return settlement


def test_settlement_cannot_exceed_the_determined_amount(api, people):
    officer, boss = people["officer"], people["boss"]
    settlement = settlement_under_review(officer, boss, reported=1_200_000)
    login(api, officer)
    assert_error(act(api, settlement.pk, "draft", settlement.version, amount=1_000_001), 422, "invalid_input")
    # the determined amount caps what was reported (1,200,000): no reason needed to settle at the cap
    assert act(api, settlement.pk, "draft", settlement.version, amount=1_000_000).status_code == 200


def test_a_settlement_is_no_more_than_reported_and_says_why_it_is_less(api, people):
    """額の確定 settles what the recipient reported it spent, within what was determined: above the report is
    refused; below both the report and the determination (expenses not allowed) needs a reason."""
    officer, boss = people["officer"], people["boss"]
    settlement = settlement_under_review(officer, boss, reported=900_000)
    login(api, officer)
    error = assert_error(act(api, settlement.pk, "draft", settlement.version, amount=900_001), 422, "invalid_input")
    assert list(error["details"]) == ["amount"]
    error = assert_error(act(api, settlement.pk, "draft", settlement.version, amount=850_000), 422, "invalid_input")
    assert list(error["details"]) == ["reason"]
    assert act(api, settlement.pk, "draft", settlement.version, amount=900_000).status_code == 200


def test_stale_version_is_a_conflict_and_changes_nothing(api, people):
    case = f.case(actor=people["officer"])
    login(api, people["officer"])
    assert act(api, case.pk, "request", 1).status_code == 200
    error = assert_error(act(api, case.pk, "request", 1), 409, "stale_version")
    assert error["details"]["current_version"] == 2
    assert case.history.count() == 2


def test_transition_not_allowed_from_the_current_state(api, people):
    case = f.case(actor=people["officer"])
    login(api, people["officer"])
    assert_error(act(api, case.pk, "notify", 1), 409, "transition_not_allowed")
    assert_error(act(api, case.pk, "fly_away", 1), 404, "unknown_transition")
    assert_error(api.get("/api/cases/999999"), 404, "case_not_found")


@pytest.mark.parametrize("amount", [-1, "abc", 10**16, "", None, True, 1.5, "²", "--5"])
def test_bad_amounts_get_422_and_leave_no_trace(api, people, amount):
    case = advance(f.case(actor=people["officer"]), people["officer"], "request")
    before = case.history.count()
    login(api, people["officer"])
    error = assert_error(act(api, case.pk, "submit", case.version, amount=amount), 422, "invalid_input")
    assert "amount" in error["details"]
    case.refresh_from_db()
    assert case.state == "requested" and case.history.count() == before


def test_unknown_fields_and_missing_version_are_refused(api, people):
    case = f.case(actor=people["officer"])
    login(api, people["officer"])
    assert_error(act(api, case.pk, "request", 1, colour="red"), 422, "invalid_input")
    assert_error(api.post(f"/api/cases/{case.pk}/transitions/request", {}, format="json"), 422, "invalid_input")
    response = api.post(f"/api/cases/{case.pk}/transitions/request", "not json", content_type="application/json")
    assert_error(response, 400, "malformed_request")


def test_case_creation_over_the_api(api, people):
    f.municipality()
    login(api, people["officer"])
    f.fiscal_year(2025)
    body = {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant", "recipient": "112011"}
    created = api.post("/api/cases", body, format="json")
    assert created.status_code == 201 and created.json()["state"] == "planned"
    assert_error(api.post("/api/cases", body, format="json"), 409, "duplicate_case")
    assert_error(api.post("/api/cases", body | {"procedure": "results_report"}, format="json"), 422, "invalid_input")
    assert_error(api.post("/api/cases", body | {"fiscal_year": 2031}, format="json"), 422, "invalid_input")
    assert_error(api.post("/api/cases", body | {"stream": "special_adjustment_grant"}, format="json"), 422, "invalid_input")


def test_case_list_filters_and_paginates(api, people):
    officer = people["officer"]
    for code in (f.municipality_code(301), f.municipality_code(302), f.municipality_code(301, "12")):
        f.case(actor=officer, recipient=f.municipality(code=code, name=code, prefecture_code=code[:2]))
    login(api, officer)
    assert api.get("/api/cases").json()["count"] == 3
    assert api.get("/api/cases?prefecture=12").json()["count"] == 1
    assert api.get("/api/cases?state=planned&fiscal_year=2025").json()["count"] == 3
    assert_error(api.get("/api/cases?state=bogus"), 422, "invalid_input")
    assert_error(api.get("/api/cases?page=x"), 422, "invalid_input")


def test_budget_notices_are_recorded_by_supervisors_only(api, people):
    f.fiscal_year(2025)
    body = {"fiscal_year": 2025, "stream": CSG, "amount": 5_000_000, "received_on": "2025-06-01", "reference": "老発0601第1号"}
    assert_error(login(api, people["officer"]).post("/api/budget-notices", body, format="json"), 403, "permission_denied")
    assert login(api, people["boss"]).post("/api/budget-notices", body, format="json").status_code == 201
    assert_error(api.post("/api/budget-notices", body | {"amount": 0}, format="json"), 422, "invalid_input")
    assert_error(api.post("/api/budget-notices", body | {"stream": "special_adjustment_grant"}, format="json"), 422, "invalid_input")


def test_recipients_list_by_kind_and_prefecture(api, people):
    f.municipality(), f.union("12")
    login(api, people["officer"])
    items = api.get("/api/recipients?kind=wide_area_union").json()["items"]
    assert [r["code"] for r in items] == ["12-wau"]
    assert {r["code"] for r in api.get("/api/recipients?prefecture=11").json()["items"]} == {"11", "112011"}


def test_openapi_document_is_served(api, people):
    schema = login(api, people["officer"]).get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/cases/{case_id}/transitions/{name}" in paths and "/api/auth/token" in paths


@pytest.mark.parametrize("deadline", ["9999-12-31", "0001-01-01", "2025-02-30", "tomorrow"])
def test_far_off_or_invalid_dates_get_422(api, people, deadline):
    case = f.case(actor=people["officer"])
    error = assert_error(act(login(api, people["officer"]), case.pk, "request", 1, deadline=deadline), 422, "invalid_input")
    assert "deadline" in error["details"]


@pytest.mark.parametrize(
    "procedure, settles, status",
    [
        ("initial_grant", 2024, 422),  # only settlements settle an earlier year
        ("prior_year_settlement", 2023, 422),  # "prior year" is the year before
        ("prior_year_settlement", 2026, 422),  # never a later year
        ("past_year_resettlement", 2024, 422),  # re-settlement reaches two years back or more
        ("past_year_resettlement", 2021, 201),
        ("prior_year_settlement", None, 201),
    ],
)
def test_the_settled_year_must_fit_the_procedure(api, people, procedure, settles, status):
    f.municipality(), f.fiscal_year(2025)
    body = {"fiscal_year": 2025, "stream": CSG, "procedure": procedure, "recipient": "112011"}
    if settles is not None:
        body["settles_fiscal_year"] = settles
    response = login(api, people["officer"]).post("/api/cases", body, format="json")
    assert response.status_code == status, response.content
    if status == 422:
        assert "settles_fiscal_year" in response.json()["error"]["details"]
    elif settles is None:
        assert response.json()["settles_fiscal_year"] == 2024


@pytest.mark.parametrize("page", ["0", "-1", "x", "99999999999999999999"])
def test_bad_page_numbers_are_422(api, people, page):
    assert_error(login(api, people["officer"]).get(f"/api/cases?page={page}"), 422, "invalid_input")


def test_a_page_past_the_end_is_empty(api, people):
    f.case(actor=people["officer"])
    body = login(api, people["officer"]).get("/api/cases?page=5").json()
    assert body["items"] == [] and body["count"] == 1


def test_overdue_means_papers_still_owed_after_the_deadline(api, people):
    officer = people["officer"]
    owed = advance(f.case(actor=officer), officer, "request")
    in_review = f.case(actor=officer, recipient=f.municipality(code=f.municipality_code(302), name="b"))
    for name, data in [("request", {"deadline": "2025-08-29", "occurred_on": "2025-08-01"}), ("submit", {"amount": 5})]:
        in_review = case_transition(case_id=in_review.pk, name=name, actor=officer, data=data, expected_version=in_review.version)
    case_transition(case_id=owed.pk, name="withdraw", actor=officer, data={"reason": "x"}, expected_version=owed.version)
    late = f.case(actor=officer, recipient=f.municipality(code=f.municipality_code(303), name="c"))
    case_transition(case_id=late.pk, name="request", actor=officer, data={"deadline": "2025-08-29", "occurred_on": "2025-08-01"},
                    expected_version=1)
    items = login(api, officer).get("/api/cases?overdue=true").json()["items"]
    assert [item["id"] for item in items] == [late.pk]


@pytest.mark.parametrize("stream", [CSG, Stream.SPECIAL_ADJUSTMENT_GRANT])
def test_a_document_number_too_long_to_store_gets_422_and_leaves_no_trace(api, people, stream):
    officer = people["officer"]
    f.budget_notice(2025, CSG, by=people["boss"])
    case = f.case(actor=officer, stream=stream)
    for name, data in [("request", {}), ("submit", {"amount": 1_000_000}), ("start_review", {})]:
        case = case_transition(case_id=case.pk, name=name, actor=officer, data=data, expected_version=case.version)
    if stream == CSG:
        case = case_transition(case_id=case.pk, name="draft", actor=officer, data={"amount": 1_000_000}, expected_version=case.version)
        case = case_transition(case_id=case.pk, name="approve", actor=people["boss"], data={}, expected_version=case.version)
        name, fields = "notify", {}
    else:
        case = case_transition(case_id=case.pk, name="forward", actor=officer, data={}, expected_version=case.version)
        name, fields = "record_ministry_decision", {"amount": 900_000, "date": case.forwarded_on.isoformat()}
    before = case.history.count()
    with pytest.raises(InvalidInput):  # typed for every caller (the web form shows InvalidInput only), not a model error
        case_transition(case_id=case.pk, name=name, actor=officer, data={"document_number": "老" * 61, **fields},
                        expected_version=case.version)
    login(api, officer)
    error = assert_error(act(api, case.pk, name, case.version, document_number="老" * 61, **fields), 422, "invalid_input")
    assert "document_number" in error["details"]
    case.refresh_from_db()
    assert case.history.count() == before and case.determinations.filter(notified_on__isnull=False).count() == 0
    done = act(api, case.pk, name, case.version, document_number="老" * 60, **fields).json()
    assert done["state"] == ("notified" if stream == CSG else "ministry_decision_recorded")


def test_a_notice_is_not_dated_before_its_approval(api, people):
    """Dates run forward: a notice follows its approval, so it is not dated before it, even where the papers it
    decides on came in earlier (acts entered later, each on the day it took place)."""
    officer, boss = people["officer"], people["boss"]
    f.budget_notice(2025, CSG, by=boss)
    today = timezone.localdate()
    days_ago = {"request": 20, "submit": 15, "start_review": 12, "draft": 10}
    case = f.case(actor=officer)
    for name, data in [("request", {"deadline": str(today + timedelta(days=30))}), ("submit", {"amount": 1_000_000}),
                       ("start_review", {}), ("draft", {"amount": 1_000_000})]:
        data["occurred_on"] = str(today - timedelta(days=days_ago[name]))
        case = case_transition(case_id=case.pk, name=name, actor=officer, data=data, expected_version=case.version)
    case = case_transition(case_id=case.pk, name="approve", actor=boss, data={"occurred_on": str(today - timedelta(days=3))},
                           expected_version=case.version)
    login(api, officer)
    error = assert_error(act(api, case.pk, "notify", case.version, date=str(today - timedelta(days=5))), 422, "invalid_input")
    assert list(error["details"]) == ["date"]
    case.refresh_from_db()
    assert case.state == "approved" and case.determinations.get().notified_on is None
    assert act(api, case.pk, "notify", case.version, date=str(today - timedelta(days=3))).status_code == 200


def notice_ready(officer, boss, recipient=None):
    """A case approved today, its notice next."""
    case = advance(f.case(actor=officer, recipient=recipient), officer, "draft")
    return case_transition(case_id=case.pk, name="approve", actor=boss, data={}, expected_version=case.version)


def test_a_number_given_to_a_notice_is_no_other_letters(api, people):
    """The register has each number once: a notice the officer numbers by hand with another letter's number is
    refused, naming the number, and nothing is written."""
    officer, boss = people["officer"], people["boss"]
    f.budget_notice(2025, CSG, by=boss)
    first = notice_ready(officer, boss)
    first = case_transition(case_id=first.pk, name="notify", actor=officer, data={}, expected_version=first.version)
    taken = first.determinations.get().document_number
    second = notice_ready(officer, boss, recipient=f.municipality(code=f.municipality_code(2), name="川口市"))
    login(api, officer)
    error = assert_error(act(api, second.pk, "notify", second.version, document_number=taken), 422, "invalid_input")
    assert list(error["details"]) == ["document_number"] and taken in error["details"]["document_number"][0]
    second.refresh_from_db()
    assert second.state == "approved" and not second.letters.filter(kind="decision_notice").exists()


def test_a_number_given_in_the_bureaus_form_is_the_notices_day_and_is_not_issued_again(api, people):
    """関厚発MMDD第n号 names its day: given for another day it is refused; given for the notice's day it moves the
    day's count past it, so the next number issued that day follows it instead of giving it again."""
    officer, boss = people["officer"], people["boss"]
    f.budget_notice(2025, CSG, by=boss)
    today = timezone.localdate()
    case = notice_ready(officer, boss)
    login(api, officer)
    other_day = today - timedelta(days=1)
    wrong = f"関厚発{other_day:%m%d}第1号"
    error = assert_error(act(api, case.pk, "notify", case.version, document_number=wrong), 422, "invalid_input")
    assert list(error["details"]) == ["document_number"]
    ahead = f"関厚発{today:%m%d}第40号"
    assert act(api, case.pk, "notify", case.version, document_number=ahead).status_code == 200
    assert case.determinations.get().document_number == ahead
    following = notice_ready(officer, boss, recipient=f.municipality(code=f.municipality_code(2), name="川口市"))
    following = case_transition(case_id=following.pk, name="notify", actor=officer, data={}, expected_version=following.version)
    assert following.determinations.get().document_number == f"関厚発{today:%m%d}第41号"


def test_a_number_typed_in_full_width_or_out_of_reach_is_kept_in_the_registers_form_or_refused(api, people):
    """A number typed with a Japanese input method (full-width digits) is kept half-width, so it is checked against
    the numbers it would repeat; a serial beyond a day's reach is refused rather than stopping the day's count."""
    officer, boss = people["officer"], people["boss"]
    f.budget_notice(2025, CSG, by=boss)
    today = timezone.localdate()
    first = notice_ready(officer, boss)
    first = case_transition(case_id=first.pk, name="notify", actor=officer, data={}, expected_version=first.version)
    taken = first.determinations.get().document_number
    full_width = taken.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    second = notice_ready(officer, boss, recipient=f.municipality(code=f.municipality_code(2), name="川口市"))
    login(api, officer)
    error = assert_error(act(api, second.pk, "notify", second.version, document_number=full_width), 422, "invalid_input")
    assert list(error["details"]) == ["document_number"]
    too_far = f"関厚発{today:%m%d}第2147483647号"
    error = assert_error(act(api, second.pk, "notify", second.version, document_number=too_far), 422, "invalid_input")
    assert list(error["details"]) == ["document_number"]
    typed = f"関厚発{today:%m%d}第１２号"
    assert act(api, second.pk, "notify", second.version, document_number=typed).status_code == 200
    assert second.determinations.get().document_number == f"関厚発{today:%m%d}第12号"


def test_an_inquiry_about_an_approved_case_does_not_move_its_previous_act(api, people):
    """A notice entered later is dated on or after its approval: an inquiry recorded about the case since is
    a record of its own subject, not an act of the case."""
    from inquiries.services import inquiry_record

    officer, boss = people["officer"], people["boss"]
    f.budget_notice(2025, CSG, by=boss)
    today = timezone.localdate()
    case = f.case(actor=officer)
    for name, data in [("request", {"deadline": str(today + timedelta(days=30))}), ("submit", {"amount": 1_000_000}),
                       ("start_review", {}), ("draft", {"amount": 1_000_000})]:
        data["occurred_on"] = str(today - timedelta(days=10))
        case = case_transition(case_id=case.pk, name=name, actor=officer, data=data, expected_version=case.version)
    case = case_transition(case_id=case.pk, name="approve", actor=boss, data={"occurred_on": str(today - timedelta(days=5))},
                           expected_version=case.version)
    inquiry_record(actor=officer, received_on=today, asker=case.recipient.code, question="交付時期について", case_id=case.pk)
    login(api, officer)
    assert act(api, case.pk, "notify", case.version, date=str(today - timedelta(days=5))).status_code == 200
