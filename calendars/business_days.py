"""Government business days (行政機関の休日に関する法律).

Art. 1: the administration is closed on Saturdays, Sundays, national holidays
(jpholiday, which includes substitute and citizens' holidays) and 12/29–1/3.
Art. 2: a deadline that falls on a closed day moves to the next open day.
Extra closures (臨時休庁) come from ``ClosureDay``.
"""

from collections.abc import Container
from datetime import date, timedelta
from typing import NamedTuple

import jpholiday

from django.db import connection

from web.rows import rows_select, shared_read, shared_seed


def _is_year_end_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


class ClosureCache:
    """Extra closure days (``ClosureDay``), loaded one calendar year at a time.

    Pass one to the functions below when asking about many days (a calendar
    page, a reminder run): each year touched costs one query. Built per call
    or per job, never kept globally, so an administrator's new closure day is
    seen by the next request (inside ``web.rows.shared_reads``, one is shared by a bulk step's chunk of acts).
    """

    def __init__(self, every_day: frozenset[date] | None = None):
        self._years: dict[int, frozenset[date]] = {}
        self._every_day = every_day  # every closure day on file, read already (``closure_days_known``)

    def __contains__(self, day: date) -> bool:
        if self._every_day is not None:
            return day in self._every_day
        if day.year not in self._years:
            from .models import ClosureDay

            # prepared: every request's deadline asks
            found = rows_select(ClosureDay, "t.day BETWEEN %s AND %s", [date(day.year, 1, 1), date(day.year, 12, 31)])
            self._years[day.year] = frozenset(closure.day for closure in found)
        return day in self._years[day.year]


_SHARED_KEY = ("closure_days",)


def _closures(given: Container[date] | None) -> Container[date]:
    return given if given is not None else shared_read(_SHARED_KEY, ClosureCache)


def closure_days_column(vendor: str) -> str:
    """A column expression with every closure day on file as one text (``closure_days_known`` reads it), for a
    statement that reads them with something else: an act's case read. The table holds a few days a year."""
    from .models import ClosureDay

    table = connection.ops.quote_name(ClosureDay._meta.db_table)
    if vendor == "postgresql":
        return f"(SELECT string_agg(cd.day::text, ',') FROM {table} cd)"
    return f"(SELECT group_concat(cd.day, ',') FROM {table} cd)"


def closure_days_known(text: str | None) -> None:
    """Inside ``web.rows.shared_reads``: every closure day on file (``closure_days_column``'s text) is known, so
    the business-day functions ask the database no more. Outside, nothing."""
    days = frozenset(date.fromisoformat(day) for day in text.split(",")) if text else frozenset()
    shared_seed(_SHARED_KEY, lambda: ClosureCache(every_day=days))


def is_business_day(day: date, *, extra_closures: Container[date] | None = None) -> bool:
    """True when government offices are open on ``day``."""
    if day.weekday() >= 5 or _is_year_end_closure(day) or jpholiday.is_holiday(day):
        return False
    return day not in _closures(extra_closures)


def add_business_days(start: date, count: int, *, extra_closures: Container[date] | None = None) -> date:
    """The business day ``count`` business days after ``start`` (before, if negative)."""
    closures = _closures(extra_closures)
    step = 1 if count > 0 else -1
    day, remaining = start, abs(count)
    while remaining > 0:
        day += timedelta(days=step)
        if is_business_day(day, extra_closures=closures):
            remaining -= 1
    return day


def next_business_day_on_or_after(day: date, *, extra_closures: Container[date] | None = None) -> date:
    """``day`` itself when open, else the next open day (art. 2 roll-forward)."""
    closures = _closures(extra_closures)
    return day if is_business_day(day, extra_closures=closures) else add_business_days(day, 1, extra_closures=closures)


def last_business_day_on_or_before(day: date, *, extra_closures: Container[date] | None = None) -> date:
    """``day`` itself when open, else the open day before it (a window's last usable day)."""
    closures = _closures(extra_closures)
    return day if is_business_day(day, extra_closures=closures) else add_business_days(day, -1, extra_closures=closures)


class Deadline(NamedTuple):
    stated: date
    effective: date

    @property
    def rolled(self) -> bool:
        return self.stated != self.effective


def deadline_from(stated: date, *, extra_closures: Container[date] | None = None) -> Deadline:
    """A stated deadline and the day it actually falls due after the art. 2 roll-forward."""
    return Deadline(stated, next_business_day_on_or_after(stated, extra_closures=extra_closures))


def business_days_between(start: date, end: date, *, extra_closures: Container[date] | None = None) -> int:
    """The business days after ``start`` up to and including ``end`` (0 when ``end`` is ``start``).

    How long something took in working days: asked on a Friday and answered
    on the Monday after is 1, whatever the weekend or a closure day between.
    """
    if end < start:
        raise ValueError("end comes before start")
    closures = _closures(extra_closures)
    return sum(
        1 for offset in range(1, (end - start).days + 1)
        if is_business_day(start + timedelta(days=offset), extra_closures=closures)
    )
