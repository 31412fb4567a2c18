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

import re

import psycopg
import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from grants.errors import StaleCase
from grants.history import _PG_CHAIN_LOCK
from grants.models import Case, Determination, HistoryEntry
from letters.models import Letter
from tests import factories as f
from tests.letters.factories import act
from workflows.services import _one_statement
from workflows.steps import vocabulary

from .conftest import database_url_for_processes
from .locks import in_background, wait_until_blocked

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's acts of one statement"),
]
CHAIN_LOCK = _PG_CHAIN_LOCK  # the advisory lock of the history chain
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _chain_free() -> bool:
    """Whether another transaction could take the history chain's lock now."""
    with psycopg.connect(database_url_for_processes()) as probe:
        free = probe.execute("SELECT pg_try_advisory_xact_lock(%s)", [CHAIN_LOCK]).fetchone()[0]
        probe.rollback()
    return free


def _statements(act) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        outcome = act()
    return outcome, [query["sql"] for query in queries.captured_queries]


def _case_reads(seen: list[str]) -> list[str]:
    return [sql for sql in seen if sql.startswith("SELECT") and 'FROM "grants_case" c' in sql]


def test_the_steps_of_one_statement_are_those_that_move_no_money_and_neither_approve_nor_notify():
    alone = {name for name, declared in vocabulary().items() if declared.step.one_statement}
    assert alone == {
        "accept", "draft", "draft_revocation", "forward", "present_amount", "record_ministry_decision",
        "record_ministry_payment", "request", "request_consultation", "return_consultation", "return_for_correction",
        "send_back", "send_back_ministry_decision", "send_back_revocation", "start_review", "submit",
        "submit_consultation", "submit_expected_amounts", "withdraw", "withdraw_revocation",
    }
    assert set(vocabulary()) - alone == {"approve", "approve_revocation", "confirm_ministry_decision", "notify", "revoke"}
    # of those, a withdrawal moves the case out of the states that commit (its budget ledger key), so it is
    # played in a transaction from the start: 19 of the vocabulary's 25 steps go as one statement
    going_alone = {name for name in vocabulary() if _one_statement(name)}
    assert alone - going_alone == {"withdraw"} and len(going_alone) == 19


@override_settings(TASKS=DATABASE_QUEUE)
def test_outside_a_transaction_such_an_act_is_its_read_and_one_write_that_checks_the_version(live_db):
    officer = f.officer()
    case = f.case(actor=officer, year=2027)
    act(f.case(actor=officer, year=2027, recipient=f.town(3)), "request", officer, deadline="2027-09-01")
    moved, seen = _statements(lambda: act(case, "request", officer, deadline="2027-09-01"))
    assert moved.state == "requested" and moved.version == 2
    (read, write) = seen
    assert read in _case_reads(seen) and "FOR NO KEY UPDATE" not in read and "FOR UPDATE" not in read
    assert write.startswith("WITH asked0 AS (") and re.search(r'WHERE "id" = \d+ AND version = 1 AND EXISTS', write)
    assert HistoryEntry.objects.filter(case=case, action="request").count() == 1


def test_inside_a_callers_transaction_an_act_is_refused_as_every_act_is(live_db):
    """An act is a transaction of its own (durable): a caller's transaction around it is refused, whether or not
    its step could be one statement, rather than the act being rolled back with the caller's later."""
    officer = f.officer()
    case = f.case(actor=officer, year=2027)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        act(case, "request", officer, deadline="2027-09-01")
    assert Case.objects.get(pk=case.pk).state == "planned"


def test_a_step_that_moves_the_case_out_of_the_committing_states_is_played_in_a_transaction_at_once(live_db):
    """A withdrawal changes the budget ledger's key (the lock and refresh are statements of their own): decided
    from the step's states before the act is played, so the case is read once, locked."""
    officer = f.officer()
    case = act(f.case(actor=officer, year=2027), "request", officer, deadline="2027-09-01")
    _withdrawn, seen = _statements(lambda: act(case, "withdraw", officer, reason="取下げ"))
    (read,) = _case_reads(seen)
    assert read.endswith("FOR NO KEY UPDATE OF c")


@pytest.mark.parametrize("name", ["submit", "draft"])
def test_an_act_of_one_statement_whose_case_another_changed_meanwhile_writes_nothing_and_is_refused(live_db, name):
    """The act waits for the case's row behind the other transaction, without the history chain's lock; when
    the other commits a new version, the act's statement writes nothing (no record, no determination, not the
    case) and the act ends refused as stale, as a transaction that read the case after it would."""
    officer = f.officer()
    case = act(f.case(actor=officer, year=2027), "request", officer, deadline="2027-09-01")
    if name == "draft":
        case = act(case, "submit", officer, amount=1_000_000)
        case = act(case, "start_review", officer)
    data = {"amount": 1_000_000}
    records, determinations = HistoryEntry.objects.count(), Determination.objects.count()
    with psycopg.connect(database_url_for_processes()) as holder:
        holder.execute("UPDATE grants_case SET version = version + 1 WHERE id = %s", [case.pk])
        thread, outcome = in_background(lambda: act(case, name, officer, **data))
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
    first = act(f.case(actor=officer, year=2027), "request", officer, deadline="2027-09-01")
    (drain,) = DBTaskResult.objects.filter(status="READY")
    second = f.case(actor=officer, year=2027, recipient=f.town(8))
    with psycopg.connect(database_url_for_processes()) as worker:
        worker.execute("SELECT 1 FROM django_tasks_database_dbtaskresult WHERE id = %s FOR UPDATE", [drain.pk])
        second = act(second, "request", officer, deadline="2027-09-01")
        worker.rollback()
    assert second.state == "requested"
    assert Letter.objects.filter(case__in=[first, second], kind="request", status="pending").count() == 2
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    assert HistoryEntry.objects.filter(case=second, action="request").count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_an_act_of_one_statement_relies_on_the_ready_drain_it_found_and_locked(live_db):
    officer = f.officer()
    act(f.case(actor=officer, year=2027), "request", officer, deadline="2027-09-01")
    (drain,) = DBTaskResult.objects.all()
    for number in range(3):
        _moved, seen = _statements(lambda number=number: act(
            f.case(actor=officer, year=2027, recipient=f.town(10 + number)), "request", officer,
            deadline="2027-09-01"))
        (read,) = _case_reads(seen)
        assert "FOR NO KEY UPDATE" not in read  # the act ran alone, not in the transaction of its fallback
    assert list(DBTaskResult.objects.all()) == [drain]
    assert Letter.objects.filter(kind="request", status="pending").count() == 4


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_letter_act_of_one_statement_whose_case_another_changed_leaves_no_letter_and_the_drain_ready(live_db):
    officer = f.officer()
    act(f.case(actor=officer, year=2027), "request", officer, deadline="2027-09-01")
    (drain,) = DBTaskResult.objects.all()
    case = f.case(actor=officer, year=2027, recipient=f.town(4))
    letters = Letter.objects.count()
    with psycopg.connect(database_url_for_processes()) as holder:
        holder.execute("UPDATE grants_case SET version = version + 1 WHERE id = %s", [case.pk])
        thread, outcome = in_background(lambda: act(case, "request", officer, deadline="2027-09-01"))
        wait_until_blocked("transactionid", thread, outcome)
        holder.commit()
    thread.join()
    assert isinstance(outcome.get("error"), StaleCase), outcome
    assert Letter.objects.count() == letters
    assert list(DBTaskResult.objects.values_list("pk", "status")) == [(drain.pk, "READY")]
    with psycopg.connect(database_url_for_processes()) as worker:  # a worker can claim it: nothing holds it
        claimed = worker.execute(
            "SELECT id FROM django_tasks_database_dbtaskresult WHERE id = %s FOR UPDATE NOWAIT", [drain.pk]
        ).fetchone()
    assert claimed is not None


def test_with_a_queue_that_runs_at_once_the_letter_is_drawn_after_the_acts_statement(live_db, settings, tmp_path):
    """The immediate queue draws the letter when the act commits, here once its one statement has: the drawing's
    statements all come after the act's write."""
    settings.MEDIA_ROOT = tmp_path
    officer = f.officer()
    case, seen = _statements(lambda: act(f.case(actor=officer, year=2027), "request", officer,
                                         deadline="2027-09-01"))
    (write,) = [number for number, sql in enumerate(seen) if sql.startswith("WITH") and "grants_historyentry" in sql]
    letter = Letter.objects.get(case=case, kind="request")
    table = Letter._meta.db_table
    drawing = [number for number, sql in enumerate(seen) if sql.startswith(f'UPDATE "{table}"')]
    assert drawing and min(drawing) > write, seen
    assert letter.status == "rendered" and letter.pdf.name
    assert HistoryEntry.objects.filter(case=case, action="request").count() == 1
