"""What an act sends to the database: the reads and writes that ride on statements the act makes anyway
(docs/architecture.md, "The one write path"). Each test names the statement it expects folded, so that
undoing the fold fails it; the outcome (items, letters, drains) is checked as well."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments.models import PaymentItem
from tests import factories as f
from tests.factories import Stream
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"


def _approved(amount: int):
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2027, Stream.COMMUNITY_SUPPORT_GRANT, by=boss)
    case = f.case(actor=officer, year=2027)
    for step, actor, data in [("request", officer, {}), ("submit", officer, {"amount": amount}),
                              ("start_review", officer, {}), ("draft", officer, {"amount": amount}),
                              ("approve", boss, {})]:
        case = case_transition(case_id=case.pk, name=step, actor=actor, data=data, expected_version=case.version)
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
    # an act that moves no money locks the case alone
    seen = _statements(lambda: case_transition(case_id=f.case(actor=officer, year=2027, recipient=f.town(5)).pk,
                                               name="request", actor=officer, data={}, expected_version=1))
    (read,) = [sql for sql in seen if sql.startswith("SELECT") and 'FROM "grants_case" c' in sql]
    assert read.endswith("FOR NO KEY UPDATE OF c")
