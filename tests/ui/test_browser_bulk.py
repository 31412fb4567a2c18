"""Bulk approval in a real browser, as the supervisor: two drafts ticked, one approved, one refused and named."""

import pytest

from tests.factories import Stream
from grants.models import Case, Determination
from tests import factories as f
from tests.ui.test_browser import LAPTOP, PHONE, chromium, open_as, people, shot  # noqa: F401  (fixtures)
from tests.ui.test_bulk_approve import drafted

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_supervisor_bulk_approves_two_drafts_and_one_is_refused(open_as, live_server, people):
    f.budget_notice(2025, Stream.COMMUNITY_SUPPORT_GRANT, amount=5_000, by=people["boss"])
    drafted(people["officer"], f.municipality())
    drafted(people["officer"], f.municipality("122203", "流山市", "12"), amount=9_000)
    boss = open_as(people["boss"])
    boss.set_viewport_size(PHONE)  # the queue as cards: the tick-all sits in the bar above them, not in a header
    assert boss.get_by_label("一括決裁できる起案をすべてチェック").is_visible()
    boss.set_viewport_size(LAPTOP)
    boss.get_by_label("一括決裁できる起案をすべてチェック").check()  # shown by app.js
    assert boss.get_by_label("川越市を決裁対象にする").is_checked() and boss.get_by_label("流山市を決裁対象にする").is_checked()
    shot(boss, "27-bulk-approve-ticked-1366")
    boss.once("dialog", lambda dialog: dialog.accept())
    boss.get_by_role("button", name="チェックした起案を決裁").click()
    boss.wait_for_load_state()
    text = boss.content()
    assert "決裁：1件完了しました。" in text and "流山市：決裁できませんでした。" in text
    assert dict(Case.objects.values_list("recipient__code", "state")) == {"112011": "approved", "122203": "drafted"}
    shot(boss, "28-bulk-approve-result-1366")
    boss.reload()  # post/redirect/get: a reload takes no step again
    assert "決裁：1件完了しました。" not in boss.content()


def test_officer_bulk_notifies_approved_cases_in_the_lists_order(open_as, live_server, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from workflows.services import case_transition

    f.budget_notice(2025, Stream.COMMUNITY_SUPPORT_GRANT, by=people["boss"])
    for code, name, prefecture in [("122203", "流山市", "12"), ("112011", "川越市", "11")]:
        case = drafted(people["officer"], f.municipality(code, name, prefecture))
        case_transition(case_id=case.pk, name="approve", actor=people["boss"], data={}, expected_version=case.version)
    page = open_as(people["officer"])
    page.get_by_role("link", name="一括依頼・通知").click()
    page.get_by_label("操作").select_option(label="通知を発出")
    page.get_by_label("年度").select_option("2025")
    page.get_by_label("事業").select_option(Stream.COMMUNITY_SUPPORT_GRANT)
    page.get_by_label("手続", exact=True).select_option("initial_grant")
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="対象を確認").click()
    assert "2件が対象です。" in page.content()
    shot(page, "42-bulk-notify-preview-1366")
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="実行：2件に発出").click()
    assert "通知を発出：2件完了しました。" in page.content()
    assert page.get_by_test_id("batch-pdf").count() == 1
    shot(page, "43-bulk-notify-summary-1366")
    numbers = dict(
        Determination.objects.filter(notified_on__isnull=False).values_list("case__recipient__code", "document_number")
    )
    serial = {code: int(number.rsplit("第", 1)[1].removesuffix("号")) for code, number in numbers.items()}
    assert serial["112011"] + 1 == serial["122203"]  # 埼玉 (11) before 千葉 (12), one after the other
