"""Every kind of schedule window: which dates are valid, the deadline it states, how it moves a year on."""

from datetime import date

import pytest

from calendars.windows import Precision, shift_window_day, window_deadline_day, window_problems, window_text_ja

pytestmark = pytest.mark.django_db
P = Precision

VALID = [
    (P.EXACT, date(2025, 7, 11), date(2025, 7, 11)),
    (P.EARLY, date(2025, 6, 1), date(2025, 6, 10)),
    (P.MID, date(2026, 2, 11), date(2026, 2, 20)),
    (P.LATE, date(2026, 2, 21), date(2026, 2, 28)),
    (P.MONTH, date(2023, 8, 1), date(2023, 8, 31)),
    (P.AROUND, date(2025, 11, 1), date(2025, 12, 31)),
    (P.RANGE, date(2025, 12, 11), date(2026, 1, 20)),
    (P.FROM, date(2023, 7, 1), None),
    (P.BY, None, date(2024, 3, 20)),
    (P.UNDECIDED, None, None),
    (P.NONE, None, None),
]
INVALID = [
    (P.EXACT, date(2025, 7, 11), date(2025, 7, 12)),
    (P.EARLY, date(2025, 6, 1), date(2025, 6, 11)),
    (P.MID, date(2026, 2, 10), date(2026, 2, 20)),
    (P.LATE, date(2026, 2, 21), date(2026, 2, 27)),
    (P.MONTH, date(2023, 8, 2), date(2023, 8, 31)),
    (P.AROUND, date(2025, 11, 1), date(2025, 12, 30)),
    (P.RANGE, date(2026, 1, 20), date(2025, 12, 11)),
    (P.FROM, date(2023, 7, 1), date(2023, 7, 31)),
    (P.BY, date(2024, 3, 1), date(2024, 3, 20)),
    (P.UNDECIDED, date(2025, 1, 1), None),
    (P.NONE, None, date(2025, 1, 1)),
]


def test_every_precision_is_covered():
    assert {case[0] for case in VALID} == set(Precision) == {case[0] for case in INVALID}


@pytest.mark.parametrize("precision, start, end", VALID)
def test_consistent_windows_pass(precision, start, end):
    assert window_problems(precision, start, end) == []


@pytest.mark.parametrize("precision, start, end", INVALID)
def test_inconsistent_windows_are_refused(precision, start, end):
    assert window_problems(precision, start, end)


@pytest.mark.parametrize(
    "precision, start, end, deadline",
    [
        (P.EXACT, date(2025, 7, 12), date(2025, 7, 12), date(2025, 7, 12)),  # a Saturday: stated as is, art. 2 rolls it
        (P.EARLY, date(2025, 5, 1), date(2025, 5, 10), date(2025, 5, 9)),  # 5/10 is a Saturday
        (P.MID, date(2026, 2, 11), date(2026, 2, 20), date(2026, 2, 20)),
        (P.LATE, date(2026, 2, 21), date(2026, 2, 28), date(2026, 2, 27)),  # 2/28 is a Saturday
        (P.MONTH, date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 30)),  # 1/31 is a Saturday
        (P.AROUND, date(2025, 11, 1), date(2025, 11, 30), date(2025, 11, 28)),  # 11/29–30 weekend
        (P.RANGE, date(2025, 6, 1), date(2025, 7, 31), date(2025, 7, 31)),
        (P.BY, None, date(2024, 3, 20), date(2024, 3, 19)),  # 3/20 春分の日
        (P.RANGE, date(2025, 12, 29), date(2026, 1, 3), date(2026, 1, 3)),  # no business day in it: its last day
        (P.FROM, date(2023, 7, 1), None, None),
        (P.UNDECIDED, None, None, None),
        (P.NONE, None, None, None),
    ],
)
def test_a_window_states_its_last_business_day_as_the_deadline(precision, start, end, deadline):
    assert window_deadline_day(precision, start, end) == deadline


@pytest.mark.parametrize(
    "precision, day, shifted",
    [
        (P.EXACT, date(2025, 7, 11), date(2026, 7, 11)),
        (P.EXACT, date(2024, 2, 29), date(2025, 2, 28)),
        (P.LATE, date(2027, 2, 28), date(2028, 2, 29)),  # a month's end stays a month's end
        (P.MONTH, date(2025, 9, 30), date(2026, 9, 30)),
        (P.RANGE, date(2024, 1, 29), date(2025, 1, 29)),
        (P.UNDECIDED, None, None),
    ],
)
def test_windows_move_by_month_and_exact_days_by_date(precision, day, shifted):
    assert shift_window_day(precision, day, 1) == shifted


@pytest.mark.parametrize(
    "precision, start, end, text",
    [
        (Precision.EXACT, date(2025, 6, 19), date(2025, 6, 19), "令和7年6月19日"),
        (Precision.EARLY, date(2026, 1, 1), date(2026, 1, 10), "令和8年1月上旬"),
        (Precision.MID, date(2026, 1, 11), date(2026, 1, 20), "令和8年1月中旬"),
        (Precision.LATE, date(2025, 11, 21), date(2025, 11, 30), "令和7年11月下旬"),
        (Precision.MONTH, date(2025, 11, 1), date(2025, 11, 30), "令和7年11月"),
        # the source wrote 11月頃 and 令和8年1月頃 in one fiscal year's schedule: one rule, the year always named
        (Precision.AROUND, date(2025, 11, 1), date(2025, 11, 30), "令和7年11月頃"),
        (Precision.AROUND, date(2026, 1, 1), date(2026, 1, 31), "令和8年1月頃"),
        (Precision.AROUND, date(2025, 11, 1), date(2025, 12, 31), "令和7年11月～12月頃"),
        (Precision.AROUND, date(2025, 12, 1), date(2026, 1, 31), "令和7年12月～令和8年1月頃"),
        (Precision.RANGE, date(2025, 6, 1), date(2025, 7, 31), "令和7年6月～7月"),
        (Precision.RANGE, date(2023, 12, 28), date(2024, 1, 15), "令和5年12月28日～令和6年1月15日"),
        (Precision.RANGE, date(2024, 1, 29), date(2024, 2, 7), "令和6年1月29日～2月7日"),
        (Precision.FROM, date(2023, 4, 1), None, "令和5年4月以降"),
        (Precision.FROM, date(2023, 6, 23), None, "令和5年6月23日以降"),
        (Precision.BY, None, date(2024, 3, 20), "令和6年3月20日までに"),
        (Precision.AROUND, date(2019, 4, 1), date(2019, 5, 31), "平成31年4月～令和元年5月頃"),
        (Precision.UNDECIDED, None, None, "未定"),
        (Precision.NONE, None, None, ""),
    ],
)
def test_a_window_is_worded_one_way_with_its_era_year_always_named(precision, start, end, text):
    assert window_text_ja(precision, start, end) == text
