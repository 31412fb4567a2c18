"""A field's error is announced the same way on every form, in a real browser: the error text is in an
element with role="alert", the field says aria-invalid="true" and names that element in its
aria-describedby, so a screen reader reads the error with the field (one form of each kind)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.factories import Stream
from tests.ui.test_browser import chromium, open_as, people, take_step  # noqa: F401  (fixtures)
from tests.ui.test_bulk_approve import drafted
from workflows.services import case_transition

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]
CSG = Stream.COMMUNITY_SUPPORT_GRANT
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def assert_announced(page, field, text: str) -> None:
    """``field`` is marked invalid and described by an alert that says ``text``."""
    assert field.get_attribute("aria-invalid") == "true"
    described_by = (field.get_attribute("aria-describedby") or "").split()
    alerts = [page.locator(f'[id="{element_id}"][role="alert"]') for element_id in described_by]
    said = [alert.inner_text() for alert in alerts if alert.count() == 1]
    assert any(text in words for words in said), (described_by, said)


def test_a_case_step_form_announces_its_field_error(open_as, live_server, people):
    f.budget_notice(2025, CSG, by=people["boss"])
    case = f.case(actor=people["officer"])
    for name, data in [("request", {}), ("submit", {"amount": 1_000}), ("start_review", {})]:
        case = case_transition(case_id=case.pk, name=name, actor=people["officer"], data=data, expected_version=case.version)
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    take_step(page, "決定を起案", **{"金額（円）": "abc"})
    form = page.locator("form.step-form").filter(has=page.get_by_role("button", name="決定を起案", exact=True))
    assert_announced(page, form.get_by_label("金額（円）"), "円単位の整数で入力してください。")


def test_the_bulk_form_announces_its_field_error(open_as, live_server, people):
    f.budget_notice(2025, CSG, by=people["boss"])
    drafted(people["officer"], f.municipality())
    page = open_as(people["officer"])
    page.get_by_role("link", name="一括依頼・通知").click()
    page.get_by_label("操作").select_option(label="通知を発出")
    page.get_by_label("年度").select_option("2025")
    page.get_by_label("事業").select_option(CSG)
    page.get_by_label("期限").fill("2025-09-01")  # a notice takes no deadline
    with page.expect_navigation():
        page.get_by_role("button", name="対象を確認").click()
    assert_announced(page, page.get_by_label("期限"), "この手続に期限はありません。")


def test_the_budget_notice_form_announces_its_field_error(open_as, live_server, people):
    f.fiscal_year(2025)
    page = open_as(people["boss"])
    page.get_by_role("link", name="示達").click()
    form = page.locator("form.form-grid")
    form.get_by_label("年度").select_option("2025")
    form.get_by_label("事業").select_option(CSG)
    form.get_by_label("金額（円）").fill("abc")
    form.get_by_label("受領日").fill("2025-06-02")
    form.get_by_label("参照番号").fill("老発0602第3号")
    with page.expect_navigation():
        form.get_by_role("button", name="登録").click()
    assert_announced(page, page.locator("form.form-grid").get_by_label("金額（円）"), "円単位の整数で入力してください。")


def test_the_inquiry_form_announces_its_field_error(open_as, live_server, people):
    f.municipality()
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/inquiries/")
    page.get_by_text("疑義照会を記録する").click()
    form = page.get_by_test_id("inquiry-create")
    form.get_by_label("受領日").fill("2025-08-29")
    form.get_by_label("照会元", exact=True).fill("存在しない町")
    form.get_by_label("事業").select_option(CSG)
    form.get_by_label("照会内容").fill("備品購入費は補助対象経費に含まれますか。")
    with page.expect_navigation():
        form.get_by_role("button", name="疑義照会を記録").click()
    assert_announced(page, page.get_by_test_id("inquiry-create").get_by_label("照会元", exact=True), "存在しない町")


def test_a_filter_page_announces_its_field_error_on_the_fiscal_year_list_too(open_as, live_server, people):
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/cases/?fiscal_year=1999")  # an address typed or kept from an old list
    assert_announced(page, page.get_by_label("年度", exact=True).first, "1999")


def test_a_payment_run_form_announces_its_field_error(open_as, live_server, people):
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/payment-runs/")
    page.get_by_label("支払日").fill("1999-12-31")  # before any day the engine keeps
    with page.expect_navigation():
        page.get_by_role("button", name="起案する").click()
    assert_announced(page, page.get_by_label("支払日"), "2000")


def test_every_field_error_on_the_pages_goes_through_the_one_include():
    """Field errors rendered by hand would miss the alert or the id the field names: every template shows a
    field's errors through ``_field_errors.html``; the form-wide (non-field) ones are alerts of their own."""
    by_hand = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"[\w.]+\.errors\b", text):
            name = match.group(0)
            if name.endswith("non_field_errors") or name == "form.errors":
                continue
            by_hand.append(f"{path.relative_to(TEMPLATES)}: {name}")
    assert by_hand == ["_field_errors.html: field.errors"] * 2 + [
        "grants/_case_selection_fields.html: field.errors",  # hidden fields' errors, as form-wide alerts
        "grants/_fiscal_year_select.html: field.errors",  # its aria-invalid
        "schedules/definitions.html: field.errors",  # hidden fields' errors, in the page's alert
    ], by_hand


def test_a_date_picker_holding_a_day_the_calendar_lacks_stops_its_form_and_says_so(open_as, live_server, people):
    """Chromium's date picker lets 02/30 be typed and then sends an empty date; a step whose date is empty is dated
    today. The page stops such a form and says why at the field; nothing is recorded."""
    case = f.case(actor=people["officer"])
    case = case_transition(case_id=case.pk, name="request", actor=people["officer"], data={}, expected_version=case.version)
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    form = page.locator("form.step-form").filter(has=page.get_by_role("button", name="提出書類を受理", exact=True))
    form.get_by_label("金額（円）").fill("5000000")
    day = form.get_by_label("日付")
    day.focus()
    page.keyboard.type("02")  # month, day, year: the picker's order in an en-US browser (CHROMIUM_ARGS)
    page.keyboard.type("30")
    page.keyboard.type("2026")
    assert day.evaluate("input => input.validity.badInput")  # the browser holds a day it will not send
    form.get_by_role("button", name="提出書類を受理", exact=True).click()
    expect(day).to_have_attribute("aria-invalid", "true")  # the script stopped the form at once
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    assert day.evaluate("input => input.validationMessage") == "その日付はありません。年・月・日を入力し直してください。"
    case.refresh_from_db()
    assert case.state == "requested" and case.submitted_on is None  # nothing recorded
