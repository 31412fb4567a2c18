"""Government business days (行政機関の休日に関する法律).

Art. 1: the administration is closed on Saturdays, Sundays, national holidays
(jpholiday, which includes substitute and citizens' holidays) and 12/29–1/3.
Art. 2: a deadline that falls on a closed day moves to the next open day.
Extra closures (臨時休庁) come from ``ClosureDay``.
"""

from datetime import date, timedelta
from typing import NamedTuple

import jpholiday


def _is_year_end_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def _extra_closures(start: date, end: date) -> frozenset[date]:
    from .models import ClosureDay

    return frozenset(ClosureDay.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True))


def is_business_day(day: date, *, extra_closures: frozenset[date] | None = None) -> bool:
    """True when government offices are open on ``day``."""
    if day.weekday() >= 5 or _is_year_end_closure(day) or jpholiday.is_holiday(day):
        return False
    closures = extra_closures if extra_closures is not None else _extra_closures(day, day)
    return day not in closures


def _walk(start: date, step: int, count: int) -> date:
    # Look far enough ahead for the closure table once (a year-end plus Golden Week fit easily).
    span = timedelta(days=abs(count) * 2 + 30)
    low, high = (start, start + span) if step > 0 else (start - span, start)
    closures = _extra_closures(low, high)
    day, remaining = start, count
    while remaining > 0:
        day += timedelta(days=step)
        if is_business_day(day, extra_closures=closures):
            remaining -= 1
    return day


def add_business_days(start: date, count: int) -> date:
    """The business day ``count`` business days after ``start`` (before, if negative)."""
    if count == 0:
        return start
    return _walk(start, 1 if count > 0 else -1, abs(count))


def next_business_day_on_or_after(day: date) -> date:
    """``day`` itself when open, else the next open day (art. 2 roll-forward)."""
    return day if is_business_day(day) else add_business_days(day, 1)


def last_business_day_on_or_before(day: date) -> date:
    return day if is_business_day(day) else add_business_days(day, -1)


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (negative when end < start)."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    closures = _extra_closures(low, high)
    count = sum(
        1
        for offset in range(1, (high - low).days + 1)
        if is_business_day(low + timedelta(days=offset), extra_closures=closures)
    )
    return sign * count


class Deadline(NamedTuple):
    stated: date
    effective: date

    @property
    def rolled(self) -> bool:
        return self.stated != self.effective


def deadline_from(stated: date) -> Deadline:
    """A stated deadline and the day it actually falls due after the art. 2 roll-forward."""
    return Deadline(stated, next_business_day_on_or_after(stated))
