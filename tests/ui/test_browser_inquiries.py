"""The inquiry register in a real browser: an officer records a question from the register's page, finds
it open, answers it on its page and sees the business days it took; the worklist counts it while open."""

import pytest

from grants.models import Recipient
from inquiries.models import Inquiry
from tests import factories as f
from tests.factories import Stream
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def inquiry_form_filled(page, live_server, *, asker: str):
    """The register's form to record an inquiry, opened and filled as an officer does, with ``asker`` typed."""
    page.goto(f"{live_server.url}/inquiries/")
    page.get_by_text("疑義照会を記録する").click()
    form = page.get_by_test_id("inquiry-create")
    form.get_by_label("受領日").fill("2025-08-29")
    form.get_by_label("照会元", exact=True).fill(asker)
    form.get_by_label("事業").select_option(Stream.COMMUNITY_SUPPORT_GRANT)
    form.get_by_label("照会内容").fill("備品購入費は補助対象経費に含まれますか。")
    return form


def test_an_officer_records_an_inquiry_and_answers_it(open_as, live_server, people):
    f.municipality()  # 川越市
    officer = open_as(people["officer"])
    form = inquiry_form_filled(officer, live_server, asker="112011")
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


def test_an_officer_names_the_asker_by_its_reading_and_is_asked_for_the_code_when_several_match(
    open_as, live_server, people
):
    kawagoe = f.municipality()
    Recipient.objects.filter(pk=kawagoe.pk).update(name_kana="カワゴエシ")
    Recipient.objects.filter(pk=f.municipality("112038", "川口市").pk).update(name_kana="カワグチシ")
    officer = open_as(people["officer"])
    form = inquiry_form_filled(officer, live_server, asker="かわ")
    with officer.expect_navigation():
        form.get_by_role("button", name="疑義照会を記録").click()
    error = officer.get_by_test_id("inquiry-create").locator(".field__error")
    assert "川越市 (112011)" in error.inner_text() and "川口市 (112038)" in error.inner_text()
    assert not Inquiry.objects.exists()
    shot(officer, "46-inquiry-asker-several-1366")
    form = officer.get_by_test_id("inquiry-create")
    form.get_by_label("照会元", exact=True).fill("かわごえ")
    with officer.expect_navigation():
        form.get_by_role("button", name="疑義照会を記録").click()
    assert "疑義照会を記録しました。" in officer.content()
    assert Inquiry.objects.get().asker == kawagoe


def test_the_disclosure_marker_stays_on_the_line_of_record_an_inquiry_at_1366_px(open_as, live_server, people):
    """The ▶ of the 疑義照会を記録する disclosure sits before its label, not on a line of its own above it."""
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/inquiries/")
    summary = page.locator("summary", has_text="疑義照会を記録する")
    box, label = summary.bounding_box(), summary.locator("h2").bounding_box()
    assert box["height"] < 1.5 * label["height"], (box, label)  # one line: the marker's and the label's
    assert label["x"] - box["x"] > 8  # the marker takes the room before the label
    shot(page, "46-inquiries-record-summary-1366")
