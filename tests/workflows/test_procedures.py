"""Every procedure of every stream, taken through every one of its transitions."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from grants.catalogue import procedure_list
from letters.selectors.reminders import reminder_candidates
from tests import factories as f
from tests.factories import Stream
from tests.letters.factories import reminder_rules
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG, MCF, SAG = Stream.COMMUNITY_SUPPORT_GRANT, Stream.MEDICAL_CARE_FUND, Stream.SPECIAL_ADJUSTMENT_GRANT
FLOWS = {(spec.stream, spec.code): spec.flow for spec in procedure_list()}

OFFICER_REVIEW = [
    ("submit", {"amount": 1_000_000, "date": "2025-08-01"}),
    ("return_for_correction", {"reason": "添付書類不足"}),
    ("submit", {"amount": 1_000_000, "date": "2025-08-20"}),
    ("start_review", {}),
    ("return_for_correction", {"reason": "積算誤り"}),
    ("submit", {"amount": 1_000_000, "date": "2025-09-10"}),
    ("start_review", {}),
]
EXPECTED = {"expected_next_year": 30_000_000, "expected_second_year": 25_000_000, "expected_third_year": 0}
EXPECTED_REVIEW = [
    ("submit_expected_amounts", {**EXPECTED, "date": "2025-08-01"}),
    ("return_for_correction", {"reason": "人材分と施設分の取り違え"}),
    ("submit_expected_amounts", {**EXPECTED, "date": "2025-08-20"}),
    ("start_review", {}),
]
CONSULTATION = [
    ("request_consultation", {"deadline": "2025-08-29"}),
    ("submit_consultation", {"amount": 1_000_000}),
    ("present_amount", {"amount": 1_000_000}),
]


def determination(amount: int, reason: str = "") -> list:
    return [
        ("draft", {"amount": amount, "reason": reason}),
        ("send_back", {"reason": "金額の根拠を追記"}),
        ("draft", {"amount": amount, "reason": reason}),
        ("approve", {}),
        ("notify", {}),
        ("draft_revocation", {"reason": "交付の条件に違反", "legal_basis": "art_17_1"}),
        ("send_back_revocation", {"reason": "根拠条項を確認"}),
        ("withdraw_revocation", {"reason": "取消を見送る"}),  # the decision stands; a new revocation may follow
        ("draft_revocation", {"reason": "交付の条件に違反", "legal_basis": "art_17_1"}),
        ("approve_revocation", {}),
        ("revoke", {}),
    ]


MINISTRY_RECORD = ("record_ministry_decision", {"amount": 900_000, "document_number": "保高発1201第2号", "date": "2025-12-01"})
MINISTRY = [
    ("forward", {"date": "2025-10-01"}),
    MINISTRY_RECORD,
    ("send_back_ministry_decision", {"reason": "文書番号の誤り"}),
    MINISTRY_RECORD,
    ("confirm_ministry_decision", {}),
]
# The supervisor's steps; the officer takes the others.
SUPERVISOR_STEPS = {
    "approve", "send_back", "approve_revocation", "send_back_revocation", "confirm_ministry_decision",
    "send_back_ministry_decision",
}

PRE = {"pre_consultation": True, "informal_notice": "after_consultation"}
AFTER_REVIEW = {"informal_notice": "after_review"}
FORMAL = {"informal_notice": "after_review", "formal_application": True}
SECOND_ROUND = {**PRE, "second_consultation": True}
PRESENT = [("present_amount", {"amount": 1_000_000})]
PAYMENT = [("record_ministry_payment", {"amount": 900_000, "date": "2025-12-10"})]
FORMAL_APPLICATION = [
    ("present_amount", {"amount": 950_000}), ("request", {}), ("submit", {"amount": 950_000, "date": "2025-09-20"}),
    ("start_review", {}),
]
CONSULTATION_RETURNED = [
    ("request_consultation", {"deadline": "2025-06-30"}),
    ("submit_consultation", {"amount": 1_000_000}),
    ("return_consultation", {"reason": "協議書の積算誤り"}),
    ("submit_consultation", {"amount": 1_000_000}),
    ("present_amount", {"amount": 1_000_000}),
]

# (stream, part, procedure, the year's definition (None: the procedure's defaults), needs a notified grant for FY, steps)
SCENARIOS = [
    (CSG, "", "initial_grant", PRE, None, CONSULTATION_RETURNED + [("request", {})] + OFFICER_REVIEW + determination(900_000, "対象外経費")),
    (CSG, "", "initial_grant", None, None, [("request", {"deadline": "2025-08-29"})] + OFFICER_REVIEW + determination(1_000_000)),
    (CSG, "", "initial_grant", AFTER_REVIEW, None, [("request", {})] + OFFICER_REVIEW + PRESENT + determination(1_000_000)),
    (CSG, "", "change_grant", PRE, 2025, CONSULTATION_RETURNED + [("request", {})] + OFFICER_REVIEW + determination(1_200_000, "事業費増")),
    (CSG, "", "change_grant", {"pre_consultation": True, "informal_notice": "after_review"}, 2025,
     CONSULTATION[:2] + [("request", {})] + OFFICER_REVIEW + [("present_amount", {"amount": 1_200_000})] + determination(1_200_000, "事業費増")),
    (CSG, "", "adjustment_grant", AFTER_REVIEW, None, [("request", {})] + OFFICER_REVIEW + PRESENT + determination(1_000_000)),
    (CSG, "", "prior_year_settlement", None, 2024, [("request", {})] + OFFICER_REVIEW + determination(800_000, "対象外経費")),
    (CSG, "", "past_year_resettlement", None, 2023, [("request", {})] + OFFICER_REVIEW + determination(700_000, "対象外経費")),
    (MCF, "facilities", "initial_grant", None, None, CONSULTATION + [("request", {})] + OFFICER_REVIEW + determination(1_000_000)),
    (MCF, "personnel", "initial_grant", SECOND_ROUND, None,
     CONSULTATION_RETURNED + CONSULTATION + [("request", {})] + OFFICER_REVIEW + determination(1_000_000)),
    (MCF, "personnel", "prior_year_settlement", None, 2024, [("request", {})] + OFFICER_REVIEW + determination(1_000_000)),
    (MCF, "personnel", "prior_year_settlement", None, 2022, [("request", {})] + OFFICER_REVIEW + determination(1_000_000)),
    (MCF, "personnel", "fund_balance_survey", None, None, [("request", {})] + OFFICER_REVIEW + [("accept", {})]),
    (MCF, "facilities", "demand_survey", None, None, [("request", {"deadline": "2025-08-29"})] + EXPECTED_REVIEW + [("accept", {})]),
    (SAG, "", "initial_grant", None, None, [("request", {})] + OFFICER_REVIEW + MINISTRY + PAYMENT),
    (SAG, "", "initial_grant", FORMAL, None, [("request", {})] + OFFICER_REVIEW + FORMAL_APPLICATION + MINISTRY + PAYMENT),
    (SAG, "", "change_grant", FORMAL, None, [("request", {})] + OFFICER_REVIEW + FORMAL_APPLICATION + MINISTRY + PAYMENT),
    (SAG, "", "results_report", None, None, [("request", {})] + OFFICER_REVIEW + MINISTRY + PAYMENT),
]


def notified_grant(*, officer, boss, year, stream, part, recipient, amount=1_000_000):
    case = f.case(actor=officer, year=year, stream=stream, part=part, recipient=recipient)
    steps = CONSULTATION if stream == MCF else []
    steps = steps + [("request", {}), ("submit", {"amount": amount}), ("start_review", {}),
                     ("draft", {"amount": amount}), ("approve", {}), ("notify", {})]
    for name, data in steps:
        actor = boss if name == "approve" else officer
        if data.get("deadline") and date.fromisoformat(data["deadline"]) <= timezone.localdate():
            # a deadline that has come was set by a request entered as of four weeks before it
            data = {**data, "occurred_on": (date.fromisoformat(data["deadline"]) - timedelta(days=28)).isoformat()}
        case = case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)
    return case


def run_scenario(stream, part, procedure, definition, grant_year, steps):
    officer, boss = f.officer(), f.supervisor()
    recipient = {SAG: f.union, MCF: f.prefecture}.get(stream, f.municipality)()
    for year in (2022, 2023, 2024, 2025):
        if stream != SAG:
            f.budget_notice(year, stream, part, by=boss)
    if definition is not None:
        f.define(2025, stream, procedure, part, **definition)
    if grant_year:
        notified_grant(officer=officer, boss=boss, year=grant_year, stream=stream, part=part, recipient=recipient)
    settles = grant_year if procedure.endswith("settlement") and grant_year else None
    case = f.case(actor=officer, stream=stream, part=part, procedure=procedure, recipient=recipient, settles=settles)
    seen = []
    day = date(2025, 6, 2)  # each act entered with its own day, in order: papers after the request that asked for them
    for name, data in steps:
        actor = boss if name in SUPERVISOR_STEPS else officer
        before = case.state
        day = max(day, date.fromisoformat(data["date"])) if data.get("date") else day
        case = case_transition(case_id=case.pk, name=name, actor=actor, data={**data, "occurred_on": day.isoformat()},
                               expected_version=case.version)
        seen.append((name, before, case.state))
    return case, seen


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[f"{s[0]}-{s[1] or 'all'}-{s[2]}-{n}" for n, s in enumerate(SCENARIOS)])
def test_procedure_runs_through_all_its_transitions(scenario):
    case, seen = run_scenario(*scenario)
    ends = {"accept": "accepted", "revoke": "revoked", "record_ministry_decision": "notified", "record_ministry_payment": "notified"}
    assert case.state == ends[seen[-1][0]]
    assert case.version == len(seen) + 1
    history = list(case.history.order_by("pk").values_list("action", "source", "target"))
    assert history[0][0] == "create"
    assert [(a, s, t) for a, s, t in history[1:]] == seen


def test_every_declared_transition_is_exercised_by_a_scenario():
    exercised = {}
    for stream, _part, procedure, _definition, _year, steps in SCENARIOS:
        exercised.setdefault((stream, procedure), set()).update(name for name, _ in steps)
    for key, flow_class in FLOWS.items():
        declared = {method.slug for method in flow_class.state.get_transitions()} - {"withdraw"}
        assert declared <= exercised[key], f"{key}: not exercised {declared - exercised[key]}"


@pytest.mark.parametrize("key", list(FLOWS), ids=[f"{s}-{p}" for s, p in FLOWS])
def test_any_open_case_can_be_withdrawn_with_a_reason(key):
    stream, procedure = key
    officer = f.officer()
    part = "facilities" if stream == MCF else ""
    case = f.case(actor=officer, stream=stream, part=part, procedure=procedure)
    case = case_transition(case_id=case.pk, name="request" if procedure != "initial_grant" or stream != MCF else "request_consultation",
                           actor=officer, data={}, expected_version=1)
    case = case_transition(case_id=case.pk, name="withdraw", actor=officer, data={"reason": "申請取下げ"}, expected_version=2)
    assert case.state == "withdrawn"
    assert case.history.last().data["reason"] == "申請取下げ"


def test_late_submission_is_accepted_and_flagged():
    officer = f.officer()
    case = f.case(actor=officer)
    case = case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2025-08-29", "occurred_on": "2025-08-01"},
                           expected_version=1)
    late = case_transition(case_id=case.pk, name="submit", actor=officer, data={"amount": 5, "date": "2025-09-01"}, expected_version=2)
    assert late.state == "submitted" and late.submitted_late is True


def _consult_then_request(officer, today, *, consultation_received: str, request_on: date):
    f.pre_consultation(2025, CSG, "initial_grant")
    case = f.case(actor=officer)
    today(date(2025, 7, 25))
    case = case_transition(case_id=case.pk, name="request_consultation", actor=officer, data={"deadline": "2025-08-29"}, expected_version=1)
    today(date.fromisoformat(consultation_received))  # papers are recorded on or after the day they arrive
    case = case_transition(case_id=case.pk, name="submit_consultation", actor=officer,
                           data={"amount": 1_000_000, "date": consultation_received}, expected_version=2)
    assert case.submitted_late is True  # the consultation papers came after 8/29
    today(request_on)
    case = case_transition(case_id=case.pk, name="present_amount", actor=officer, data={"amount": 900_000}, expected_version=3)
    return case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2026-02-27"}, expected_version=4)


def test_a_request_awaits_its_own_papers_not_flagged_by_the_consultations(today):
    case = _consult_then_request(f.officer(), today, consultation_received="2025-09-05", request_on=date(2026, 2, 16))
    assert case.state == "requested"
    assert (case.submitted_on, case.submitted_late) == (None, False)
    today(date(2026, 2, 26))
    case = case_transition(case_id=case.pk, name="submit", actor=case.officer, data={"amount": 900_000, "date": "2026-02-26"}, expected_version=case.version)
    assert (str(case.submitted_on), case.submitted_late) == ("2026-02-26", False)


def test_papers_owed_on_a_request_get_the_overdue_demand_even_after_a_consultation_received_that_day(today):
    reminder_rules()
    case = _consult_then_request(f.officer(), today, consultation_received="2026-02-16", request_on=date(2026, 2, 16))
    # 2026-03-02 is the first business day after the 2/27 deadline: the 督促 is due for the unsent application.
    assert [(c.case_id, c.rule_code) for c in reminder_candidates(on=date(2026, 3, 2))] == [(case.pk, "overdue_demand")]


def test_officer_deadline_on_a_holiday_rolls_forward_to_the_next_business_day():
    officer = f.officer()
    case = f.case(actor=officer)
    # 2024-02-11 is a Sunday and 建国記念の日; 2/12 is its substitute holiday.
    case = case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2024-02-11", "occurred_on": "2024-01-15"},
                           expected_version=1)
    assert str(case.deadline_stated) == "2024-02-11"
    assert str(case.deadline_effective) == "2024-02-13"


def test_special_adjustment_grant_has_no_bureau_approval():
    officer = f.officer()
    case = f.case(actor=officer, stream=SAG)
    flow_class = FLOWS[(SAG, "initial_grant")]
    names = {method.slug for method in flow_class.state.get_transitions()}
    assert "approve" not in names and "draft" not in names
    assert case.state == "planned"


@pytest.mark.parametrize(
    "procedure, field", [("initial_grant", "amount_current"), ("change_grant", "amount_current"), ("results_report", "amount_settled")]
)
def test_the_ministrys_decision_is_saved_as_the_amount_its_procedure_decides(procedure, field):
    case, _seen = run_scenario(SAG, "", procedure, None, None, [("request", {})] + OFFICER_REVIEW + MINISTRY)
    case.refresh_from_db()
    assert getattr(case, field) == 900_000
    assert (case.amount_determined, case.amount_settled) == ((None, 900_000) if field == "amount_settled" else (900_000, None))


def test_the_ministrys_payment_is_recorded_as_an_event_and_never_exceeds_its_decision():
    from workflows.errors import TransitionNotAllowed
    from web.errors import InvalidInput

    officer = f.officer()
    case = f.case(actor=officer, stream=SAG, procedure="change_grant")
    with pytest.raises(TransitionNotAllowed):
        case_transition(case_id=case.pk, name="record_ministry_payment", actor=officer,
                        data={"amount": 1, "date": "2025-12-10"}, expected_version=case.version)
    case, _seen = run_scenario(SAG, "", "initial_grant", FORMAL, None,
                               [("request", {})] + OFFICER_REVIEW + FORMAL_APPLICATION + MINISTRY)
    records = case.history.count()
    for data in ({"amount": 900_001, "date": "2025-12-10"}, {"amount": 1, "date": "2025-11-30"},
                 {"amount": 1, "date": "2099-01-05"}):  # more than it decided; before its decision; in the future
        with pytest.raises(InvalidInput):
            case_transition(case_id=case.pk, name="record_ministry_payment", actor=officer, data=data,
                            expected_version=case.version)
    assert case.history.count() == records
    case = case_transition(case_id=case.pk, name="record_ministry_payment", actor=officer,
                           data={"amount": 600_000, "date": "2025-12-10"}, expected_version=case.version)
    case = case_transition(case_id=case.pk, name="record_ministry_payment", actor=officer,
                           data={"amount": 300_000, "date": "2026-01-10"}, expected_version=case.version)
    assert (case.state, case.ministry_paid_amount, str(case.ministry_paid_on)) == ("notified", 900_000, "2026-01-10")
    assert case.history.order_by("-pk").first().data["fields"] == {"amount": 300_000, "date": "2026-01-10"}
