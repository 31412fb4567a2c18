"""Row locks an act holds while it waits never block the foreign-key checks of the transaction it waits for.

PostgreSQL checks a new row's foreign keys (deferred, at COMMIT) with a
``FOR KEY SHARE`` lock on each row it points to: a history record's case and
recipient, a letter's case. The transaction committing such a record holds the
history chain's lock until then. A transaction that has locked one of those
rows ``FOR UPDATE`` and now waits for the chain (a transition), or for a row
the chain's holder has (a letter being numbered, waiting for the day's
document sequence behind a notice that waits for the chain), closes a cycle:
PostgreSQL kills one of them as a deadlock. The two-server run met it: a
letter's render task failed with "deadlock detected" and the letter stayed
unrendered. Locks taken only to serialise acts are ``FOR NO KEY UPDATE``,
which foreign-key checks pass.

Each test holds what the act waits for from a separate connection, lets the
act block on it, and asks for the ``FOR KEY SHARE`` lock with ``NOWAIT``.
"""

import psycopg
import pytest
from django.db import connection
from django.test import override_settings

from calendars.models import DocumentSequence
from grants.models import Case, Recipient
from letters.models import Letter
from letters.services.letters import letter_render
from tests import factories as f
from workflows.services import case_transition

from .conftest import database_url_for_processes
from .locks import in_background, wait_until_blocked

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks and deferred foreign keys"),
]
CHAIN_LOCK = 7_340_001  # the advisory lock history_append takes (grants.history)
# Letters stay pending until a worker draws them.
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _key_share_now(model, pk: int) -> bool:
    """Whether a foreign-key check on this row could take its lock now."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {model._meta.db_table} WHERE id = %s FOR KEY SHARE NOWAIT", [pk])
        return True
    except Exception:  # noqa: BLE001 - LockNotAvailable, as Django wraps it
        return False


def test_a_transition_waiting_for_the_history_chain_does_not_block_foreign_keys_to_its_case(live_db):
    officer = f.officer()
    case = f.case(actor=officer)
    with psycopg.connect(database_url_for_processes()) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        thread, outcome = in_background(lambda: case_transition(
            case_id=case.pk, name="request", actor=officer, data={"deadline": "2027-09-01"}, expected_version=1
        ))
        wait_until_blocked("advisory", thread, outcome)
        free = _key_share_now(Case, case.pk)
        holder.rollback()
    thread.join()
    assert "error" not in outcome, outcome
    assert free, "the transition's case lock would block a foreign-key check to the case"


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_letter_waiting_for_its_document_number_does_not_block_foreign_keys_to_its_case_or_recipient(live_db):
    officer = f.officer()
    case = case_transition(
        case_id=f.case(actor=officer).pk, name="request", actor=officer, data={"deadline": "2027-09-01"},
        expected_version=1,
    )
    letter = Letter.objects.get(case=case, kind="request")
    assert letter.status == "pending" and not letter.document_number
    DocumentSequence.objects.get_or_create(day=letter.issued_on, defaults={"last_serial": 0})
    with psycopg.connect(database_url_for_processes()) as holder:
        holder.execute(f"SELECT 1 FROM {DocumentSequence._meta.db_table} WHERE day = %s FOR UPDATE", [letter.issued_on])
        thread, outcome = in_background(lambda: letter_render(letter_id=letter.pk))
        wait_until_blocked("transactionid", thread, outcome)
        free = _key_share_now(Case, case.pk) and _key_share_now(Recipient, case.recipient_id)
        holder.rollback()
    thread.join()
    assert "error" not in outcome, outcome
    assert outcome["value"].status == "rendered"
    assert free, "numbering a letter would block a foreign-key check to its case or recipient"
