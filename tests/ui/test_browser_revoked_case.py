"""A revoked grant's case page in a real browser: the grant in force is nothing once the revocation is notified
(the determined amount stays as history, the revoked amount beside it), and the return claim the revocation
ordered is listed with what has accrued and been paid, linked to its own page."""

from datetime import date

import pytest

from payments.models import ReturnClaim
from payments.services import return_claim_payment_record
from tests.payments import factories as pf
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def _revoked_with_a_claim_paid_in_part(officer, boss):
    """FY2023's 10,000,000 grant, 7,500,000 of it paid, revoked on 2024-03-01 under art. 17(1), and 3,000,000 of
    the claim paid back on 2024-04-01 (tests/payments): the case and its return claim."""
    pf.shipped_plans()
    case = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.paid_run(date(2024, 1, 29), officer=officer, boss=boss)
    pf.revoked(case, boss, today=date(2024, 3, 1), reason="補助目的外への使用", legal_basis="art_17_1")
    claim = ReturnClaim.objects.get()
    return_claim_payment_record(actor=officer, claim_id=claim.pk, amount=3_000_000, paid_on=date(2024, 4, 1))
    return case, claim


def test_a_revoked_case_shows_nothing_in_force_and_its_return_claim(open_as, live_server, people, today):
    officer, boss = people["officer"], people["boss"]
    case, claim = _revoked_with_a_claim_paid_in_part(officer, boss)
    today(date(2024, 5, 1))
    page = open_as(officer)

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    amounts = page.get_by_test_id("amounts")
    assert page.get_by_test_id("amount-determined").inner_text() == "10,000,000円"  # kept as history
    assert page.get_by_test_id("amount-current").inner_text() == "0円"
    assert page.get_by_test_id("amount-revoked").inner_text() == "10,000,000円"
    assert "取消額" in amounts.inner_text()
    claims = page.get_by_test_id("case-return-claims")
    row = claims.locator("tbody tr")
    assert row.count() == 1
    # Hand-computed in tests/payments/test_return_claims.py: 加算金 321,000 and 延滞金 40,500 on 2024-05-01.
    cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
    assert cells[1].startswith("令和6年4月1日") and "期限超過" in cells[1]
    assert cells[2:] == ["7,500,000円", "321,000円", "40,500円", "3,000,000円", "4,861,500円"]
    assert "交付決定の取消" in cells[0]
    shot(page, "45-revoked-case-1366")
    with page.expect_navigation():
        row.get_by_role("link").click()
    assert page.url.endswith(f"/return-claims/{claim.pk}/")


def test_the_dashboard_reconciles_what_was_paid_on_a_revoked_grant_with_its_claim(open_as, live_server, people, today):
    officer, boss = people["officer"], people["boss"]
    case, _claim = _revoked_with_a_claim_paid_in_part(officer, boss)
    today(date(2024, 5, 1))
    page = open_as(boss)

    page.goto(f"{live_server.url}/dashboard/?fiscal_year=2023")
    [row] = page.locator("table.table tbody tr").all()
    cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
    # 決定額 0 (revoked), 支払済額 7,500,000, 返還請求額 7,500,000 of which 3,000,000 paid back, 差引 0, 確定額 0
    assert cells[2:] == ["0円", "7,500,000円", "7,500,000円\nうち返還済 3,000,000円", "0円", "0円"]
    assert "差引支払額：支払済額から返還請求額を差し引いた額。" in page.get_by_test_id("claims-legend").inner_text()
    assert page.get_by_test_id("total-paid-community_support_grant").inner_text() == "支払済額 7,500,000円 （返還請求 7,500,000円）"
    shot(page, "46-dashboard-claimed-back-1366")
