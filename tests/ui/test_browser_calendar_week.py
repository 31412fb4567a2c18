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


def test_a_window_step_shows_once_a_week_with_its_period_and_reads_as_continued_after_its_first_week(
    open_as, live_server, people, today
):
    """A step dated by a window (11月頃) is not an event of each Monday it spans: wherever it sits (its first day,
    or the first day shown when it began before) it names its period, and after its first day it says it continues,
    on the week view as on the month view."""
    from calendars.windows import Precision
    from schedules.models import StepKind
    from tests.letters.factories import ScheduleStepFactory, ScheduleVersionFactory

    today(date(2025, 11, 10))
    version = ScheduleVersionFactory(key="fy2025-window", fiscal_year=2025)
    ScheduleStepFactory(
        version=version, label_ja="交付申請書類の提出依頼", kind=StepKind.REQUEST, precision=Precision.AROUND,
        date_from=date(2025, 11, 1), date_to=date(2025, 11, 30), date_text_ja="令和7年11月頃",
    )
    page = open_as(people["boss"])

    def steps(query: str) -> list[tuple[str, str]]:
        """(the heading of the day or the day number it sits on, its text) for each time the step shows."""
        page.goto(f"{live_server.url}/calendar/?{query}")
        found = page.locator(".event--step", has_text="交付申請書類の提出依頼")
        days = found.evaluate_all("els => els.map(el => el.closest('section, td').querySelector('h3, .calendar__date').innerText)")
        return list(zip(days, found.all_inner_texts()))

    [(day, text)] = steps("view=week&week=2025-10-27")
    assert day.startswith("令和7年11月1日") and "令和7年11月頃" in text and "（続き）" not in text
    [(day, text)] = steps("view=week&week=2025-11-17")
    assert day.startswith("令和7年11月17日") and "（続き） 令和7年11月頃" in text
    shot(page, "43-calendar-week-window-1366")
    [(day, text)] = steps("view=month&month=2025-11")
    assert day.startswith("1") and "令和7年11月頃" in text and "（続き）" not in text
