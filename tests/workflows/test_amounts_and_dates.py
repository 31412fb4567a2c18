"""Amounts and dates (docs/domain.md rules 3 and 4): each refusal's status and code, a form error, nothing written."""

from datetime import date

import pytest

from tests.factories import Stream
from grants.models import Case, HistoryEntry
from tests import factories as f
from tests.http import assert_error
from tests.workflows.test_rules_api import act, login
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG, SAG = Stream.COMMUNITY_SUPPORT_GRANT, Stream.SPECIAL_ADJUSTMENT_GRANT
TODAY = date(2025, 12, 6)


@pytest.fixture
def people(today):
    today(TODAY)
    return {"officer": f.officer(), "boss": f.supervisor()}


def step(case, name, actor, **data):
    return case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)


def written(case):
    return (HistoryEntry.objects.count(), Case.objects.get(pk=case.pk).version)


def refused(api, case, name, field, **data):
    before = written(case)
    error = assert_error(act(api, case.pk, name, case.version, **data), 422, "invalid_input")
    assert field in error["details"], error
    assert written(case) == before
    return error


def presented(officer, amount):
    f.pre_consultation(2025, CSG, "initial_grant")
    case = f.case(actor=officer)
    case = step(case, "request_consultation", officer, occurred_on="2025-10-15")
    return step(case, "submit_consultation", officer, amount=amount, date="2025-11-01")


def test_a_presented_amount_is_positive(api, people):
    case = presented(people["officer"], 1_000_000)
    refused(login(api, people["officer"]), case, "present_amount", "amount", amount=0)


def test_an_informal_notice_is_dated_neither_in_the_future_nor_before_the_case_s_previous_act(api, people):
    """Its day, which its letter takes, runs forward like every act's: here the papers it follows came in on
    1 November (entered later, dated that day)."""
    officer = people["officer"]
    f.pre_consultation(2025, CSG, "initial_grant")
    case = step(f.case(actor=officer), "request_consultation", officer, occurred_on="2025-10-15")
    case = step(case, "submit_consultation", officer, amount=1_000_000, date="2025-11-01", occurred_on="2025-11-01")
    officer_api = login(api, officer)
    refused(officer_api, case, "present_amount", "date", amount=800_000, date="2025-12-07")
    error = refused(officer_api, case, "present_amount", "date", amount=800_000, date="2025-10-31")
    assert "令和7年11月1日" in error["details"]["date"][0]
    case = step(case, "present_amount", officer, amount=800_000, date="2025-11-20")
    assert case.letters.get(kind="presentation").issued_on == date(2025, 11, 20)


def test_a_draft_above_the_presented_amount_needs_a_reason_shown_to_the_approver(api, people, client):
    officer = people["officer"]
    case = step(presented(officer, 1_000_000), "present_amount", officer, amount=800_000)
    for name, data in [("request", {"deadline": "2025-12-20"}), ("submit", {"amount": 1_000_000, "date": "2025-12-06"}),
                       ("start_review", {})]:
        case = step(case, name, officer, **data)
    # 1,000,000 is what was requested, so only the presented 800,000 asks for the reason.
    error = refused(login(api, officer), case, "draft", "reason", amount=1_000_000)
    assert "内示額" in error["details"]["reason"][0]
    client.force_login(officer)
    form = client.post(f"/cases/{case.pk}/steps/draft/", {"version": case.version, "amount": "1000000"})
    assert form.status_code == 422 and "内示額" in form.content.decode()
    case = step(case, "draft", officer, amount=1_000_000, reason="追加協議により増額")
    assert case.determinations.get().reason == "追加協議により増額"
    f.budget_notice(2025, CSG, by=people["boss"])
    client.force_login(people["boss"])
    assert "追加協議により増額" in client.get("/approvals/").content.decode()


def test_acts_are_not_dated_in_the_future_nor_before_the_act_they_follow(api, people):
    officer = people["officer"]
    officer_api = login(api, officer)
    case = step(f.case(actor=officer, stream=SAG), "request", officer, deadline="2025-12-20", occurred_on="2025-11-28")
    refused(officer_api, case, "submit", "date", amount=5_000_000, date="2025-12-07")
    refused(officer_api, case, "submit", "date", amount=5_000_000, date="2025-11-27")  # before the request
    case = step(step(case, "submit", officer, amount=5_000_000, date="2025-12-01"), "start_review", officer)
    refused(officer_api, case, "forward", "date", date="2025-11-30")
    case = step(case, "forward", officer, date="2025-12-02")
    refused(officer_api, case, "record_ministry_decision", "date",
            amount=5_000_000, document_number="保高発1201第4号", date="2025-12-01")


def test_papers_are_not_received_before_the_request_that_asked_for_them_in_the_api_or_the_form(api, people, client):
    """Dates run forward: the day papers were received (書類受理日) is not before the case's previous act, here
    the request made on 1 December; a refusal names the request's day and writes nothing."""
    officer = people["officer"]
    survey = f.case(actor=officer, stream=Stream.MEDICAL_CARE_FUND, part="facilities", procedure="demand_survey")
    survey = step(survey, "request", officer, deadline="2025-12-25", occurred_on="2025-12-01")
    figures = {"expected_next_year": 1, "expected_second_year": 2, "expected_third_year": 3}
    error = refused(login(api, officer), survey, "submit_expected_amounts", "date", date="2025-11-27", **figures)
    assert "令和7年12月1日" in error["details"]["date"][0]
    client.force_login(officer)
    before = written(survey)
    form = client.post(f"/cases/{survey.pk}/steps/submit_expected_amounts/",
                       {"version": survey.version, "date": "2025-11-27", **figures}, HTTP_ACCEPT_LANGUAGE="ja")
    assert form.status_code == 422 and "案件の直前の行為（令和7年12月1日）より前の日付は入力できません。" in form.content.decode()
    assert written(survey) == before
    survey = step(survey, "submit_expected_amounts", officer, date="2025-12-01", **figures)  # the request's own day
    assert survey.submitted_on == date(2025, 12, 1)


def test_a_notice_is_not_dated_before_the_papers_it_decides_on(api, people):
    officer, boss = people["officer"], people["boss"]
    f.budget_notice(2025, CSG, by=boss)
    case = step(f.case(actor=officer), "request", officer, deadline="2025-12-20", occurred_on="2025-11-28")
    for name, data in [("submit", {"amount": 1_000_000, "date": "2025-12-01"}), ("start_review", {}),
                       ("draft", {"amount": 1_000_000})]:
        case = step(case, name, officer, **data)
    case = step(case, "approve", boss)
    refused(login(api, officer), case, "notify", "date", date="2025-11-30")
    refused(api, case, "notify", "date", date="2025-12-08")


def test_a_revocation_carries_its_own_date_never_future_never_before_the_decision(api, people):
    from letters.models import Letter
    from payments.models import ReturnClaim
    from tests.payments import factories as pf

    pf.shipped_plans()
    officer, boss = people["officer"], people["boss"]
    case = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    officer_api = login(api, officer)
    body = {"reason": "目的外使用", "legal_basis": "art_17_1"}
    refused(officer_api, case, "draft_revocation", "date", date="2025-12-07", **body)
    refused(officer_api, case, "draft_revocation", "date", date="2023-10-18", **body)
    refused(officer_api, case, "draft_revocation", "legal_basis", date="2024-06-28", reason="目的外使用", legal_basis="art_99")
    assert not case.determinations.filter(kind="revocation").exists()
    done = act(officer_api, case.pk, "draft_revocation", case.version, date="2024-06-28", **body)
    assert done.status_code == 200, done.content
    case = step(Case.objects.get(pk=case.pk), "approve_revocation", boss)
    done = act(officer_api, case.pk, "revoke", case.version)
    assert done.status_code == 200, done.content
    assert ReturnClaim.objects.get().noticed_on == date(2024, 6, 28)
    assert Letter.objects.get(case=case, kind="revocation_notice").issued_on == date(2024, 6, 28)


def test_a_request_deadline_comes_after_the_request_s_own_day_in_the_api_and_the_form(api, people, client):
    """A letter asking for papers by a past day (or by its own) would be void (docs/domain.md, Today): refused with
    a 422 in the API and a form error in the page, nothing written; a past act is judged against its own day."""
    officer = people["officer"]
    case = f.case(actor=officer, stream=SAG)
    officer_api = login(api, officer)
    for day in ("2020-01-01", "2025-12-05", "2025-12-06"):
        error = refused(officer_api, case, "request", "deadline", deadline=day)
        assert "令和7年12月6日" in error["details"]["deadline"][0]  # the request's own day
    client.force_login(officer)
    before = written(case)
    form = client.post(f"/cases/{case.pk}/steps/request/", {"version": case.version, "deadline": "2020-01-01"},
                       HTTP_ACCEPT_LANGUAGE="ja")
    assert form.status_code == 422
    assert "期限は依頼の日（令和7年12月6日）より後の日付にしてください。" in form.content.decode()
    assert written(case) == before
    # Entered later, a request of 1 November may ask for papers by 20 November, but not by 31 October.
    refused(officer_api, case, "request", "deadline", deadline="2025-10-31", occurred_on="2025-11-01")
    case = step(case, "request", officer, deadline="2025-11-20", occurred_on="2025-11-01")
    assert case.deadline_effective == date(2025, 11, 20)


def test_papers_of_a_request_sent_today_are_not_received_years_before(api, people, client):
    """The walk's case: a consultation requested today, its papers entered as received on 4 January 2021."""
    officer = people["officer"]
    f.pre_consultation(2025, CSG, "initial_grant")
    case = step(f.case(actor=officer), "request_consultation", officer, deadline="2025-12-26",
                occurred_on="2025-12-06")
    client.force_login(officer)
    before = written(case)
    form = client.post(f"/cases/{case.pk}/steps/submit_consultation/",
                       {"version": case.version, "amount": "5000000", "date": "2021-01-04"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert form.status_code == 422 and "案件の直前の行為（令和7年12月6日）より前の日付は入力できません。" in form.content.decode()
    assert written(case) == before
    refused(login(api, officer), case, "submit_consultation", "date", amount=5_000_000, date="2021-01-04")


def test_a_request_made_on_the_schedules_own_deadline_day_asks_for_a_deadline(today):
    """A deadline from the schedule on the request's own day would ask for papers by the letter's date: refused, as
    a typed deadline of that day is, and the officer gives one (found by review)."""
    from tests.letters.factories import shipped_schedules
    from web.errors import InvalidInput

    shipped_schedules()
    f.define(2025, "community_support_grant", "initial_grant")
    today(date(2025, 4, 1))
    officer = f.officer()
    case = f.case(actor=officer)
    today(date(2026, 2, 27))  # FY2025's shipped schedule: papers by 2026-02-27
    with pytest.raises(InvalidInput) as refused:
        case_transition(case_id=case.pk, name="request", actor=officer, data={}, expected_version=case.version)
    assert "依頼の当日" in refused.value.details["deadline"][0]
    assert not HistoryEntry.objects.filter(case=case, action="request").exists()
    given = case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2026-03-13"},
                            expected_version=case.version)
    assert given.deadline_effective == date(2026, 3, 13)


ASKS_NOTHING = "交付を申請する額は1円以上で入力してください。"


def test_a_consultation_for_a_grant_asks_for_at_least_1_yen(api, people):
    officer = people["officer"]
    f.pre_consultation(2025, CSG, "initial_grant")
    case = step(f.case(actor=officer), "request_consultation", officer, occurred_on="2025-10-15")
    error = refused(login(api, officer), case, "submit_consultation", "amount", amount=0)
    assert error["details"]["amount"] == [ASKS_NOTHING]
    assert step(case, "submit_consultation", officer, amount=1).amount_consulted == 1


@pytest.mark.parametrize("stream", [CSG, SAG])
def test_an_application_for_a_grant_asks_for_at_least_1_yen(api, people, client, stream):
    """交付申請 for 0 yen is refused: 422 in the API, a form error on the page, nothing written; 1 yen is taken."""
    officer = people["officer"]
    f.define(2025, stream, "initial_grant")  # the application alone, no pre-consultation
    case = step(f.case(actor=officer, stream=stream), "request", officer, occurred_on="2025-10-15")
    error = refused(login(api, officer), case, "submit", "amount", amount=0)
    assert error["details"]["amount"] == [ASKS_NOTHING]
    client.force_login(officer)
    before = written(case)
    form = client.post(f"/cases/{case.pk}/steps/submit/", {"version": case.version, "amount": "０"})
    assert form.status_code == 422 and ASKS_NOTHING in form.content.decode()
    assert written(case) == before
    assert step(case, "submit", officer, amount=1).amount_requested == 1


@pytest.mark.parametrize(
    "stream, part, procedure, settles",
    [(CSG, "", "change_grant", None), (CSG, "", "prior_year_settlement", 2024), (SAG, "", "results_report", 2024),
     (Stream.MEDICAL_CARE_FUND, "facilities", "fund_balance_survey", None)],
    ids=["change", "settlement", "ministry-settlement", "balance-survey"],
)
def test_papers_for_a_change_a_settlement_or_a_survey_may_give_0_yen(people, stream, part, procedure, settles):
    """A change may ask for nothing, a report may have spent nothing, a fund may hold nothing."""
    officer = people["officer"]
    case = f.case(actor=officer, stream=stream, part=part, procedure=procedure, settles=settles)
    case = step(case, "request", officer, deadline="2025-12-20")
    assert step(case, "submit", officer, amount=0).amount_requested == 0
