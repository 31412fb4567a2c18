"""The six pages people work from (worklist, case page, calendar, history search,
dashboard, approval queue) issue the same number of queries for 10 cases as
for 1,000."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.models import Case, CaseState, Determination, DeterminationKind, HistoryEntry, Recipient, RecipientKind
from tests.factories import Stream
from tests import factories as f

pytestmark = pytest.mark.django_db


def add_cases(count: int, *, start: int, officer, month: date, year: int = 2025) -> None:
    """``count`` requested cases of fiscal ``year`` (and one history record each), deadlines spread over ``month``;
    every tenth drafted instead, with its determination, so the approval queue fills too."""
    f.fiscal_year(year)
    f.prefecture("11")
    recipients = Recipient.objects.bulk_create(
        [
            Recipient(
                code=f.municipality_code(n), name_ja=f"市{n}", name_en=f"city {n}", kind=RecipientKind.MUNICIPALITY,
                municipality_type="city", prefecture_code="11", addressee_ja=f"市{n}長　殿",
            )
            for n in range(start, start + count)
        ]
    )
    cases = Case.objects.bulk_create(
        [
            Case(
                fiscal_year_id=year, stream=Stream.COMMUNITY_SUPPORT_GRANT, procedure="initial_grant",
                recipient=recipient, state=CaseState.REQUESTED, officer=officer,
                deadline_stated=month + timedelta(days=n % 28), deadline_effective=month + timedelta(days=n % 28),
            )
            for n, recipient in enumerate(recipients)
        ]
    )
    now = timezone.now()
    drafted = cases[::10]
    Case.objects.filter(pk__in=[case.pk for case in drafted]).update(state=CaseState.DRAFTED, amount_requested=1_000_000)
    Determination.objects.bulk_create(
        [
            Determination(case=case, kind=DeterminationKind.DECISION, amount=900_000, previous_amount=1_000_000,
                          reason="対象外経費", drafted_by=officer, drafted_at=now)
            for case in drafted
        ]
    )
    HistoryEntry.objects.bulk_create(
        [
            HistoryEntry(
                occurred_at=now, actor=officer, actor_role="officer", subject_type="case", subject_id=str(case.pk),
                case=case, fiscal_year=year, stream=case.stream, recipient=case.recipient, action="request",
                source="planned", target="requested", data={"fields": {"deadline": "2025-11-28"}},
                prev_hash="0" * 64, hash=f"{case.pk:064x}",
            )
            for case in cases
        ]
    )


def queries(client, user, url: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_list_pages_do_not_issue_more_queries_for_more_rows(client):
    officer, boss, auditor = f.officer(), f.supervisor(), f.auditor()
    month = date(2025, 11, 1)
    pages = [
        (officer, "/cases/"),
        (officer, "/cases/?fiscal_year=2025&stream=community_support_grant&state=requested&prefecture=11"),
        (boss, "/calendar/?view=month&month=2025-11"),
        (boss, "/calendar/?view=week&week=2025-11-10"),
        (boss, "/calendar/?view=list&fiscal_year=2025"),
        (auditor, "/history/"),
        (auditor, "/history/?fiscal_year=2025&actor=" + officer.username),
        (boss, "/dashboard/?fiscal_year=2025"),
        (boss, "/approvals/"),
    ]
    add_cases(10, start=0, officer=officer, month=month)
    first = Case.objects.order_by("pk").first()
    pages.append((officer, f"/cases/{first.pk}/"))
    small = [queries(client, user, url) for user, url in pages]
    add_cases(990, start=10, officer=officer, month=month)
    assert Case.objects.count() == 1000
    large = [queries(client, user, url) for user, url in pages]
    assert large == small, list(zip([url for _, url in pages], small, large))
    assert max(small) <= 15


def test_approval_queue_reads_the_budgets_of_all_its_years_together(client):
    """Each draft on the queue shows its own year's budget position, and drafts of three fiscal years cost as
    many queries as drafts of one: the page's years are read together, not one after the other."""
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2025, Stream.COMMUNITY_SUPPORT_GRANT, amount=5_000_000, by=boss)
    f.budget_notice(2027, Stream.COMMUNITY_SUPPORT_GRANT, amount=7_000_000, by=boss)
    add_cases(10, start=0, officer=officer, month=date(2025, 11, 1))
    one_year = queries(client, boss, "/approvals/")
    add_cases(10, start=10, officer=officer, month=date(2026, 11, 1), year=2026)  # no notice in 2026
    add_cases(10, start=20, officer=officer, month=date(2027, 11, 1), year=2027)
    assert queries(client, boss, "/approvals/") == one_year
    page = client.get("/approvals/").content.decode()
    cells = re.findall(r'data-testid="budget-cover">(.*?)</td>', page, re.S)
    assert len(cells) == 3
    by_year = sorted(cells, key=lambda cell: ("5,000,000" not in cell, "7,000,000" not in cell))
    assert "badge--ok" in by_year[0] and "5,000,000" in by_year[0]  # 2025: 900,000 of 5,000,000
    assert "badge--ok" in by_year[1] and "7,000,000" in by_year[1]  # 2027: of its own notices, not 2025's
    assert "badge--overdue" in by_year[2] and "5,000,000" not in by_year[2]  # 2026: no notice, not covered
