"""The budget ledger (docs/money.md, "The budget ledger"): after every kind of act that moves what a year commits,
it holds what the one window SQL computes, and an approval's check reads it."""

import itertools
import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from grants.models import BudgetCommitment, BudgetLedger, Case, CaseState, Determination
from grants.selectors import budget_position, budget_position_of_ledger
from grants.services import budget_ledger_rebuild
from tests import factories as f
from tests.budget_ledger import approvals_laid_down_directly, assert_ledger_agrees, ledger_held
from tests.factories import Stream
from tests.payments import factories as pf
from web.errors import DomainError
from workflows.errors import BudgetCeilingExceeded, TransitionNotAllowed
from workflows.flows import flow_for
from workflows.services import case_transition, case_transition_bulk
from workflows.steps import step_declared

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT
YEAR = 2027
ON = date(2027, 6, 1)
TOWNS = itertools.count(100)


@pytest.fixture
def people(today):
    today(ON)
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(YEAR, CSG, amount=30_000_000, by=boss)
    return officer, boss


def act(case, name, actor, **data):
    return case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)


def drafted(officer, amount, *, recipient=None, procedure="initial_grant", year=YEAR, reason=""):
    case = f.case(actor=officer, year=year, procedure=procedure, recipient=recipient or f.town(next(TOWNS)))
    for name, data in [("request", {}), ("submit", {"amount": amount}), ("start_review", {}),
                       ("draft", {"amount": amount, "reason": reason})]:
        case = act(case, name, officer, **data)
    return case


def approved(case, boss):
    case = act(case, "approve", boss)
    assert_ledger_agrees()
    return case


def notified(case, officer):
    case = act(case, "notify", officer, date=ON.isoformat())
    assert_ledger_agrees()
    return case


def committed(year=YEAR, stream=CSG, part=""):
    return BudgetLedger.objects.filter(fiscal_year_id=year, stream=stream, part=part).values_list("committed", flat=True).first() or 0


def test_an_approved_decision_commits_its_amount_under_its_key(people):
    officer, boss = people
    case = drafted(officer, 8_000_000)
    assert committed() == 0 and not BudgetCommitment.objects.exists()
    case = approved(case, boss)
    row = BudgetCommitment.objects.get()
    assert (row.recipient_id, row.grant_key, row.amount, row.determination_id) == (
        case.recipient_id, "", 8_000_000, case.determinations.get().pk,
    )
    assert committed() == 8_000_000
    notified(case, officer)  # a notice moves nothing the ledger reads
    assert committed() == 8_000_000


@pytest.mark.parametrize("changed_to", [9_000_000, 6_000_000])
def test_an_approved_change_replaces_the_amount_it_changes_up_or_down(people, changed_to):
    officer, boss = people
    decision = notified(approved(drafted(officer, 8_000_000), boss), officer)
    other = approved(drafted(officer, 5_000_000), boss)
    change = drafted(officer, changed_to, recipient=decision.recipient, procedure="change_grant", reason="事業費の見直し")
    assert committed() == 13_000_000
    change = approved(change, boss)
    assert committed() == changed_to + 5_000_000
    assert BudgetCommitment.objects.get(recipient=decision.recipient).determination_id == change.determinations.get().pk
    assert other.state == CaseState.APPROVED


def test_an_adjustment_grant_is_a_key_of_its_own(people):
    officer, boss = people
    decision = approved(drafted(officer, 8_000_000), boss)
    adjustment = approved(drafted(officer, 2_000_000, recipient=decision.recipient, procedure="adjustment_grant"), boss)
    keys = dict(BudgetCommitment.objects.values_list("grant_key", "amount"))
    assert keys == {"": 8_000_000, "adjustment_grant": 2_000_000}
    assert committed() == 10_000_000
    assert adjustment.state == CaseState.APPROVED


def test_a_revocation_takes_the_grant_out_when_its_notice_revokes(people):
    officer, boss = people
    decision = notified(approved(drafted(officer, 8_000_000), boss), officer)
    change = notified(approved(drafted(officer, 7_000_000, recipient=decision.recipient, procedure="change_grant",
                                      reason="事業費の見直し"), boss), officer)
    assert committed() == 7_000_000
    revoked = pf.revoked(change, boss, today=ON)  # the change's case revoked: the decision's amount commits again
    assert revoked.state == CaseState.REVOKED
    assert_ledger_agrees()
    assert committed() == 8_000_000
    pf.revoked(decision, boss, today=ON)
    assert_ledger_agrees()
    assert committed() == 0 and not BudgetCommitment.objects.exists()


def test_a_revocation_drafted_approved_or_withdrawn_moves_nothing(people):
    officer, boss = people
    decision = notified(approved(drafted(officer, 8_000_000), boss), officer)
    before = ledger_held()
    case = act(decision, "draft_revocation", officer, reason="目的外使用", legal_basis="art_17_1")
    case = act(case, "send_back_revocation", boss, reason="根拠を再確認")
    case = act(case, "withdraw_revocation", officer, reason="取下げ")
    assert case.state == CaseState.NOTIFIED
    assert_ledger_agrees()
    assert ledger_held() == before
    case = act(case, "draft_revocation", officer, reason="目的外使用", legal_basis="art_17_1")
    act(case, "approve_revocation", boss)
    assert_ledger_agrees()
    assert ledger_held() == before


def test_a_case_withdrawn_after_its_approval_commits_nothing(people):
    officer, boss = people
    case = approved(drafted(officer, 8_000_000), boss)
    assert committed() == 8_000_000
    act(case, "withdraw", officer, reason="申請取下げ")
    assert_ledger_agrees()
    assert committed() == 0 and not BudgetCommitment.objects.exists()


def test_a_backdated_approval_older_than_the_keys_latest_leaves_the_latest(people, monkeypatch):
    """The latest is the latest approved (then the highest id), not the last written: a change approved at a time
    before its decision's approval does not replace it."""
    officer, boss = people
    decision = notified(approved(drafted(officer, 8_000_000), boss), officer)
    earlier = timezone.now() - timedelta(days=1)
    change = drafted(officer, 6_000_000, recipient=decision.recipient, procedure="change_grant", reason="見直し")
    monkeypatch.setattr("django.utils.timezone.now", lambda: earlier)
    act(change, "approve", boss)
    assert Determination.objects.get(case=change).approved_at == earlier
    assert_ledger_agrees()
    assert committed() == 8_000_000
    assert BudgetCommitment.objects.get().determination_id == decision.determinations.get().pk


def test_a_bulk_approval_writes_each_of_its_keys(people):
    officer, boss = people
    cases = [drafted(officer, amount) for amount in (8_000_000, 9_000_000, 7_000_000, 9_000_000)]
    outcome = case_transition_bulk(name="approve", actor=boss, data={}, cases=[(c.pk, c.version) for c in cases],
                                   chunk_size=3)
    assert [case.pk for case in outcome.done] == [c.pk for c in cases[:3]]
    assert [r["case_id"] for r in outcome.refused] == [cases[3].pk]  # 33,000,000 > 30,000,000
    assert_ledger_agrees()
    assert committed() == 24_000_000


def test_a_settlement_commits_nothing(people):
    officer, boss = people
    pf.shipped_plans()
    grant = pf.notified(officer=officer, boss=boss, year=2023, amount=20_000_000, on=date(2023, 10, 19))
    before = ledger_held()
    case = f.case(actor=officer, year=2024, procedure="prior_year_settlement", recipient=grant.recipient, settles=2023)
    for name, data in [("request", {"occurred_on": "2024-05-01"}), ("submit", {"amount": 19_000_000, "date": "2024-06-10"}),
                       ("start_review", {}), ("draft", {"amount": 19_000_000})]:
        case = pf.act(case, name, officer, **data)
    assert pf.act(case, "approve", boss).state == CaseState.APPROVED
    assert_ledger_agrees()
    assert ledger_held() == before
    assert not BudgetCommitment.objects.filter(fiscal_year_id=2024).exists()


def test_a_refused_approval_leaves_the_ledger_as_it_was(people):
    officer, boss = people
    approved(drafted(officer, 25_000_000), boss)
    refused = drafted(officer, 8_000_000)
    before = ledger_held()
    with pytest.raises(BudgetCeilingExceeded) as raised:
        act(refused, "approve", boss)
    assert raised.value.details | {"condition": None} == {
        "condition": None, "ceiling": 30_000_000, "committed": 25_000_000, "with_this": 33_000_000, "shortfall": 3_000_000,
    }
    assert ledger_held() == before
    assert_ledger_agrees()


def test_the_check_reads_the_ledger_as_the_window_reads_the_year(people):
    officer, boss = people
    decision = notified(approved(drafted(officer, 8_000_000), boss), officer)
    approved(drafted(officer, 2_000_000, recipient=decision.recipient, procedure="adjustment_grant"), boss)
    change = drafted(officer, 9_000_000, recipient=decision.recipient, procedure="change_grant", reason="見直し")
    new = drafted(officer, 4_000_000)
    for case in (change, new):
        pending = case.determinations.get()
        assert budget_position_of_ledger(fiscal_year=YEAR, stream=CSG, part="", pending=pending) == budget_position(
            fiscal_year=YEAR, stream=CSG, part="", pending=pending
        )


def test_a_rebuild_of_one_year_leaves_the_others_alone():
    approvals_laid_down_directly()
    assert budget_ledger_rebuild(fiscal_year=YEAR) == 3  # the first recipient's grant and adjustment, the second's
    assert_ledger_agrees(YEAR)
    assert committed(2026) == 0 and not BudgetCommitment.objects.filter(fiscal_year_id=2026).exists()
    BudgetLedger.objects.filter(fiscal_year_id=YEAR).update(committed=1)  # drifted, say
    budget_ledger_rebuild()
    assert_ledger_agrees()


STEPS = ("request", "submit", "start_review", "draft", "send_back", "approve", "notify", "withdraw",
         "draft_revocation", "send_back_revocation", "approve_revocation", "withdraw_revocation", "revoke")
VALUES = {"reason": "理由", "legal_basis": "art_17_1"}


@pytest.mark.parametrize("seed", range(3 if connection.vendor == "postgresql" else 6))
def test_random_acts_keep_the_ledger_equal_to_the_window(people, seed):
    """A random walk over the steps of two recipients' grant, change and adjustment cases: after every act, done
    or refused, the ledger is what the window SQL computes; a refused act leaves it as it was."""
    officer, boss = people
    rng = random.Random(seed)
    recipients = [f.town(n) for n in (1, 2)]
    cases = [f.case(actor=officer, year=YEAR, procedure=procedure, recipient=recipient)
             for recipient in recipients for procedure in ("initial_grant", "change_grant", "adjustment_grant")]
    done, refusals = [], []
    for _ in range(120):
        case = Case.objects.get(pk=rng.choice(cases).pk)
        flow = flow_for(case, actor=officer)
        ready = [name for name in STEPS if getattr(flow, name, None) and getattr(flow, name).can_proceed(check_conditions=False)]
        if not ready:
            continue
        name = rng.choices(ready, weights=[0.1 if name == "withdraw" else 1 for name in ready])[0]  # withdrawn ends it
        fields = {spec.name for spec in step_declared(name).step.fields}
        data = {key: value for key, value in VALUES.items() if key in fields}
        if "amount" in fields:
            data["amount"] = rng.choice((3, 6, 9)) * 1_000_000 if name == "draft" else 9_000_000
        if name == "notify":
            data["date"] = ON.isoformat()
        actor = boss if name in ("approve", "send_back", "approve_revocation", "send_back_revocation") else officer
        before = ledger_held()
        try:
            act(case, name, actor, **data)
            done.append((case.procedure, name))
        except TransitionNotAllowed:
            continue
        except DomainError as exc:
            refusals.append((name, exc.code, str(exc.details)[:80]))
            assert ledger_held() == before
        assert_ledger_agrees()
    assert len(done) > 20, refusals
