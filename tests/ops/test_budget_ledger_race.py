"""An approval's check reads the budget ledger as the act before it left it, even when that act changed the very
key the approval replaces (docs/money.md, "The budget ledger"; docs/architecture.md, "Lock order").

The check locks and reads in one statement, whose snapshot is taken before it waits: what it read of the
draft's key can be older than the year's row it locked. Here a revocation's notice takes a recipient's decision
out of the year while an approval of that recipient's change waits: the change replaces nothing any more, and
with the other recipient's grant it passes the ceiling. Read from before the wait, the change would still
replace 8,000,000 and be approved.
"""

from datetime import date

import psycopg
import pytest
from django.db import connection

from grants.models import Determination
from tests import factories as f
from tests.budget_ledger import assert_ledger_agrees
from tests.factories import Stream
from tests.payments import factories as pf
from workflows.errors import BudgetCeilingExceeded
from workflows.services import case_transition

from .conftest import database_url_for_processes
from .locks import in_background, wait_until_blocked

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's READ COMMITTED and advisory locks"),
]
CHAIN_LOCK = 7_340_001  # the advisory lock the history record's statement takes (grants.history)
CSG = Stream.COMMUNITY_SUPPORT_GRANT
ON = date(2027, 6, 1)


def _drafted(officer, amount: int, recipient, procedure="initial_grant"):
    case = f.case(actor=officer, year=2027, procedure=procedure, recipient=recipient)
    for step, data in [("request", {}), ("submit", {"amount": amount}), ("start_review", {}),
                       ("draft", {"amount": amount, "reason": "事業費の見直し"})]:
        case = pf.act(case, step, officer, **data)
    return case


def test_an_approval_waiting_on_a_revocation_of_its_own_key_reads_the_key_after_it(live_db, today):
    today(ON)
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, CSG, amount=10_000_000, by=boss)
    first, second = f.town(1), f.town(2)
    decision = pf.act(pf.act(_drafted(officer, 8_000_000, first), "approve", boss), "notify", officer, date=ON.isoformat())
    pf.act(_drafted(officer, 2_000_000, second), "approve", boss)
    change = _drafted(officer, 9_000_000, first, procedure="change_grant")
    decision = pf.act(decision, "draft_revocation", officer, reason="目的外使用", legal_basis="art_17_1")
    decision = pf.act(decision, "approve_revocation", boss)

    def act(case, name, actor):
        return lambda: case_transition(case_id=case.pk, name=name, actor=actor, data={}, expected_version=case.version,
                                       today=ON)

    with psycopg.connect(database_url_for_processes()) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        revoking, revoked = in_background(act(decision, "revoke", officer))
        wait_until_blocked("advisory", revoking, revoked)  # its budget lock taken, it waits to record
        approving, approval = in_background(act(change, "approve", boss))
        wait_until_blocked("advisory", approving, approval, sessions=2)  # behind the revocation's budget lock
        holder.rollback()
    revoking.join()
    approving.join()
    assert "error" not in revoked, revoked
    assert isinstance(approval.get("error"), BudgetCeilingExceeded), approval
    assert {name: approval["error"].details[name] for name in ("committed", "with_this")} == {
        "committed": 2_000_000, "with_this": 11_000_000,
    }
    assert Determination.objects.get(case=change).approved_at is None
    assert_ledger_agrees()
