"""Two supervisors approving at once cannot together pass the budget ceiling (docs/money.md, "Budget ceilings").

PostgreSQL reads under READ COMMITTED: an approval that has checked the
ceiling but not yet committed is invisible to another approval's check. The
test makes that window as wide as it likes: it holds the history chain's lock,
so the first approval, its check done, waits at its record; the second is
started only then. Both fit the ceiling alone, not together: exactly one may
be approved.
"""

import psycopg
import pytest
from django.db import connection

from grants.models import Determination, HistoryEntry
from tests import factories as f
from tests.factories import Stream
from workflows.errors import BudgetCeilingExceeded
from workflows.services import case_transition

from .conftest import database_url_for_processes
from .locks import in_background, wait_until_blocked

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's READ COMMITTED and advisory locks"),
]
CHAIN_LOCK = 7_340_001  # the advisory lock the history record's statement takes (grants.history)


def _drafted(officer, amount: int, number: int):
    case = f.case(actor=officer, year=2027, recipient=f.town(number))
    for step, data in [("request", {}), ("submit", {"amount": amount}), ("start_review", {}), ("draft", {"amount": amount})]:
        case = case_transition(case_id=case.pk, name=step, actor=officer, data=data, expected_version=case.version)
    return case


def test_two_approvals_at_once_that_together_pass_the_ceiling_approve_one(live_db):
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, Stream.COMMUNITY_SUPPORT_GRANT, amount=10_000_000, by=boss)
    cases = [_drafted(officer, 6_000_000, number) for number in (1, 2)]

    def approve(case):
        return lambda: case_transition(case_id=case.pk, name="approve", actor=boss, data={}, expected_version=case.version)

    with psycopg.connect(database_url_for_processes()) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        first, first_outcome = in_background(approve(cases[0]))
        wait_until_blocked("advisory", first, first_outcome)  # its check passed; it waits to record
        second, second_outcome = in_background(approve(cases[1]))
        wait_until_blocked("advisory", second, second_outcome, sessions=2)
        holder.rollback()
    first.join()
    second.join()
    assert "error" not in first_outcome, first_outcome
    assert isinstance(second_outcome.get("error"), BudgetCeilingExceeded), second_outcome
    assert second_outcome["error"].details["committed"] == 6_000_000
    assert Determination.objects.filter(approved_at__isnull=False).count() == 1
    assert HistoryEntry.objects.filter(action="approve").count() == 1
