"""Issuing a request fixes the case's deadline from the schedule in force, or from the officer's date."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schedules.deadlines import deadline_for_request
from tests import factories as f
from tests.letters.factories import act, shipped_schedules

pytestmark = pytest.mark.django_db
CSG, MCF, SAG = "community_support_grant", "medical_care_fund", "special_adjustment_grant"


@pytest.fixture(autouse=True)
def schedules(today):
    shipped_schedules()
    # FY2025's community support grant starts with a pre-consultation; these tests take the application alone.
    f.define(2025, "community_support_grant", "initial_grant")
    today(date(2025, 4, 1))  # the first day of FY2025: every deadline of the shipped schedules is ahead


def test_a_request_whose_scheduled_deadline_has_passed_needs_the_officers_date(today, api):
    """A letter asking for papers by a day gone by would be void: the officer is asked for the deadline."""
    from grants.models import HistoryEntry
    from tests.http import assert_error

    officer = f.officer()
    case = f.case(actor=officer)  # FY2025 application window: 令和8年2月下旬 (effective 2026-02-27)
    today(date(2026, 3, 2))
    records = HistoryEntry.objects.count()
    api.force_authenticate(officer)
    response = api.post(f"/api/cases/{case.pk}/transitions/request", {"version": case.version}, format="json")
    assert_error(response, 422, "invalid_input")
    error = response.json()["error"]
    # the message itself names the day too: bulk summaries show it
    assert "令和8年2月27日" in error["details"]["deadline"][0] and "令和8年2月27日" in error["message"]
    assert HistoryEntry.objects.count() == records and deadline(case) == (None, None)
    case = act(case, "request", officer, deadline="2026-03-16")
    assert deadline(case) == (date(2026, 3, 16), date(2026, 3, 16))


def deadline(case):
    case.refresh_from_db()
    return case.deadline_stated, case.deadline_effective


def test_request_takes_the_last_business_day_of_the_application_window():
    officer = f.officer()
    case = act(f.case(actor=officer), "request", officer)  # FY2025: 令和8年2月下旬, 2/28 is a Saturday
    assert deadline(case) == (date(2026, 2, 27), date(2026, 2, 27))


def test_pre_consultation_takes_the_first_round_and_the_application_the_last():
    officer = f.officer()
    f.pre_consultation(2025, CSG, "initial_grant")
    case = act(f.case(actor=officer), "request_consultation", officer)
    assert deadline(case) == (date(2025, 8, 29), date(2025, 8, 29))  # 令和7年8月下旬 ends on a Sunday
    case = act(case, "submit_consultation", officer, amount=1_000_000)
    case = act(case, "present_amount", officer, amount=900_000)
    case = act(case, "request", officer)
    assert deadline(case) == (date(2026, 2, 27), date(2026, 2, 27))


def test_officers_date_wins_and_a_closed_day_rolls_forward():
    officer = f.officer()
    case = act(f.case(actor=officer), "request", officer, deadline="2026-02-28")
    assert deadline(case) == (date(2026, 2, 28), date(2026, 3, 2))


@pytest.mark.parametrize(
    "part, due",
    [("personnel", date(2025, 7, 18)), ("facilities", date(2025, 7, 23))],
)
def test_fund_parts_have_their_own_pre_consultation_deadlines(part, due):
    officer = f.officer()
    case = act(f.case(actor=officer, stream=MCF, part=part), "request_consultation", officer)
    assert deadline(case) == (due, due)


def test_special_adjustment_request_is_due_on_the_pre_application_day():
    officer = f.officer()
    case = act(f.case(actor=officer, stream=SAG), "request", officer)
    assert deadline(case) == (date(2025, 7, 11), date(2025, 7, 11))


def test_undecided_schedule_leaves_the_case_without_a_deadline():
    officer = f.officer()
    case = act(f.case(actor=officer, year=2023, stream=MCF, part="personnel"), "request_consultation", officer)
    assert deadline(case) == (None, None)  # FY2023 as run: 時期未定


def test_year_without_a_schedule_is_undecided():
    assert deadline_for_request(
        fiscal_year=2024, stream=CSG, part="", procedure="initial_grant", consultation=False, override=None
    ) is None


def schedule_reads(case, name: str, officer) -> tuple[int, int]:
    """How many statements the act reads schedule versions with, and how many it reads their steps with."""
    with CaptureQueriesContext(connection) as queries:
        act(case, name, officer)
    reads = [query["sql"] for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("SELECT")]
    return (
        sum('FROM "calendars_scheduleversion"' in sql for sql in reads),
        sum('FROM "calendars_schedulestep"' in sql for sql in reads),
    )


def test_a_request_reads_the_schedule_in_force_once():
    """The deadline and the request letter's note of where it came from are one read of the schedule: its
    version and its steps, once each."""
    officer = f.officer()
    case = f.case(actor=officer)
    assert schedule_reads(case, "request", officer) == (1, 1)
    assert deadline(case) == (date(2026, 2, 27), date(2026, 2, 27))


def test_a_request_in_a_year_without_a_schedule_reads_it_once():
    """No schedule in force (FY2024): its deadline is undecided, found so by one read."""
    officer = f.officer()
    assert schedule_reads(f.case(actor=officer, year=2024), "request", officer) == (1, 0)
