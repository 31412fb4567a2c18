"""Government business days: weekends, national and substitute holidays, 12/29–1/3, extra closures."""

from datetime import date

import jpholiday
import pytest

from calendars.business_days import (
    add_business_days,
    deadline_from,
    is_business_day,
    last_business_day_on_or_before,
)
from calendars.models import ClosureDay

pytestmark = pytest.mark.django_db


def test_golden_week_2025_is_closed_on_every_holiday_and_the_substitute_holiday():
    # 4/29 昭和の日, 5/3–5/5 憲法記念日・みどりの日・こどもの日, 5/6 振替休日 (5/4 fell on a Sunday)
    closed = [date(2025, 4, 29), date(2025, 5, 3), date(2025, 5, 4), date(2025, 5, 5), date(2025, 5, 6)]
    assert not any(is_business_day(day) for day in closed)
    assert is_business_day(date(2025, 5, 2)) and is_business_day(date(2025, 5, 7))
    assert add_business_days(date(2025, 5, 2), 1) == date(2025, 5, 7)
    assert add_business_days(date(2025, 5, 7), -1) == date(2025, 5, 2)
    assert add_business_days(date(2025, 4, 25), 7) == date(2025, 5, 9)  # 4/28, 4/30–5/2, 5/7–5/9


def test_year_end_closure_runs_from_29_december_to_3_january():
    closure = [date(2025, 12, 29), date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 2), date(2026, 1, 3)]
    assert not any(jpholiday.is_holiday(day) for day in closure[:3])  # the law's own rule, not national holidays
    assert not any(is_business_day(day) for day in closure)
    assert is_business_day(date(2025, 12, 26))  # the last Friday before it
    assert add_business_days(date(2025, 12, 26), 1) == date(2026, 1, 5)
    assert deadline_from(date(2025, 12, 30)).effective == date(2026, 1, 5)


def test_deadline_on_a_sunday_before_a_substitute_holiday_rolls_to_the_tuesday():
    assert jpholiday.is_holiday_name(date(2024, 2, 11)) == "建国記念の日"  # a Sunday
    assert jpholiday.is_holiday_name(date(2024, 2, 12)) == "建国記念の日 振替休日"
    deadline = deadline_from(date(2024, 2, 11))
    assert deadline.effective == date(2024, 2, 13)
    assert deadline.stated == date(2024, 2, 11) and deadline.rolled


def test_open_day_deadline_stays_put():
    deadline = deadline_from(date(2024, 2, 13))
    assert deadline.effective == deadline.stated and not deadline.rolled


def test_an_extra_closure_day_counts_as_closed():
    ClosureDay.objects.create(day=date(2025, 7, 1), reason="庁舎停電")
    assert not is_business_day(date(2025, 7, 1))
    assert deadline_from(date(2025, 7, 1)).effective == date(2025, 7, 2)
    assert last_business_day_on_or_before(date(2025, 7, 1)) == date(2025, 6, 30)
