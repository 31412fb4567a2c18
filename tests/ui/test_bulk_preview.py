"""The bulk request's preview runs the checks the step runs, writing nothing: it counts only the cases the step
would take, and names each refusal and its reason (a schedule deadline gone by asks for a deadline)."""

from datetime import date

import pytest

from grants.models import Case, HistoryEntry
from letters.models import Letter
from tests import factories as f
from tests.letters.factories import shipped_schedules

pytestmark = pytest.mark.django_db
CSG = "community_support_grant"


def test_the_preview_counts_only_what_would_go_and_asks_for_the_deadline_the_schedule_has_let_pass(client, today):
    shipped_schedules()
    f.define(2025, CSG, "initial_grant")
    today(date(2025, 4, 1))
    officer = f.officer()
    cases = [f.case(actor=officer, recipient=f.town(i)) for i in range(3)]
    today(date(2026, 3, 2))  # FY2025's application window (令和8年2月下旬, effective 2月27日) has gone by
    client.force_login(officer)
    query = {"transition": "request", "fiscal_year": 2025, "stream": CSG, "part": "", "procedure": "initial_grant"}
    before = (HistoryEntry.objects.count(), Letter.objects.count(), [c.version for c in Case.objects.order_by("pk")])

    preview = client.get("/bulk/request/", query, HTTP_ACCEPT_LANGUAGE="ja")
    body = preview.content.decode()
    assert preview.status_code == 200 and "0件が対象です。" in body and "件に発出" not in body
    passed = "スケジュール上の期限（令和8年2月27日）を過ぎています。この依頼の期限を入力してください。"
    assert body.count(passed) == len(cases) + 1  # each case's row, and once at the deadline field
    assert 'class="field__error"' in body and "2026-02-27" not in body
    assert preview.context["ready_count"] == 0

    given = client.get("/bulk/request/", query | {"deadline": "2026-03-16"}, HTTP_ACCEPT_LANGUAGE="ja")
    body = given.content.decode()
    assert given.status_code == 200 and "3件が対象です。" in body and "3件に発出" in body and passed not in body
    # a deadline before the day is refused at the field too, and nothing would go
    early = client.get("/bulk/request/", query | {"deadline": "2026-03-01"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert "0件が対象です。" in early.content.decode() and "期限は依頼の日（令和8年3月2日）より後" in early.content.decode()

    after = (HistoryEntry.objects.count(), Letter.objects.count(), [c.version for c in Case.objects.order_by("pk")])
    assert after == before  # previews write nothing
