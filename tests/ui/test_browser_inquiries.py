"""The inquiry register in a real browser: an officer records a question from the register's page, finds
it open, answers it on its page and sees the business days it took; the worklist counts it while open."""

import pytest

from inquiries.models import Inquiry
from tests import factories as f
from tests.factories import Stream
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_an_officer_records_an_inquiry_and_answers_it(open_as, live_server, people):
    f.municipality()  # 川越市
    officer = open_as(people["officer"])
    officer.goto(f"{live_server.url}/inquiries/")
    officer.get_by_text("疑義照会を記録する").click()
    form = officer.get_by_test_id("inquiry-create")
    form.get_by_label("受領日").fill("2025-08-29")
    form.get_by_label("照会元（団体コード）").fill("112011")
    form.get_by_label("事業").select_option(Stream.COMMUNITY_SUPPORT_GRANT)
    form.get_by_label("照会内容").fill("備品購入費は補助対象経費に含まれますか。")
    form.get_by_role("button", name="疑義照会を記録").click()
    officer.wait_for_load_state()
    assert "疑義照会を記録しました。" in officer.content()
    assert officer.get_by_test_id("inquiry-status").inner_text() == "未回答"

    officer.goto(f"{live_server.url}/cases/")
    assert officer.get_by_test_id("open-inquiries").inner_text().endswith("1")
    officer.get_by_test_id("open-inquiries").click()
    officer.get_by_role("link", name="備品購入費は補助対象経費に含まれますか。").click()
    answer = officer.get_by_test_id("inquiry-answer-form")
    answer.get_by_label("回答日").fill("2025-09-01")
    answer.get_by_label("回答", exact=True).fill("含まれます。交付要綱の別表をご確認ください。")
    answer.get_by_role("button", name="回答を記録").click()
    officer.wait_for_load_state()
    assert officer.get_by_test_id("inquiry-status").inner_text() == "回答済"
    assert "（受付から開庁日1日）" in officer.get_by_test_id("inquiry-answered").inner_text()
    shot(officer, "40-inquiry-answered")
    inquiry = Inquiry.objects.get()
    assert inquiry.answered_by == people["officer"] and inquiry.business_days == 1
