"""Acts of one statement on PostgreSQL (docs/architecture.md, "Acts of one statement").

A step that moves no money and neither approves nor notifies is read without
the case's row lock and written in one statement outside any transaction of
its own, which checks the version the act read. Each test holds, from a
connection of its own, what such an act meets when another transaction gets
there first: the case (another act changing it), a drain task (a worker
claiming it). The act must then write nothing of its own, keep the lock order
(the case before the history chain), and end as a transaction would have:
refused as stale, or written with a drain queued inside its transaction.
"""

import psycopg
import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from grants.errors import StaleCase
from grants.models import Case, Determination, HistoryEntry
from letters.models import Letter
from tests import factories as f
from workflows.services import case_transition
from workflows.steps import step_declared

from .conftest import database_url_for_processes
from .locks import in_background, wait_until_blocked

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's acts of one statement"),
]
CHAIN_LOCK = 7_340_001  # the advisory lock of the history chain (grants.history)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _act(case: Case, name: str, actor, data=None) -> Case:
    return case_transition(case_id=case.pk, name=name, actor=actor, data=data or {}, expected_version=case.version)


def _chain_free() -> bool:
    """Whether another transaction could take the history chain's lock now."""
    with psycopg.connect(database_url_for_processes()) as probe:
        free = probe.execute("SELECT pg_try_advisory_xact_lock(%s)", [CHAIN_LOCK]).fetchone()[0]
        probe.rollback()
    return free


def test_the_steps_of_one_statement_are_those_that_move_no_money_and_neither_approve_nor_notify():
    alone = {name for name in ("request", "submit", "start_review", "draft", "approve", "notify")
             if step_declared(name).step.one_statement}
    assert alone == {"request", "submit", "start_review", "draft"}


@pytest.mark.parametrize("name", ["submit", "draft"])
def test_an_act_of_one_statement_whose_case_another_changed_meanwhile_writes_nothing_and_is_refused(live_db, name):
    """The act waits for the case's row behind the other transaction, without the history chain's lock; when
    the other commits a new version, the act's statement writes nothing (no record, no determination, not the
    case) and the act ends refused as stale, as a transaction that read the case after it would."""
    officer = f.officer()
    case = _act(f.case(actor=officer, year=2027), "request", officer, {"deadline": "2027-09-01"})
    if name == "draft":
        case = _act(case, "submit", officer, {"amount": 1_000_000})
        case = _act(case, "start_review", officer)
    data = {"amount": 1_000_000}
    records, determinations = HistoryEntry.objects.count(), Determination.objects.count()
    with psycopg.connect(database_url_for_processes()) as holder:
        holder.execute("UPDATE grants_case SET version = version + 1 WHERE id = %s", [case.pk])
        thread, outcome = in_background(lambda: _act(case, name, officer, data))
        wait_until_blocked("transactionid", thread, outcome)
        chain_free = _chain_free()
        holder.commit()
    thread.join()
    assert chain_free, "an act waiting for its case held the history chain (the lock order is the case first)"
    assert isinstance(outcome.get("error"), StaleCase), outcome
    assert outcome["error"].details == {"current_version": case.version + 1, "expected_version": case.version}
    assert (HistoryEntry.objects.count(), Determination.objects.count()) == (records, determinations)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.version) == (case.state, case.version + 1)


@override_settings(TASKS=DATABASE_QUEUE)
def test_an_act_of_one_statement_that_finds_no_ready_drain_queues_one_in_its_transaction(live_db):
    """The one READY drain is held by a worker claiming it (``SKIP LOCKED`` passes it by): the act's statement
    writes nothing, and the act is written in a transaction that queues a drain of its own with the letter."""
    officer = f.officer()
    first = _act(f.case(actor=officer, year=2027), "request", officer, {"deadline": "2027-09-01"})
    (drain,) = DBTaskResult.objects.filter(status="READY")
    second = f.case(actor=officer, year=2027, recipient=f.town(8))
    with psycopg.connect(database_url_for_processes()) as worker:
        worker.execute("SELECT 1 FROM django_tasks_database_dbtaskresult WHERE id = %s FOR UPDATE", [drain.pk])
        second = _act(second, "request", officer, {"deadline": "2027-09-01"})
        worker.rollback()
    assert second.state == "requested"
    assert Letter.objects.filter(case__in=[first, second], kind="request", status="pending").count() == 2
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    assert HistoryEntry.objects.filter(case=second, action="request").count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_an_act_of_one_statement_relies_on_the_ready_drain_it_found_and_locked(live_db):
    officer = f.officer()
    _act(f.case(actor=officer, year=2027), "request", officer, {"deadline": "2027-09-01"})
    (drain,) = DBTaskResult.objects.all()
    for number in range(3):
        _act(f.case(actor=officer, year=2027, recipient=f.town(10 + number)), "request", officer,
             {"deadline": "2027-09-01"})
    assert list(DBTaskResult.objects.all()) == [drain]
    assert Letter.objects.filter(kind="request", status="pending").count() == 4
