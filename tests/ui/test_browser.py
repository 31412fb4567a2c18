"""The web UI in a real browser (Debian's Chromium through Playwright) against a live server.

Each main page is saved as a screenshot under test-artifacts/screenshots/ so a
person can look at it.
"""

import csv
import io
import os
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from grants.recipients import local_governments_load
from grants.roles import system_user
from tests.factories import Stream
from calendars.eras import era_date
from tests import factories as f
from tests.ui.cases import notified_grant
from workflows.services import case_transition

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
    # the browser's own locale, whatever the machine's: its date picker takes month, day, year in that order
    # (the pages' language comes from each context's locale, ja-JP)
    "--lang=en-US",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "pw-for-tests-123"
CSG, SAG = Stream.COMMUNITY_SUPPORT_GRANT, Stream.SPECIAL_ADJUSTMENT_GRANT
LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are ordinary blocking calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def watch_csp(page, refused: list) -> None:
    """Collect in ``refused`` what Chromium reports the Content-Security-Policy refused on ``page``."""
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))


@pytest.fixture
def open_as(chromium, live_server):
    """A logged-in page for a user, in Japanese (the browser asks for ja-JP) on a laptop-sized window.

    Every test through it also checks that the pages break no rule of the Content-Security-Policy.
    """
    contexts, refused = [], []

    def login(user, viewport=LAPTOP):
        context = chromium.new_context(locale="ja-JP", viewport=viewport, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        watch_csp(page, refused)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("ユーザー名").fill(user.username)
        page.get_by_label("パスワード").fill(PASSWORD)
        with page.expect_navigation():  # the click posts a form: wait for the page it leads to
            page.get_by_role("button", name="ログイン").click()
        assert "/login/" not in page.url, "login failed"
        return page

    yield login
    for context in contexts:
        context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def take_step(page, button: str, **fields):
    """Fill a step's form on the case page and press its button."""
    form = page.locator("form.step-form").filter(has=page.get_by_role("button", name=button, exact=True))
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


@pytest.fixture
def people():
    return {
        "officer": f.officer(username="tanaka", first_name="田中 一郎"),
        "boss": f.supervisor(username="suzuki", first_name="鈴木 花子"),
        "auditor": f.auditor(username="sato", first_name="佐藤 三郎"),
    }


def test_officer_drafts_supervisor_approves_and_the_case_is_notified(open_as, live_server, people):
    f.budget_notice(2025, CSG, by=people["boss"])
    case = f.case(actor=people["officer"])
    officer = open_as(people["officer"])
    shot(officer, "01-worklist-officer")
    officer.get_by_role("link", name="川越市").click()
    deadline = timezone.localdate() + timedelta(days=30)  # a deadline comes after its request
    take_step(officer, "依頼を発出", 期限=deadline.isoformat())
    assert officer.get_by_test_id("case-state").inner_text() == "依頼済"
    case.refresh_from_db()
    assert era_date(case.deadline_effective, weekday=True) in officer.get_by_test_id("deadline").inner_text()
    take_step(officer, "提出書類を受理", **{"金額（円）": "1,000,000"})
    take_step(officer, "審査を開始")
    take_step(officer, "決定を起案", **{"金額（円）": "abc"})
    assert officer.locator(".field__error").first.inner_text().endswith("円単位の整数で入力してください。")
    shot(officer, "02-case-validation-error")
    take_step(officer, "決定を起案", **{"金額（円）": "900000", "理由": "対象外経費を除外"})
    assert officer.get_by_test_id("case-state").inner_text() == "起案済"
    shot(officer, "03-case-drafted")

    # The officer who drafted is not offered the approval and cannot open the queue.
    assert officer.get_by_role("button", name="決裁", exact=True).count() == 0
    response = officer.goto(f"{live_server.url}/approvals/")
    assert response.status == 403
    assert "あなたの役割ではこの操作はできません。" in officer.content()
    shot(officer, "04-approvals-forbidden-for-officer")

    boss = open_as(people["boss"])
    assert boss.url.endswith("/approvals/")
    row = boss.locator("tr", has_text="川越市")
    assert "田中 一郎" in row.inner_text() and "示達額内" in row.inner_text()
    shot(boss, "05-approval-queue")
    row.get_by_role("button", name="決裁", exact=True).click()
    boss.wait_for_load_state()
    assert "川越市：「決裁」を完了しました。" in boss.content()  # the queue says which case

    officer.goto(f"{live_server.url}/cases/{case.pk}/")
    take_step(officer, "通知を発出")
    assert officer.get_by_test_id("case-state").inner_text() == "通知済"
    assert officer.get_by_test_id("amount-determined").inner_text() == "900,000円"
    letters = officer.get_by_test_id("letters")
    assert "依頼" in letters.inner_text() and "決定通知" in letters.inner_text()
    shot(officer, "06-case-notified")
    notice = letters.locator("li", has_text="決定通知")
    pdf = officer.request.get(live_server.url + notice.get_by_role("link", name="PDFを表示").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    with officer.expect_download() as download:
        notice.get_by_role("link", name="ダウンロード").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_stale_version_is_reported_with_a_reload_link(open_as, live_server, people):
    case = f.case(actor=people["officer"])
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    case_transition(case_id=case.pk, name="request", actor=people["officer"], data={}, expected_version=1)
    take_step(page, "依頼を発出")
    problem = page.locator("#problem")
    assert "他の人が更新しました" in problem.inner_text()
    shot(page, "07-case-stale-version")
    problem.get_by_role("link").click()
    assert page.get_by_test_id("case-state").inner_text() == "依頼済"


def test_a_phone_scrolls_a_wide_table_in_its_box_not_the_page(open_as, live_server, people):
    case = f.case(actor=people["officer"], recipient=f.municipality("112089", "所沢市後期高齢者医療事務組合", "11"))
    case_transition(case_id=case.pk, name="request", actor=people["officer"], data={}, expected_version=1)
    phone = open_as(people["officer"], viewport=PHONE)
    for path in ("/cases/", f"/cases/{case.pk}/", "/dashboard/"):
        phone.goto(f"{live_server.url}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    phone.goto(f"{live_server.url}/cases/")
    # The worklist reads as cards: nothing to scroll sideways, each value under its column's name.
    box = phone.locator(".table-scroll").first
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth")
    card = phone.locator(".table--cards tbody tr").first
    assert card.bounding_box()["width"] <= PHONE["width"]
    assert card.locator("td").first.evaluate("e => getComputedStyle(e, \"::before\").content") == "\"期限\""
    # A name keeps at least seven characters a line instead of one or two.
    name = phone.get_by_role("link", name="所沢市後期高齢者医療事務組合")
    assert name.bounding_box()["height"] < 4 * 27
    shot(phone, "17-worklist-phone")


def test_each_timeline_line_stands_beside_its_time_and_under_it_on_a_phone(open_as, live_server, people):
    case = f.case(actor=people["officer"])
    # Four lines: the step, who took it, its deadline and the letter it sent.
    deadline = timezone.localdate() + timedelta(days=30)
    case_transition(case_id=case.pk, name="request", actor=people["officer"], data={"deadline": deadline}, expected_version=1)
    for viewport in (LAPTOP, PHONE):
        page = open_as(people["officer"], viewport=viewport)
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        entry = page.locator(".timeline__item", has_text="依頼を発出")
        when = entry.locator(".timeline__when").bounding_box()
        letter = entry.locator(".timeline__data", has_text="文書を作成").bounding_box()
        if viewport is LAPTOP:
            assert letter["x"] >= when["x"] + when["width"], "the letter line fell under the time"
        else:
            assert letter["y"] > when["y"] and letter["x"] == when["x"]
        shot(page, f"18-case-timeline-{viewport['width']}")


def test_calendar_shows_an_overdue_deadline_in_red(open_as, live_server, people):
    late = f.case(actor=people["officer"])
    deadline = timezone.localdate() - timedelta(days=3)
    # a deadline follows its request: this one went out as of four weeks before it
    case_transition(case_id=late.pk, name="request", actor=people["officer"],
                    data={"deadline": deadline, "occurred_on": deadline - timedelta(days=28)}, expected_version=1)
    late.refresh_from_db()
    page = open_as(people["boss"])
    page.goto(f"{live_server.url}/calendar/?view=month&month={late.deadline_effective:%Y-%m}")
    event = page.locator(".event--overdue").first
    assert "超過1件" in event.inner_text()
    red, green, blue = (int(v) for v in event.evaluate("e => getComputedStyle(e).backgroundColor").strip("rgb()").split(","))
    assert red > 180 and green < 60 and blue < 60
    shot(page, "08-calendar-month")
    page.goto(f"{live_server.url}/calendar/?view=week&week={late.deadline_effective:%Y-%m-%d}")
    assert page.locator(".event--overdue", has_text="川越市").count() == 1
    shot(page, "09-calendar-week")
    undecided = f.case(actor=people["officer"], recipient=f.municipality("122076", "松戸市", "12"))
    case_transition(case_id=undecided.pk, name="request", actor=people["officer"], data={}, expected_version=1)
    page.goto(f"{live_server.url}/calendar/?view=list&fiscal_year={late.fiscal_year_id}")
    assert page.locator("tr.row--overdue", has_text="川越市").count() == 1
    assert "未定" in page.locator("section", has_text="期限未定").filter(has_text="松戸市").inner_text()
    shot(page, "10-calendar-list")


def test_calendar_link_is_issued_once_and_can_be_revoked(open_as, live_server, people):
    page = open_as(people["boss"])
    page.goto(f"{live_server.url}/calendar/")
    page.get_by_role("button", name="リンクを作成").click()
    link = page.get_by_label("iCalendarのリンク").input_value()
    assert "/api/calendar.ics?token=" in link and len(link.split("token=")[1]) >= 40
    feed = page.request.get(link)
    assert feed.status == 200 and b"BEGIN:VCALENDAR" in feed.body()
    shot(page, "16-calendar-link")
    page.goto(f"{live_server.url}/calendar/")
    assert "利用を開始しました" in page.content()
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="リンクを無効にする").click()
    assert "このリンクは使えなくなりました" in page.content()
    assert page.request.get(link).status == 401
    assert page.get_by_role("button", name="リンクを作成").count() == 1


def test_supervisor_edits_a_schedule_step_and_rolls_the_year_forward(open_as, live_server, people):
    from django.core.management import call_command

    call_command("import_schedules", str(Path(__file__).resolve().parents[2] / "schedules/data/schedules.yaml"))
    page = open_as(people["boss"])
    page.get_by_role("link", name="スケジュール").click()
    page.goto(f"{live_server.url}/schedules/2025/")
    row = page.locator("tr", has_text="申請書類の提出").first
    row.locator("select").select_option("exact")
    row.locator("input[type=date]").first.fill("2025-11-24")
    row.locator("input[type=date]").last.fill("2025-11-23")
    row.get_by_role("button", name="保存").click()
    assert page.locator(".field__error").count() >= 1
    shot(page, "17-schedule-error")
    row = page.locator("tr", has_text="申請書類の提出").first
    row.locator("input[type=date]").last.fill("2025-11-24")
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        row.get_by_role("button", name="保存").click()
    assert "保存しました" in page.content()
    page.get_by_role("button", name="繰越し").click()
    # Named as people name it, not by its file key (fy2026-plan).
    assert page.url.endswith("/schedules/2026/") and "令和8年度に繰り越しました。" in page.content()
    assert "fy2026-plan" not in page.content()
    shot(page, "18-schedule-rolled-forward")


def test_auditor_exports_the_history_and_it_opens(open_as, live_server, people, tmp_path):
    case = f.case(actor=people["officer"])
    case_transition(case_id=case.pk, name="request", actor=people["officer"], data={}, expected_version=1)
    page = open_as(people["auditor"])
    assert page.url.endswith("/history/")
    page.get_by_role("link", name="今すぐ検証する").click()
    page.get_by_test_id("verify-ok").wait_for()
    shot(page, "11-history")
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["action"] for row in rows][:2] == ["create", "request"]
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(path, read_only=True).active
    assert [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)][:2] == ["create", "request"]
    page.goto(f"{live_server.url}/cases/{case.pk}/as-of/?date={timezone.localdate():%Y-%m-%d}")
    assert "依頼済" in page.content()
    shot(page, "12-case-as-of")


def test_english_switch(open_as, live_server, people):
    f.case(actor=people["officer"])
    page = open_as(people["officer"])
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", level=1).inner_text() == "案件一覧"
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Worklist"
    assert "Community support project grant" in page.content()
    shot(page, "13-worklist-english")
    page.goto(f"{live_server.url}/dashboard/")
    shot(page, "14-dashboard-english")
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="日本語").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("事業別・都道府県別の金額")


def test_login_and_error_pages_speak_plainly(chromium, live_server, people):
    context = chromium.new_context(locale="ja-JP", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    refused = []
    watch_csp(page, refused)
    page.goto(f"{live_server.url}/cases/")
    assert "/login/" in page.url
    page.get_by_label("ユーザー名").fill("tanaka")
    page.get_by_label("パスワード").fill("wrong")
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="ログイン").click()
    assert "ユーザー名またはパスワードが違います" in page.content()
    shot(page, "00-login-error")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    response = page.goto(f"{live_server.url}/cases/999999/")
    assert response.status == 404 and "該当する案件はありません。" in page.content()
    shot(page, "15-not-found")
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="ログアウト").click()
    assert "/login/" in page.url
    context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


def test_officer_sends_a_bulk_request_after_a_preview(open_as, live_server, people, today):
    today(date(2025, 12, 1))  # before the deadline the requests give
    towns = [("112011", "川越市", "11"), ("112020", "熊谷市", "11"), ("122076", "松戸市", "12")]
    for code, name, prefecture in towns:
        f.case(actor=people["officer"], recipient=f.municipality(code, name, prefecture))
    page = open_as(people["officer"])
    page.get_by_role("link", name="一括依頼").click()
    page.get_by_label("年度").select_option("2025")
    page.get_by_label("事業").select_option(CSG)
    page.get_by_label("手続").select_option("initial_grant")
    page.get_by_label("期限").fill("2025-12-26")
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="対象を確認").click()
    assert "3件が対象です。" in page.content()
    shot(page, "19-bulk-preview")
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="実行：3件に発出").click()
    assert "3件完了しました" in page.content()
    assert page.get_by_test_id("batch-pdf").count() == 1
    shot(page, "20-bulk-summary")
    page.goto(f"{live_server.url}/dashboard/")
    shot(page, "21-dashboard")


def test_dashboard_bars_are_drawn_in_their_legend_colours_in_both_languages(open_as, live_server, people):
    notified_grant(officer=people["officer"], boss=people["boss"], year=2025, stream=CSG, amount=1_000_000)
    notified_grant(officer=people["officer"], boss=people["boss"], year=2025, stream=SAG, amount=3_000_000)
    page = open_as(people["boss"])

    def colours(selector: str, prop: str) -> set[str]:
        return set(page.locator(selector).evaluate_all(f"els => els.map(e => getComputedStyle(e).{prop})"))

    for language, ministry_key in (("日本語", "決定額（本省が決定・支払）"), ("English", "Determined (the ministry decides and pays)")):
        if language == "English":
            with page.expect_navigation():  # the click posts a form: wait for the page it leads to
                page.get_by_role("button", name="English").click()
        page.goto(f"{live_server.url}/dashboard/?fiscal_year=2025")
        assert page.locator("select[name=fiscal_year]").input_value() == "2025"
        determined = colours("rect.chart__bar:not(.chart__bar--paid):not(.chart__bar--ministry)", "fill")
        assert determined == colours(".chart__key--determined", "backgroundColor")
        assert colours("rect.chart__bar--ministry", "fill") == colours(".chart__key--ministry", "backgroundColor")
        assert colours("rect.chart__bar--paid", "fill") == colours(".chart__key--paid", "backgroundColor")
        assert len(determined | colours("rect.chart__bar--ministry", "fill")) == 2
        assert ministry_key in page.get_by_test_id("chart-legend").inner_text()
        shot(page, "22-dashboard-legend" if language == "日本語" else "23-dashboard-legend-english")


def test_supervisor_reads_return_claims_and_fund_balances_from_the_menu(open_as, live_server, people):
    page = open_as(people["boss"])
    page.get_by_role("link", name="返還金").click()
    assert page.get_by_role("heading", level=1).inner_text() == "返還金"
    shot(page, "24-return-claims")
    page.get_by_role("link", name="基金残高").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("基金残高")
    shot(page, "25-fund-balances")


def test_officer_finds_nagareyama_by_its_reading_or_its_name(open_as, live_server, people):
    local_governments_load(actor=system_user())
    page = open_as(people["officer"])
    page.get_by_role("link", name="交付先").click()
    for typed in ("ながれやま", "流山"):
        page.get_by_label("名称・よみ・コード").fill(typed)
        page.get_by_label("名称・よみ・コード").press("Tab")  # a change: htmx swaps the results in and pushes the address
        page.wait_for_url(lambda url, typed=typed: parse_qs(urlsplit(url).query).get("q") == [typed])
        table = page.get_by_test_id("recipients")
        table.get_by_role("link", name="流山市").wait_for()
        assert table.locator("tbody tr").count() == 1
    assert "ナガレヤマシ" in table.inner_text() and "122203" in table.inner_text()
    shot(page, "26-recipient-search")
    table.get_by_role("link", name="流山市").click()
    assert "/cases/" in page.url and page.get_by_label("交付先").input_value() == "122203"
