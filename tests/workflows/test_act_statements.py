"""What an act sends to the database: the reads and writes that ride on statements the act makes anyway
(docs/architecture.md, "The one write path"). Each test names the statement it expects folded, so that
undoing the fold fails it; the outcome (items, letters, drains) is checked as well."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.models import BudgetCommitment, Determination, HistoryEntry
from payments.models import PaymentItem
from tests import factories as f
from tests.budget_ledger import assert_ledger_agrees
from tests.factories import Stream
from web.errors import InvalidInput
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"
TOWNS = itertools.count(20)


def _reviewed(amount: int, *, officer=None, recipient=None, procedure="initial_grant"):
    officer = officer or f.officer()
    case = f.case(actor=officer, year=2027, procedure=procedure, recipient=recipient or f.town(next(TOWNS)))
    for step, data in [("request", {}), ("submit", {"amount": amount}), ("start_review", {})]:
        case = case_transition(case_id=case.pk, name=step, actor=officer, data=data, expected_version=case.version)
    return case, officer


def _drafted(amount: int, *, officer=None, recipient=None, procedure="initial_grant", reason=""):
    case, officer = _reviewed(amount, officer=officer, recipient=recipient, procedure=procedure)
    case = case_transition(case_id=case.pk, name="draft", actor=officer, data={"amount": amount, "reason": reason},
                           expected_version=case.version)
    return case, officer


def _approved(amount: int, *, officer=None):
    boss = f.supervisor()
    f.budget_notice(2027, Stream.COMMUNITY_SUPPORT_GRANT, by=boss)
    case, officer = _drafted(amount, officer=officer)
    case = case_transition(case_id=case.pk, name="approve", actor=boss, data={}, expected_version=case.version)
    return case, officer


def _statements(act) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        act()
    return [query["sql"] for query in queries.captured_queries]


def test_a_notice_reads_its_plan_with_what_was_issued_and_stores_its_items_with_its_record():
    case, officer = _approved(3_000_000)
    seen = _statements(lambda: case_transition(case_id=case.pk, name="notify", actor=officer, data={},
                                               expected_version=case.version))
    # no tranche plan this year: the whole amount less what was issued, which the plan's statement read
    (item,) = PaymentItem.objects.filter(case=case)
    assert item.amount == 3_000_000
    plan = [sql for sql in seen if "grants_paymentplanrule" in sql]
    assert len(plan) == 1 and "grants_paymentitem" in plan[0], plan
    assert not [sql for sql in seen if "grants_paymentitem" in sql and "grants_paymentplanrule" not in sql
                and not sql.startswith(("WITH", 'INSERT INTO "grants_paymentitem"'))]
    if POSTGRESQL:  # the items go in the act's one write statement, not an INSERT of their own
        assert not [sql for sql in seen if sql.startswith('INSERT INTO "grants_paymentitem"')]
        (write,) = [sql for sql in seen if sql.startswith("WITH") and "grants_historyentry" in sql]
        assert 'INSERT INTO "grants_paymentitem"' in write


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's row locks; SQLite's write lock serialises every act")
def test_on_postgresql_a_notice_locks_its_recipient_with_its_case_in_one_statement():
    case, officer = _approved(1_000_000)
    seen = _statements(lambda: case_transition(case_id=case.pk, name="notify", actor=officer, data={},
                                               expected_version=case.version))
    (read,) = [sql for sql in seen if sql.startswith("SELECT") and 'FROM "grants_case" c' in sql]
    assert read.endswith("FOR NO KEY UPDATE OF c, r")
    assert not [sql for sql in seen if "grants_recipient" in sql and "FOR NO KEY UPDATE" in sql and sql is not read]
    # an act that moves no money locks the case alone (in a transaction; outside one: tests/ops/test_one_statement_acts.py)
    seen = _statements(lambda: case_transition(case_id=f.case(actor=officer, year=2027, recipient=f.town(5)).pk,
                                               name="request", actor=officer, data={}, expected_version=1))
    (read,) = [sql for sql in seen if sql.startswith("SELECT") and 'FROM "grants_case" c' in sql]
    assert read.endswith("FOR NO KEY UPDATE OF c")


# -- statements per step (PostgreSQL: BEGIN and COMMIT counted; every statement is a round trip) ------------------
STEPS = [("request", False, {"deadline": "2027-09-01"}), ("submit", False, {"amount": 2_000_000}), ("start_review", False, {}),
         ("draft", False, {"amount": 2_000_000}), ("approve", True, {}), ("notify", False, {})]
#: what each step of a decision sends on PostgreSQL outside any transaction (a request given its deadline, as
#: ``bench/transitions.py``): an act of one statement (``Step.one_statement``) its case's read and its write; the
#: others BEGIN, the case's read, the step's own statements, the act's write and COMMIT
PER_STEP_ON_POSTGRESQL = {"request": 2, "submit": 2, "start_review": 2, "draft": 2, "approve": 5, "notify": 5}


@pytest.mark.skipif(not POSTGRESQL, reason="round trips are PostgreSQL's; SQLite's statements cost none")
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})  # letters wait for a worker
def test_on_postgresql_each_step_of_a_decision_sends_its_pinned_number_of_statements(live_db):
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, Stream.COMMUNITY_SUPPORT_GRANT, by=boss)
    sent = {}
    for number in range(2):  # the second case's: the first reads once what the process then knows (its caches)
        case = f.case(actor=officer, year=2027, recipient=f.town(number))
        for name, by_boss, data in STEPS:
            seen = _statements(lambda: case_transition(case_id=case.pk, name=name, actor=boss if by_boss else officer,
                                                       data=data, expected_version=case.version))
            sent[name] = [sql[:60] for sql in seen]
            case.version += 1
    assert {name: len(seen) for name, seen in sent.items()} == PER_STEP_ON_POSTGRESQL, sent
    assert_ledger_agrees()


def test_a_draft_stores_its_determination_with_its_record_under_the_id_the_record_names():
    case, officer = _reviewed(1_500_000)
    seen = _statements(lambda: case_transition(case_id=case.pk, name="draft", actor=officer,
                                               data={"amount": 1_500_000}, expected_version=case.version))
    (determination,) = Determination.objects.filter(case=case)
    record = HistoryEntry.objects.filter(action="draft", subject_id=case.pk).get()
    assert record.data["determination"] == determination.pk and determination.amount == 1_500_000
    if POSTGRESQL:  # the id comes with the case's read; the INSERT goes in the act's one write
        (read,) = [sql for sql in seen if sql.startswith("SELECT") and 'FROM "grants_case" c' in sql]
        assert "nextval(" in read
        assert not [sql for sql in seen if sql.startswith('INSERT INTO "grants_determination"')]
        (write,) = [sql for sql in seen if sql.startswith("WITH") and "grants_historyentry" in sql]
        assert 'INSERT INTO "grants_determination"' in write
    # a step that creates nothing takes no id
    seen = _statements(lambda: case_transition(case_id=f.case(actor=officer, year=2027, recipient=f.town(7)).pk,
                                               name="request", actor=officer, data={}, expected_version=1))
    assert not [sql for sql in seen if "nextval(" in sql]


def test_a_refused_draft_stores_nothing_and_the_next_draft_is_stored_under_the_id_it_names():
    case, officer = _reviewed(1_000_000)
    with pytest.raises(InvalidInput):  # above the requested amount
        case_transition(case_id=case.pk, name="draft", actor=officer, data={"amount": 1_000_001},
                        expected_version=case.version)
    assert not Determination.objects.filter(case=case).exists()
    case_transition(case_id=case.pk, name="draft", actor=officer, data={"amount": 900_000, "reason": "査定"},
                    expected_version=case.version)
    (determination,) = Determination.objects.filter(case=case)
    assert HistoryEntry.objects.get(action="draft", subject_id=case.pk).data["determination"] == determination.pk


def test_an_approval_writes_its_key_in_the_acts_write_and_the_ledger_agrees_with_the_window():
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, Stream.COMMUNITY_SUPPORT_GRANT, by=boss)
    case, _officer = _drafted(2_000_000, officer=officer)
    seen = _statements(lambda: case_transition(case_id=case.pk, name="approve", actor=boss, data={},
                                               expected_version=case.version))
    assert_ledger_agrees()
    assert BudgetCommitment.objects.get().amount == 2_000_000
    if POSTGRESQL:  # no refresh of its own after the write: the key's upsert and the year's delta are WITHs of it
        assert not [sql for sql in seen if sql.startswith("WITH latest AS")]
        (write,) = [sql for sql in seen if sql.startswith("WITH") and "grants_historyentry" in sql]
        assert "grants_budgetcommitment" in write and "grants_budgetledger" in write


def test_an_approval_at_the_same_instant_as_its_keys_latest_replaces_it_by_its_higher_id(monkeypatch):
    """The order of a key's latest: by approval, then by id (docs/money.md, "The budget ledger")."""
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, Stream.COMMUNITY_SUPPORT_GRANT, by=boss)
    decision, _officer = _drafted(5_000_000, officer=officer)
    instant = timezone.now()
    monkeypatch.setattr("django.utils.timezone.now", lambda: instant)
    decision = case_transition(case_id=decision.pk, name="approve", actor=boss, data={},
                               expected_version=decision.version)
    case_transition(case_id=decision.pk, name="notify", actor=officer, data={}, expected_version=decision.version)
    change, _officer = _drafted(4_000_000, officer=officer, recipient=decision.recipient, procedure="change_grant",
                                reason="見直し")
    seen = _statements(lambda: case_transition(case_id=change.pk, name="approve", actor=boss, data={},
                                               expected_version=change.version))
    # the two approvals share their instant (else the later would win by it, not by its id)
    assert len(set(Determination.objects.filter(approved_at__isnull=False).values_list("approved_at", flat=True))) == 1
    assert_ledger_agrees()
    assert BudgetCommitment.objects.get().determination.case_id == change.pk
    if POSTGRESQL:
        assert not [sql for sql in seen if sql.startswith("WITH latest AS")]


def test_an_approval_dated_before_its_keys_latest_leaves_the_latest_through_the_keys_refresh(monkeypatch):
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, Stream.COMMUNITY_SUPPORT_GRANT, by=boss)
    decision, _officer = _drafted(5_000_000, officer=officer)
    decision = case_transition(case_id=decision.pk, name="approve", actor=boss, data={},
                               expected_version=decision.version)
    case_transition(case_id=decision.pk, name="notify", actor=officer, data={}, expected_version=decision.version)
    change, _officer = _drafted(4_000_000, officer=officer, recipient=decision.recipient, procedure="change_grant",
                                reason="見直し")
    earlier = timezone.now() - timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: earlier)
    seen = _statements(lambda: case_transition(case_id=change.pk, name="approve", actor=boss, data={},
                                               expected_version=change.version))
    assert_ledger_agrees()
    assert BudgetCommitment.objects.get().determination.case_id == decision.pk
    if POSTGRESQL:  # the act's write left the key alone; the window's refresh ran after it
        assert len([sql for sql in seen if sql.startswith("WITH latest AS")]) == 1


def test_a_notice_given_its_number_reads_its_plan_on_its_own_and_one_numbered_reads_it_with_the_number():
    case, officer = _approved(2_000_000)
    seen = _statements(lambda: case_transition(case_id=case.pk, name="notify", actor=officer, data={},
                                               expected_version=case.version))
    assert PaymentItem.objects.get(case=case).amount == 2_000_000
    plan = [sql for sql in seen if "grants_paymentplanrule" in sql]
    if POSTGRESQL:  # one statement numbers the notice and reads the plan, after the case's (and recipient's) lock
        (numbered,) = plan
        assert "calendars_documentsequence" in numbered
        assert seen.index(numbered) > next(i for i, sql in enumerate(seen) if 'FROM "grants_case" c' in sql)
    other, officer = _approved(1_000_000, officer=officer)
    seen = _statements(lambda: case_transition(case_id=other.pk, name="notify", actor=officer,
                                               data={"document_number": "老発第9号"}, expected_version=other.version))
    assert PaymentItem.objects.get(case=other).amount == 1_000_000
    assert not [sql for sql in seen if "calendars_documentsequence" in sql]
    assert len([sql for sql in seen if "grants_paymentplanrule" in sql]) == 1
