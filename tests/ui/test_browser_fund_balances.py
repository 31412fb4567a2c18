"""The fund balances page in a real browser on a 1,366 px laptop: the table with a year's balances and both
parts' accepted demand-survey figures fits the screen; neither the page nor the table scrolls sideways."""

from datetime import date

import pytest

from payments.services import FundBalanceRow, fund_balance_import
from tests import factories as f
from tests.factories import Stream
from tests.ui.test_browser import LAPTOP, chromium, open_as, people, shot  # noqa: F401  (fixtures)
from workflows.services import case_transition

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

FIGURES = {"expected_next_year": 1_220_000_000, "expected_second_year": 1_195_500_000, "expected_third_year": 980_000_000}


def accepted_survey(officer, part: str) -> None:
    case = f.case(actor=officer, stream=Stream.MEDICAL_CARE_FUND, part=part, procedure="demand_survey")
    steps = [("request", {"deadline": date(2025, 9, 30), "occurred_on": date(2025, 9, 1)}), ("submit_expected_amounts", {"date": date(2025, 9, 10), **FIGURES}),
             ("start_review", {}), ("accept", {})]
    for name, data in steps:
        case = case_transition(case_id=case.pk, name=name, actor=officer, data=data, expected_version=case.version)


def test_the_fund_balances_table_fits_a_laptop_screen(open_as, live_server, people, today):
    today(date(2025, 9, 15))
    f.prefecture("11"), f.fiscal_year(2025)
    fund_balance_import(actor=people["boss"], rows=[
        FundBalanceRow("11", 2025, 12_345_678_901, 2_345_678_901, 1_172_839_450, 12_345_678, 3_456_789_012, 12_419_753_918),
    ])
    accepted_survey(people["officer"], "facilities")
    accepted_survey(people["officer"], "personnel")
    page = open_as(people["boss"])
    page.goto(f"{live_server.url}/fund-balances/?fiscal_year=2025")
    assert "1,220,000,000" in page.get_by_test_id("expected-amounts").inner_text()
    shot(page, "43-fund-balances-1366")
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    box = page.locator("#results .table-scroll")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), box.evaluate("e => [e.scrollWidth, e.clientWidth]")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert "Expected amounts required" in page.content()
    shot(page, "44-fund-balances-en-1366")
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), box.evaluate("e => [e.scrollWidth, e.clientWidth]")
