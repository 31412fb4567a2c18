"""The bulk request's preview in a real browser: when the schedule's deadline has gone by, no case is counted as
going, each row says why in the era (令和8年2月27日), the deadline field asks for one; given one, all go."""

from datetime import date

import pytest

from tests import factories as f
from tests.letters.factories import shipped_schedules
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_the_preview_counts_only_what_would_go_and_asks_for_a_deadline(open_as, live_server, people, today):
    shipped_schedules()
    f.define(2025, "community_support_grant", "initial_grant")
    for number in range(3):
        f.case(actor=people["officer"], recipient=f.town(number))
    today(date(2026, 3, 2))  # FY2025's application window closed on 令和8年2月27日
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/bulk/request/?transition=request&fiscal_year=2025&stream=community_support_grant"
              "&part=&procedure=initial_grant")
    preview = page.locator("#h-preview").locator("xpath=..")
    assert "0件が対象です。" in preview.inner_text()
    passed = "スケジュール上の期限（令和8年2月27日）を過ぎています。この依頼の期限を入力してください。"
    assert preview.get_by_text(passed).count() == 3 and "2026-02-27" not in page.content()
    assert passed in page.locator(".field__error").first.inner_text()
    assert page.get_by_role("button", name="件に発出").count() == 0
    shot(page, "45-bulk-preview-deadline-passed-1366")

    page.get_by_label("期限").fill("2026-03-16")
    page.get_by_role("button", name="対象を確認").click()
    page.wait_for_load_state()
    assert "3件が対象です。" in page.locator("#h-preview").locator("xpath=..").inner_text()
    assert page.get_by_role("button", name="3件に発出").count() == 1
