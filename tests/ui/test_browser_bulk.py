"""Bulk approval in a real browser, as the supervisor: two drafts ticked, one approved, one refused and named."""

import pytest

from tests.factories import Stream
from grants.models import Case
from tests import factories as f
from tests.ui.test_browser import LAPTOP, PHONE, chromium, open_as, people, shot  # noqa: F401  (fixtures)
from tests.ui.test_bulk_approve import drafted

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_supervisor_bulk_approves_two_drafts_and_one_is_refused(open_as, live_server, people):
    f.budget_notice(2025, Stream.COMMUNITY_SUPPORT_GRANT, amount=5_000, by=people["boss"])
    drafted(people["officer"], f.municipality())
    drafted(people["officer"], f.municipality("122203", "流山市", "12"), amount=9_000)
    boss = open_as(people["boss"])
    boss.get_by_label("川越市を決裁対象にする").check()
    boss.get_by_label("流山市を決裁対象にする").check()
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
