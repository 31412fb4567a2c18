"""The calendar's week view in a real browser: each case's deadline names its stream (and part), as the month
view's entries do, so two streams' deadlines on one day can be told apart."""

from datetime import date

import pytest

from tests import factories as f
from tests.factories import Stream
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)
from workflows.services import case_transition

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def requested(case, officer, deadline: date):
    return case_transition(
        case_id=case.pk, name="request", actor=officer, data={"deadline": deadline}, expected_version=case.version
    )


def test_the_week_view_names_each_deadlines_stream_and_part(open_as, live_server, people, today):
    today(date(2025, 11, 10))
    officer = people["officer"]
    f.define(2025, Stream.COMMUNITY_SUPPORT_GRANT, "initial_grant")  # the application alone, no pre-consultation
    requested(f.case(actor=officer), officer, date(2025, 11, 20))
    survey = f.case(actor=officer, stream=Stream.MEDICAL_CARE_FUND, part="facilities", procedure="demand_survey")
    requested(survey, officer, date(2025, 11, 20))
    page = open_as(people["boss"])
    page.goto(f"{live_server.url}/calendar/?view=week&week=2025-11-17")
    grant = page.locator(".week .event", has_text="川越市").inner_text()
    fund = page.locator(".week .event", has_text="埼玉県").inner_text()
    assert "地域支援事業交付金" in grant and "当初交付" in grant
    assert "地域医療介護総合確保基金（施設分）" in fund and "事業見込み量（所要額）調査" in fund
    shot(page, "42-calendar-week-streams-1366")
