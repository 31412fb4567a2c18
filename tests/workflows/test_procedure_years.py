"""One case of every procedure in every defined year — FY2023 as run, FY2025 as planned and a year rolled
forward from it — taken through each path its year's definition allows, second rounds included."""

from datetime import date

import pytest

from grants.catalogue import procedure_get, procedure_list
from grants.procedures import definition_full
from schedules.selectors import schedule_version_in_force
from schedules.services import schedule_definition_save, schedule_rollforward
from tests import factories as f
from tests.factories import Stream
from tests.letters.factories import act, shipped_schedules
from workflows.errors import ConditionUnmet
from workflows.fields import EXPECTED_AMOUNTS

pytestmark = pytest.mark.django_db
YEARS = (2023, 2025, 2027)  # 2027: FY2025's plan rolled forward
PROCEDURES = [(spec.stream, spec.code) for spec in procedure_list()]
PART = {Stream.MEDICAL_CARE_FUND: "facilities"}
AMOUNT = 1_000_000


def consultation_steps(definition: dict, *, second_round: bool) -> list:
    if not definition["pre_consultation"]:
        return []
    steps = [
        ("request_consultation", {}),
        ("submit_consultation", {"amount": AMOUNT}),
        ("return_consultation", {"reason": "協議書類の補正"}),
        ("submit_consultation", {"amount": AMOUNT}),
    ]
    if definition["informal_notice"] == "after_consultation":
        steps.append(("present_amount", {"amount": AMOUNT}))
        if second_round:
            steps += [
                ("request_consultation", {}),
                ("submit_consultation", {"amount": AMOUNT}),
                ("present_amount", {"amount": AMOUNT}),
            ]
    return steps


def path(flow, definition: dict, *, second_round: bool, amount: int = AMOUNT, on: date) -> list:
    """The acts the definition leads a case of ``flow`` through, in order."""
    names = {transition.slug for transition in flow.state.get_transitions()}
    steps = consultation_steps(definition, second_round=second_round)
    # a demand survey's papers give the expected amounts of the years its form asks about, not one amount
    papers = ("submit", {"amount": amount}) if "submit" in names else (
        "submit_expected_amounts", {spec.name: amount for spec in EXPECTED_AMOUNTS}
    )
    steps += [("request", {}), papers, ("start_review", {})]
    if definition["informal_notice"] == "after_review" and "present_amount" in names:
        steps.append(("present_amount", {"amount": amount}))
        if definition["formal_application"]:
            steps += [("request", {}), ("submit", {"amount": amount}), ("start_review", {})]
    if "draft" in names:
        steps += [("draft", {"amount": amount, "reason": "算定"}), ("approve", {}), ("notify", {})]
    elif "forward" in names:
        steps += [
            ("forward", {}),
            ("record_ministry_decision", {"amount": amount, "document_number": "保高発第1号", "date": on.isoformat()}),
            ("confirm_ministry_decision", {}),
            ("record_ministry_payment", {"amount": amount, "date": on.isoformat()}),
        ]
    else:
        steps.append(("accept", {}))
    return steps


def walk(case, steps, officer, boss):
    for name, data in steps:
        case = act(case, name, boss if name in ("approve", "confirm_ministry_decision") else officer, **data)
    return case


def baseline(stream, part, year, recipient, officer, boss, today):
    """A notified initial grant of ``year``, run as its own year's definition says."""
    today(date(year, 4, 1))
    case = f.case(actor=officer, year=year, stream=stream, part=part, procedure="initial_grant", recipient=recipient)
    flow = procedure_get(stream, "initial_grant").flow
    return walk(case, path(flow, definition_full(stream, "initial_grant", case.definition), second_round=False,
                           on=date(year, 4, 1)), officer, boss)


def scenarios():
    for year in YEARS:
        for stream, procedure in PROCEDURES:
            yield year, stream, procedure, False
            if (year, stream, procedure) == (2023, Stream.MEDICAL_CARE_FUND, "initial_grant"):
                yield year, stream, procedure, True  # FY2023's 第2次国庫補助協議


def prepared(year, stream, procedure, officer, boss, today, *, second=False):
    """Budget notices, and the notified grant a change or a settlement needs: the recipient, part and settled year
    a case of ``procedure`` in ``year`` is opened with (``second``: another recipient, of Chiba, for a second case)."""
    part = PART.get(stream, "")
    spec = procedure_get(stream, procedure)
    if second:
        recipient = {Stream.SPECIAL_ADJUSTMENT_GRANT: lambda: f.union("12"), Stream.MEDICAL_CARE_FUND: lambda: f.prefecture("12")}.get(
            stream, lambda: f.municipality("122076", "松戸市", "12")
        )()
    else:
        recipient = {Stream.SPECIAL_ADJUSTMENT_GRANT: f.union, Stream.MEDICAL_CARE_FUND: f.prefecture}.get(
            stream, f.municipality
        )()
    for budget_year in range(year - 2, year + 1):
        if stream != Stream.SPECIAL_ADJUSTMENT_GRANT and not second:
            f.budget_notice(budget_year, stream, part, by=boss)
    settles = None
    if spec.settles and spec.flow is not None and "draft" in {t.slug for t in spec.flow.state.get_transitions()}:
        settles = year - spec.settles_years_back[0]
        baseline(stream, part, settles, recipient, officer, boss, today)
    elif procedure == "change_grant" and stream != Stream.SPECIAL_ADJUSTMENT_GRANT:
        baseline(stream, part, year, recipient, officer, boss, today)
    return recipient, part, settles


def steps_for(spec, procedure, definition, *, year, second_round=False):
    amount = 1_200_000 if procedure == "change_grant" else AMOUNT
    steps = path(spec.flow, definition, second_round=second_round, amount=amount, on=date(year, 4, 1))
    if procedure == "change_grant":
        steps = [(name, {**data, "amount": amount} if "amount" in data else data) for name, data in steps]
        steps = [(name, {**data, "reason": "事業費増"} if name == "draft" else data) for name, data in steps]
    return steps


@pytest.mark.parametrize(
    "year, stream, procedure, second_round",
    list(scenarios()),
    ids=[f"{y}-{s}-{p}{'-2nd' if r else ''}" for y, s, p, r in scenarios()],
)
def test_every_procedure_of_every_defined_year_runs_its_definitions_path(year, stream, procedure, second_round, today):
    shipped_schedules()
    officer, boss = f.officer(), f.supervisor()
    schedule_rollforward(actor=boss, from_year=2025, to_year=2027)
    spec = procedure_get(stream, procedure)
    recipient, part, settles = prepared(year, stream, procedure, officer, boss, today)
    today(date(year, 4, 1))
    case = f.case(actor=officer, year=year, stream=stream, part=part, procedure=procedure, recipient=recipient,
                  settles=settles)
    definition = definition_full(stream, procedure, case.definition)
    steps = steps_for(spec, procedure, definition, year=year, second_round=second_round)
    case = walk(case, steps, officer, boss)
    assert case.state == {"accept": "accepted"}.get(steps[-1][0], "notified")
    assert [entry.action for entry in case.history.order_by("pk")][1:] == [name for name, _ in steps]
    if second_round:
        assert case.consultation_round == 2


@pytest.mark.parametrize("year", YEARS)
def test_a_second_consultation_round_only_where_the_year_has_one(year, today):
    shipped_schedules()
    officer = f.officer()
    schedule_rollforward(actor=f.supervisor(), from_year=2025, to_year=2027)
    today(date(year, 4, 1))
    case = f.case(actor=officer, year=year, stream=Stream.MEDICAL_CARE_FUND, part="personnel")
    for name, data in consultation_steps(definition_full(case.stream, case.procedure, case.definition), second_round=False):
        case = act(case, name, officer, **data)
    if year == 2023:
        case = act(case, "request_consultation", officer)
        assert (case.state, case.consultation_round) == ("consultation_requested", 2)
        case = act(act(case, "submit_consultation", officer, amount=AMOUNT), "present_amount", officer, amount=AMOUNT)
    with pytest.raises(ConditionUnmet):
        act(case, "request_consultation", officer)  # no third round, and none at all after FY2023


def test_fy2023_presents_the_community_grant_after_the_review_and_fy2025_after_the_consultation(today):
    shipped_schedules()
    officer = f.officer()
    today(date(2023, 4, 1))
    old = f.case(actor=officer, year=2023)
    old = walk(old, [("request", {}), ("submit", {"amount": AMOUNT}), ("start_review", {})], officer, None)
    with pytest.raises(ConditionUnmet):
        act(old, "draft", officer, amount=AMOUNT)  # the 調整・提示 comes first
    assert act(old, "present_amount", officer, amount=900_000).amount_presented == 900_000
    today(date(2025, 4, 1))
    new = f.case(actor=officer, year=2025)
    with pytest.raises(ConditionUnmet):
        act(new, "request", officer)
    new = walk(new, consultation_steps(definition_full(new.stream, new.procedure, new.definition), second_round=False),
               officer, None)
    assert new.state == "amount_presented"


def test_the_special_adjustment_grant_runs_its_informal_notice_and_formal_application_in_every_year(today):
    shipped_schedules()
    officer = f.officer()
    schedule_rollforward(actor=f.supervisor(), from_year=2025, to_year=2027)
    for year in YEARS:
        today(date(year, 4, 1))
        case = f.case(actor=officer, year=year, stream=Stream.SPECIAL_ADJUSTMENT_GRANT)
        steps = path(procedure_get(case.stream, case.procedure).flow,
                     definition_full(case.stream, case.procedure, case.definition), second_round=False, on=date(year, 4, 1))
        assert [name for name, _ in steps][:8] == [
            "request", "submit", "start_review", "present_amount", "request", "submit", "start_review", "forward"
        ]
        reviewed = walk(case, steps[:3], officer, None)
        with pytest.raises(ConditionUnmet):
            act(reviewed, "forward", officer)  # the 内示 and the formal application come first


def other_shape(flow, definition: dict) -> dict:
    """A different definition the procedure can run: the pre-consultation switched (where the flow has one),
    and no letters at all instead of every letter."""
    names = {transition.slug for transition in flow.state.get_transitions()}
    changed = {**definition, "letters": []}
    if "request_consultation" in names:
        if definition["pre_consultation"]:
            changed |= {"pre_consultation": False, "second_consultation": False}
            if changed["informal_notice"] == "after_consultation":
                changed["informal_notice"] = "none"
        else:
            changed |= {"pre_consultation": True, "informal_notice": "after_consultation", "formal_application": False}
    return changed


@pytest.mark.parametrize("stream, procedure", PROCEDURES, ids=[f"{s}-{p}" for s, p in PROCEDURES])
def test_a_case_created_before_a_definition_edit_runs_its_old_shape_and_a_later_one_the_new(stream, procedure, today):
    shipped_schedules()
    officer, boss = f.officer(), f.supervisor()
    spec = procedure_get(stream, procedure)
    recipient, part, settles = prepared(2025, stream, procedure, officer, boss, today)
    today(date(2025, 4, 1))
    opened = dict(actor=officer, year=2025, stream=stream, part=part, procedure=procedure, settles=settles)
    before = f.case(recipient=recipient, **opened)
    old = definition_full(stream, procedure, before.definition)
    new = other_shape(spec.flow, old)
    version = schedule_version_in_force(fiscal_year=2025)
    schedule_definition_save(actor=boss, version=version, stream=stream, sub_procedure=spec.schedule_procedure, definition=new)
    later, *_ = prepared(2025, stream, procedure, officer, boss, today, second=True)
    today(date(2025, 4, 1))
    after = f.case(recipient=later, **opened)
    assert (before.definition, after.definition) == (old, definition_full(stream, procedure, new))
    assert after.definition_revision == (before.definition_revision or 0) + 1  # None: the year had no definition yet
    for case, shape in ((before, old), (after, new)):
        steps = steps_for(spec, procedure, shape, year=2025)
        case = walk(case, steps, officer, boss)
        assert [entry.action for entry in case.history.order_by("pk")][1:] == [name for name, _ in steps]
        assert case.state == {"accept": "accepted"}.get(steps[-1][0], "notified")
        # the old shape sends every letter its steps declare; the new one none
        assert case.letters.exists() == (shape is old)
