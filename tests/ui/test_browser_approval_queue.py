"""The approval queue in a real browser: a budget badge (示達額内 / 示達額不足) stands on the drafts a budget
applies to — decisions and changes — and on no revocation, which commits nothing."""

from datetime import date

import pytest

from tests import factories as f
from tests.payments import factories as pf
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_a_revocation_row_carries_no_budget_badge(open_as, live_server, people):
    officer, boss = people["officer"], people["boss"]
    revoking = pf.notified(officer=officer, boss=boss, year=2025, amount=10_000_000, on=date(2025, 10, 1))
    pf.act(revoking, "draft_revocation", officer, reason="補助目的外への使用", legal_basis="art_17_1", date="2025-11-01")
    drafted = f.case(actor=officer, recipient=f.municipality("122203", "流山市", "12"))
    for name, data in [("request", {}), ("submit", {"amount": 5_000_000}), ("start_review", {}),
                       ("draft", {"amount": 5_000_000})]:
        drafted = pf.act(drafted, name, officer, **data)
    page = open_as(boss)
    page.goto(f"{live_server.url}/approvals/")
    revocation = page.locator("tbody tr").filter(has_text="川越市")
    decision = page.locator("tbody tr").filter(has_text="流山市")
    assert "取消" in revocation.inner_text()
    assert "示達額内" not in revocation.inner_text() and "示達額不足" not in revocation.inner_text()
    assert "示達不要" in revocation.inner_text()
    assert "示達額内" in decision.inner_text()
    shot(page, "41-approval-queue-revocation-1366")


def test_when_a_draft_was_made_breaks_between_its_date_and_time_never_inside_the_date(open_as, live_server, people):
    officer, boss = people["officer"], people["boss"]
    for n in range(2):
        drafted = f.case(actor=officer, recipient=f.town(n))
        for name, data in [("request", {}), ("submit", {"amount": 5_000_000}), ("start_review", {}),
                           ("draft", {"amount": 5_000_000})]:
            drafted = pf.act(drafted, name, officer, **data)
    page = open_as(boss)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/approvals/")
    stamps = page.locator("tbody .stamp")
    assert stamps.count() == 2
    for index in range(stamps.count()):
        # the lines the date part (up to the space) takes up in the page: one
        date_lines = stamps.nth(index).evaluate(
            """el => { const text = el.firstChild; const range = document.createRange();
                       range.setStart(text, 0); range.setEnd(text, text.data.indexOf(' '));
                       return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""
        )
        assert date_lines == 1, stamps.nth(index).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the queue still fits
