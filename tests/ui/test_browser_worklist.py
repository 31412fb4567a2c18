"""The worklist in a real browser, as the officer who works from it: search by reading, sort, save filters;
on a laptop and on a phone; a revocation sent back counts among the officer's drafts sent back."""

from datetime import date

import pytest
from playwright.sync_api import expect

from grants.models import Recipient
from tests import factories as f
from tests.payments import factories as pf
from tests.ui.test_browser import LAPTOP, PHONE, chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_officer_finds_nagareyama_by_its_reading_and_saves_the_search(open_as, live_server, people):
    officer = people["officer"]
    f.case(actor=officer)
    nagareyama = f.municipality("122203", "流山市", "12")
    Recipient.objects.filter(pk=nagareyama.pk).update(name_kana="ナガレヤマシ")
    f.case(actor=officer, recipient=nagareyama)
    page = open_as(officer)
    page.get_by_role("searchbox", name="検索").fill("ながれやま")
    with page.expect_navigation():
        page.get_by_role("button", name="絞り込む").click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)  # waits for the searched page, however long the server takes
    assert "流山市" in rows.first.inner_text()
    page.get_by_label("この条件を保存：").fill("流山")
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.get_by_role("button", name="保存", exact=True).click()
    assert "検索条件を「流山」として保存しました。" in page.content()
    page.get_by_role("link", name="すべて表示").count()  # the needs bar is there
    shot(page, "20-worklist-search-1366")
    page.goto(f"{live_server.url}/cases/")
    with page.expect_navigation():
        page.get_by_role("link", name="流山", exact=True).click()
    assert page.locator("#results tbody tr").count() == 1
    with page.expect_navigation():  # the click posts a form: wait for the page it leads to
        page.locator("table").get_by_role("link", name="交付先").click()
    assert "sort=recipient" in page.url

    phone = open_as(officer, viewport=PHONE)
    phone.goto(f"{live_server.url}/cases/?search=ナガレヤマ")
    assert phone.locator("#results tbody tr").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "21-worklist-search-390")


def test_a_revocation_sent_back_counts_among_the_officers_drafts_sent_back(open_as, live_server, people):
    officer, boss = people["officer"], people["boss"]
    case = pf.notified(officer=officer, boss=boss, year=2025, amount=10_000_000, on=date(2025, 10, 1))
    case = pf.act(case, "draft_revocation", officer, reason="補助目的外への使用", legal_basis="art_17_1", date="2025-11-01")
    case = pf.act(case, "send_back_revocation", boss, reason="取消の根拠を確認すること")
    assert case.state == "notified"  # the decision stands; the revocation is the officer's to redo
    page = open_as(officer)
    needs = page.get_by_test_id("needs").get_by_role("link", name="差し戻された起案")
    assert needs.locator("strong").inner_text() == "1"
    with page.expect_navigation():
        needs.click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    assert "川越市" in rows.first.inner_text() and "差戻し" in rows.first.inner_text()
    shot(page, "45-worklist-revocation-sent-back-1366")


def test_the_officer_withdraws_a_revocation_sent_back_and_it_stops_waiting_on_them(open_as, live_server, people):
    """A revocation sent back is the officer's to redo or to drop: they withdraw it (取下げ) from the case page, the
    draft stays on record marked withdrawn, the decision stands and the worklist no longer counts it."""
    from grants.models import Determination

    officer, boss = people["officer"], people["boss"]
    case = pf.notified(officer=officer, boss=boss, year=2025, amount=10_000_000, on=date(2025, 10, 1))
    case = pf.act(case, "draft_revocation", officer, reason="補助目的外への使用", legal_basis="art_17_1", date="2025-11-01")
    case = pf.act(case, "send_back_revocation", boss, reason="取消の根拠を確認すること")
    page = open_as(officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    form = page.locator("form.step-form").filter(has=page.get_by_role("button", name="取消の起案を取下げ", exact=True))
    form.get_by_label("理由").fill("再調査の結果、取消を見送る")
    with page.expect_navigation():
        form.get_by_role("button", name="取消の起案を取下げ", exact=True).click()
    assert page.get_by_test_id("case-state").inner_text() == "通知済"
    assert page.get_by_test_id("draft-withdrawn").count() == 1
    assert page.get_by_role("button", name="取消の起案を取下げ", exact=True).count() == 0  # nothing left to withdraw
    assert page.get_by_role("button", name="取消を起案", exact=True).count() == 1  # a new revocation may still follow
    shot(page, "47-case-revocation-withdrawn-1366")
    revocation = Determination.objects.get(case=case, kind="revocation")
    assert revocation.withdrawn_at is not None and revocation.notified_on is None
    page.goto(f"{live_server.url}/cases/")
    assert page.get_by_test_id("needs").get_by_role("link", name="差し戻された起案").locator("strong").inner_text() == "0"


def test_a_search_that_does_not_parse_empties_the_list_in_place_and_says_why(open_as, live_server, people):
    """The filters send their form by htmx; a search the server refuses (422: a code whose check digit is wrong)
    replaces the page's main region too, so the form says why and the list under it is empty, not left as it was."""
    f.municipality("122203", "流山市", "12")
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/recipients/")
    expect(page.locator("#results tbody tr").first).to_be_visible()
    search = page.locator('input[name="q"]')
    search.fill("122204")
    with page.expect_response(lambda response: "q=122204" in response.url) as answer:
        search.dispatch_event("change")  # what leaving the box does: the form goes by htmx, not a page load
    assert answer.value.status == 422 and answer.value.request.headers.get("hx-request") == "true"
    expect(page.get_by_test_id("filters-invalid")).to_be_visible()
    expect(page.locator("#results tbody tr")).to_have_count(0)
    expect(page.locator('input[name="q"]')).to_have_attribute("aria-invalid", "true")
