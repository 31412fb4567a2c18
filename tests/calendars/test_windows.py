"""Every kind of schedule window: which dates are valid, the deadline it states, how it moves a year on."""

from datetime import date

import pytest

from calendars.windows import Precision, shift_window_day, window_deadline_day, window_problems

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
