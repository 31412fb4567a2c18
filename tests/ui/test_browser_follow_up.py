"""The renewed request (再依頼) in a real browser, as the officer: sent from an overdue case's page after a
confirmation, refused the same day with the reason, and its day shown on the worklist."""

from datetime import date

import pytest

from letters.models import FollowUp, Letter
from tests.letters.factories import reminder_rules, requested_case
from tests import factories as f
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_officer_sends_a_renewed_request_for_an_overdue_case(open_as, live_server, people, today, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    reminder_rules()
    today(date(2026, 2, 2))
    case = requested_case(
        officer=people["officer"], deadline="2026-02-27", recipient=f.municipality("112089", "所沢市")
    )
    today(date(2026, 3, 3))
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    section = page.get_by_test_id("follow-up")
    assert "まだ督促・再依頼は送付していません。" in section.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="再依頼を送付").click()
    page.wait_for_load_state()
    assert "再依頼を送付しました。" in page.content()
    assert "最後の督促・再依頼は令和8年3月3日に送付しました。" in section.inner_text()
    button = section.get_by_role("button", name="再依頼を送付")
    assert button.is_disabled()
    assert "本日すでにこの案件の督促・再依頼を送付しています" in section.inner_text()
    assert "督促" in page.get_by_test_id("letters").inner_text()
    shot(page, "40-follow-up-sent-1366")
    assert FollowUp.objects.filter(case=case).count() == 1
    assert Letter.objects.filter(case=case, kind="overdue_demand").count() == 1
    page.reload()  # post/redirect/get: a reload sends nothing more
    assert FollowUp.objects.filter(case=case).count() == 1
    page.goto(f"{live_server.url}/cases/")
    row = page.locator("tr", has_text="所沢市")
    assert "令和8年3月3日" in row.inner_text()
    shot(page, "41-worklist-last-reminder-1366")
