"""Master data in a real browser, as the administrator: the addressee line of Saitama's working letters is
edited in the admin (in Japanese), the code and kind are shown but not editable, and the edit is recorded."""

import pytest

from grants.history import history_verify
from grants.models import HistoryEntry, Recipient, Role
from tests import factories as f
from tests.ui.test_browser import chromium, open_as, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]
HEAD = "埼玉県福祉部地域包括ケア課長　殿"


def test_administrator_edits_an_addressee_in_the_admin(open_as, live_server):
    f.municipality()  # 川越市: its requests go to Saitama's division head
    admin = f.UserFactory(role=Role.ADMINISTRATOR, is_staff=True, username="yamada", first_name="山田 四郎")
    page = open_as(admin)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="交付先").first.click()
    page.wait_for_load_state()
    page.locator("#searchbar").fill("埼玉")
    page.locator("#searchbar").press("Enter")
    page.wait_for_load_state()
    shot(page, "60-admin-recipients-1366")
    page.locator("#result_list").get_by_role("link", name="11", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("input[name=code], select[name=kind]").count() == 0
    assert "団体コード" in page.content() and "全国地方公共団体コードの一覧から" in page.content()
    field = page.get_by_label("文書の宛先")
    field.fill("埼玉県介護保険主管部（局）長　殿")
    page.get_by_role("button", name="保存して編集を続ける").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() == 1 and not HistoryEntry.objects.filter(subject_type="recipient")
    page.get_by_label("文書の宛先").fill(HEAD)
    page.get_by_role("button", name="保存して編集を続ける").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1
    assert page.get_by_label("文書の宛先").input_value() == HEAD
    shot(page, "60-admin-addressee-1366")
    officer = f.officer(prefectures=("11",), username="tanaka", first_name="田中 一郎")
    page.goto(f"{live_server.url}/admin/auth/user/{officer.pk}/change/")
    assert "担当範囲（この利用者が担当する事業と都道府県）" in page.content()
    shot(page, "60-admin-user-scope-1366")
    assert Recipient.objects.get(code="11").addressee_ja == HEAD
    record = HistoryEntry.objects.get(subject_type="recipient")
    assert record.actor == admin and record.data["after"] == HEAD and history_verify().ok
