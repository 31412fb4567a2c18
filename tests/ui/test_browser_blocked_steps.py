"""A step whose condition in the case's flow is unmet cannot succeed: the case page offers it disabled with
the flow's reason, and no fields to fill, while the steps that can be taken stay live."""

from datetime import date

import pytest

from tests import factories as f
from tests.letters.factories import shipped_schedules
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_a_step_the_years_procedure_does_not_allow_yet_is_shown_disabled_with_its_reason(open_as, live_server, people, today):
    today(date(2025, 5, 1))
    shipped_schedules()  # FY2025's initial grant starts with a pre-consultation
    case = f.case(actor=people["officer"], year=2025)
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    request = page.locator("section.step", has=page.get_by_role("heading", name="依頼を発出", exact=True))
    assert "今年度のこの手続は事前協議から始まります。" in request.inner_text()
    assert request.get_by_role("button", name="依頼を発出").is_disabled()
    assert request.locator("input:not([type=hidden]), textarea").count() == 0
    consult = page.locator("section.step", has=page.get_by_role("heading", name="協議を依頼", exact=True))
    assert consult.get_by_role("button", name="協議を依頼").is_enabled()
    shot(page, "50-blocked-step-disabled")
