"""A notice's money waits for any other money decision on the same recipient (payments.services.items): it takes
the recipient's row lock before it reads what was issued. The test holds that lock from another transaction and
sees the notice wait for it (without the lock, the notice goes through at once and the test fails)."""

import psycopg
import pytest
from django.db import connection

from grants.models import Recipient
from payments.models import PaymentItem
from tests import factories as f
from tests.factories import Stream
from workflows.services import case_transition

from .conftest import database_url_for_processes
from .locks import in_background, wait_until_blocked

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks"),
]


def test_a_notice_waits_while_another_transaction_holds_its_recipient_and_then_issues_its_items(live_db):
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, Stream.COMMUNITY_SUPPORT_GRANT, by=boss)
    case = f.case(actor=officer, year=2027)
    for step, actor, data in [("request", officer, {}), ("submit", officer, {"amount": 3_000_000}),
                              ("start_review", officer, {}), ("draft", officer, {"amount": 3_000_000}),
                              ("approve", boss, {})]:
        case = case_transition(case_id=case.pk, name=step, actor=actor, data=data, expected_version=case.version)
    with psycopg.connect(database_url_for_processes()) as holder:
        holder.execute(f"SELECT id FROM {Recipient._meta.db_table} WHERE id = %s FOR NO KEY UPDATE", [case.recipient_id])
        thread, outcome = in_background(lambda: case_transition(
            case_id=case.pk, name="notify", actor=officer, data={}, expected_version=case.version
        ))
        wait_until_blocked("transactionid", thread, outcome)
        assert not PaymentItem.objects.filter(case=case).exists()
        holder.rollback()
    thread.join()
    assert "error" not in outcome, outcome
    assert sum(PaymentItem.objects.filter(case=case).values_list("amount", flat=True)) == 3_000_000
