"""The deadline calendar's fiscal-year and part filters, applied by the selector to cases and schedule steps alike."""

from datetime import date

import pytest

from schedules.selectors import calendar_for_actor
from tests import factories as f
from tests.letters.factories import ScheduleStepFactory, ScheduleVersionFactory, act, shipped_schedules

pytestmark = pytest.mark.django_db

FY2025 = {"start": date(2025, 4, 1), "end": date(2026, 3, 31), "today": date(2025, 4, 1)}


def test_the_part_filter_keeps_steps_for_every_part_and_cases_of_that_part(today):
    shipped_schedules()
    today(date(2025, 4, 1))  # before the consultation deadlines the requests take from the schedule
    officer = f.officer()
    for part in ("personnel", "facilities"):
        act(f.case(actor=officer, stream="medical_care_fund", part=part), "request_consultation", officer)
    calendar = calendar_for_actor(actor=officer, fiscal_year=2025, part="personnel", **FY2025)
    undecided_steps = {entry.step.key for entry in calendar.undecided if entry.step}
    assert "informal_notice_personnel" in undecided_steps and "informal_notice_facilities" not in undecided_steps
    assert {entry.part for entry in calendar.entries + calendar.undecided} <= {"", "both", "personnel"}
    [case] = [entry for entry in calendar.entries + calendar.undecided if entry.kind == "case_deadline"]
    assert case.part == "personnel"


def test_a_presented_consultation_leaves_the_deadline_calendar_until_the_formal_request_sets_the_next(today):
    """内示 closes the consultation round: its deadline is spent, in the listed view and in the month's counts."""
    shipped_schedules()
    today(date(2025, 4, 1))
    officer = f.officer()
    case = act(f.case(actor=officer, stream="medical_care_fund", part="personnel"), "request_consultation", officer)
    case = act(case, "submit_consultation", officer, amount=1_000_000)

    def deadlines(grouped=False):
        calendar = calendar_for_actor(actor=officer, fiscal_year=2025, grouped=grouped, **FY2025)
        if grouped:
            return sum(group.count for group in calendar.groups)
        return [entry.case.pk for entry in calendar.entries + calendar.undecided if entry.kind == "case_deadline"]

    assert deadlines() == [case.pk] and deadlines(grouped=True) == 1  # its papers are in, the deadline still shows
    case = act(case, "present_amount", officer, amount=1_000_000)
    assert case.state == "amount_presented" and case.deadline_effective is not None
    assert deadlines() == [] and deadlines(grouped=True) == 0


def test_the_fiscal_year_filter_leaves_out_other_years_steps():
    shipped_schedules()  # FY2023 and FY2025
    three_years = {"start": date(2023, 4, 1), "end": date(2026, 3, 31), "today": date(2025, 4, 1)}
    everything = calendar_for_actor(actor=f.supervisor(), **three_years)
    only_2025 = calendar_for_actor(actor=f.supervisor(), fiscal_year=2025, **three_years)
    assert {entry.fiscal_year for entry in everything.entries} > {2025}
    assert {entry.fiscal_year for entry in only_2025.entries + only_2025.undecided} == {2025}


def test_a_schedule_day_that_rolls_into_the_next_month_shows_in_the_month_it_falls_due():
    version = ScheduleVersionFactory(key="fy2025-test", fiscal_year=2025)
    ScheduleStepFactory(version=version, key="due", date_from=date(2026, 1, 31), date_to=date(2026, 1, 31))  # a Saturday
    february = calendar_for_actor(actor=f.supervisor(), start=date(2026, 2, 1), end=date(2026, 2, 28), today=date(2026, 1, 5))
    [entry] = february.entries
    assert (entry.stated, entry.effective) == (date(2026, 1, 31), date(2026, 2, 2))
    january = calendar_for_actor(actor=f.supervisor(), start=date(2026, 1, 1), end=date(2026, 1, 31), today=date(2026, 1, 5))
    assert january.entries == []  # as a case's deadline: on the day it falls due, not the day stated


def test_the_month_and_week_views_name_the_stream_of_each_schedule_step(client):
    """Two streams' steps can fall on one day: each step on the month and week views names its stream, as the
    list view does."""
    import re

    shipped_schedules()
    client.force_login(f.supervisor())
    for query in ("view=month&month=2025-12", "view=week&week=2025-12-01"):
        html = client.get(f"/calendar/?{query}&fiscal_year=2025", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
        steps = re.findall(r'<span class="event event--step".*?</span>(?=\s*<|$)', html, flags=re.S)
        assert steps, query
        for step in steps:
            assert re.search(r'data-testid="step-stream">(地域支援事業交付金|地域医療介護総合確保基金|後期高齢者医療特別調整交付金)', step), step
