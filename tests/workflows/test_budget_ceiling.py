"""Budget-obligation notices are a ceiling on the year's commitments, not on each decision alone (docs/money.md)."""

from datetime import date, datetime, timezone as tz

import pytest

from tests.factories import Stream
from grants.models import BudgetNotice, Case, CaseState, Determination, HistoryEntry
from grants.selectors import budget_commitments, budget_position
from tests import factories as f
from tests.http import assert_error
from tests.payments import factories as pf
from tests.workflows.test_rules_api import act, login
from workflows.errors import BudgetCeilingExceeded
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT


def drafted(officer, amount, code, name, year=2027):
    case = f.case(actor=officer, year=year, recipient=f.municipality(code, name))
    for step, data in [("request", {}), ("submit", {"amount": amount}), ("start_review", {}), ("draft", {"amount": amount})]:
        case = case_transition(case_id=case.pk, name=step, actor=officer, data=data, expected_version=case.version)
    return case


def written():
    return (HistoryEntry.objects.count(), Determination.objects.filter(approved_at__isnull=False).count())


@pytest.fixture
def three_drafts(today):
    today(date(2027, 6, 1))
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, CSG, amount=10_000_000, by=boss)
    cases = [drafted(officer, 8_000_000, f"11-t{n}", f"町{n}町") for n in range(3)]
    return officer, boss, cases


def test_one_notice_of_10m_covers_one_8m_decision_not_two(api, three_drafts):
    officer, boss, cases = three_drafts
    boss_api = login(api, boss)
    first = act(boss_api, cases[0].pk, "approve", cases[0].version)
    assert first.status_code == 200, first.content
    before = written()
    refused = assert_error(act(boss_api, cases[1].pk, "approve", cases[1].version), 409, "budget_ceiling_exceeded")
    assert refused["details"] == {
        "condition": "budget_notice_covers", "ceiling": 10_000_000, "committed": 8_000_000,
        "with_this": 16_000_000, "shortfall": 6_000_000,
    }
    assert "10,000,000" in refused["message"] and "6,000,000" in refused["message"]
    assert written() == before
    # A second notice lifts the ceiling: 16,000,000 is then covered, the third draft is not.
    f.budget_notice(2027, CSG, amount=6_000_000, by=boss)
    assert act(boss_api, cases[1].pk, "approve", cases[1].version).status_code == 200
    with pytest.raises(BudgetCeilingExceeded):
        case_transition(case_id=cases[2].pk, name="approve", actor=boss, data={}, expected_version=cases[2].version)


def test_the_queue_shows_committed_remaining_and_what_each_draft_leaves(client, three_drafts):
    officer, boss, cases = three_drafts
    case_transition(case_id=cases[0].pk, name="approve", actor=boss, data={}, expected_version=cases[0].version)
    position = budget_position(fiscal_year=2027, stream=CSG, part="", pending=cases[1].determinations.get())
    assert (position.ceiling, position.committed, position.remaining, position.left_after_pending) == (
        10_000_000, 8_000_000, 2_000_000, -6_000_000,
    )
    client.force_login(boss)
    page = client.get("/approvals/").content.decode()
    assert "8,000,000" in page and "2,000,000" in page and "-6,000,000" in page.replace("−", "-")


def test_the_ui_refuses_with_the_figures_and_writes_nothing(client, three_drafts):
    officer, boss, cases = three_drafts
    case_transition(case_id=cases[0].pk, name="approve", actor=boss, data={}, expected_version=cases[0].version)
    client.force_login(boss)
    before = written()
    response = client.post(f"/cases/{cases[1].pk}/steps/approve/", {"version": cases[1].version})
    assert response.status_code == 409
    assert "6,000,000" in response.content.decode()
    assert written() == before


def test_a_change_replaces_the_amount_it_changes(three_drafts):
    officer, boss, cases = three_drafts
    case_transition(case_id=cases[0].pk, name="approve", actor=boss, data={}, expected_version=cases[0].version)
    case = f.case(actor=officer, year=2027, procedure="change_grant", recipient=cases[0].recipient)
    notified = case_transition(case_id=cases[0].pk, name="notify", actor=officer, data={"date": "2027-06-01"},
                               expected_version=cases[0].version + 1)
    assert notified.state == "notified"
    for step, data in [("request", {}), ("submit", {"amount": 9_000_000}), ("start_review", {}),
                       ("draft", {"amount": 9_000_000, "reason": "事業費の増"})]:
        case = case_transition(case_id=case.pk, name=step, actor=officer, data=data, expected_version=case.version)
    # 8,000,000 committed becomes 9,000,000, not 17,000,000: covered by 10,000,000.
    assert case_transition(case_id=case.pk, name="approve", actor=boss, data={}, expected_version=case.version).state == "approved"


def test_settlements_need_no_notice():
    pf.shipped_plans()
    officer, boss = f.officer(), f.supervisor()
    grant = pf.notified(officer=officer, boss=boss, year=2023, amount=20_000_000, on=date(2023, 10, 19))
    case = f.case(actor=officer, year=2024, procedure="prior_year_settlement", recipient=grant.recipient, settles=2023)
    for step, data in [("request", {"occurred_on": "2024-05-01"}), ("submit", {"amount": 19_000_000, "date": "2024-06-10"}),
                       ("start_review", {}),
                       ("draft", {"amount": 19_000_000})]:
        case = pf.act(case, step, officer, **data)
    assert not BudgetNotice.objects.filter(fiscal_year_id=2024).exists()
    assert pf.act(case, "approve", boss).state == "approved"


def test_the_position_counts_each_grant_at_its_latest_approved_amount():
    """Committed: each recipient's grant at its latest approval (a change replaces its decision), an adjustment
    grant on its own; settlements, drafts not approved and revoked or withdrawn cases commit nothing."""
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, CSG, amount=100_000_000, by=boss)
    first, second, third = (f.municipality(f"11-p{n}", f"町{n}") for n in range(3))

    def determination(case, kind, amount, minute, *, approved=True):
        at = datetime(2027, 6, 1, 9, minute, tzinfo=tz.utc)
        return Determination.objects.create(case=case, kind=kind, amount=amount, drafted_by=officer, drafted_at=at,
                                            approved_by=boss if approved else None, approved_at=at if approved else None)

    def case(recipient, procedure, state="notified"):
        made = f.case(actor=officer, year=2027, procedure=procedure, recipient=recipient)
        Case.objects.filter(pk=made.pk).update(state=state)
        return Case.objects.get(pk=made.pk)

    determination(case(first, "initial_grant"), "decision", 5_000_000, 0)
    changed = case(first, "change_grant")
    determination(changed, "change", 7_000_000, 5)  # replaces 5,000,000
    determination(changed, "change", 6_000_000, 5)  # same minute, later row: the latest
    determination(case(first, "adjustment_grant"), "decision", 2_000_000, 1)  # a grant of its own
    determination(case(first, "prior_year_settlement"), "settlement", 900_000, 9)  # commits nothing
    determination(case(second, "initial_grant"), "decision", 3_000_000, 2)
    determination(case(second, "adjustment_grant", state=CaseState.WITHDRAWN), "decision", 4_000_000, 3)
    determination(case(third, "initial_grant", state=CaseState.REVOKED), "decision", 8_000_000, 4)
    pending = determination(case(third, "change_grant", state="drafted"), "change", 1_000_000, 6, approved=False)

    position = budget_position(fiscal_year=2027, stream=CSG, part="")
    assert (position.committed, position.with_pending) == (6_000_000 + 2_000_000 + 3_000_000,) * 2
    # The third recipient's decision was revoked: its change adds to what is committed.
    assert budget_position(fiscal_year=2027, stream=CSG, part="", pending=pending).with_pending == 12_000_000
    # A change of the first recipient's grant replaces the 6,000,000 it changes.
    again = determination(changed, "change", 6_500_000, 7, approved=False)
    assert budget_position(fiscal_year=2027, stream=CSG, part="", pending=again).with_pending == 11_500_000
    # A page of the approval queue reads the year's commitments once for all its drafts: the same figures.
    settling = determination(case(second, "prior_year_settlement", state="drafted"), "settlement", 700_000, 8, approved=False)
    commitments = budget_commitments(fiscal_year=2027, stream=CSG, part="")
    for draft in (None, pending, again, settling):
        assert commitments.position(draft) == budget_position(fiscal_year=2027, stream=CSG, part="", pending=draft)


def test_a_bulk_approval_counts_its_earlier_approvals_against_the_ceiling(three_drafts):
    """The chunk's acts are written at its end: the second 8,000,000 under a 10,000,000 ceiling is refused all the
    same, and the first is approved."""
    from workflows.services import case_transition_bulk

    officer, boss, cases = three_drafts
    outcome = case_transition_bulk(name="approve", actor=boss, data={}, cases=[(case.pk, case.version) for case in cases[:2]])
    assert [case.pk for case in outcome.done] == [cases[0].pk]
    assert [(r["case_id"], r["code"]) for r in outcome.refused] == [(cases[1].pk, "budget_ceiling_exceeded")]
    assert Determination.objects.filter(approved_at__isnull=False).count() == 1
