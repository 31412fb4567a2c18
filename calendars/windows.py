"""Schedule windows: how precisely a step is dated, and what that means in days.

The sources date steps as a day, a part of a month (上旬 1–10, 中旬 11–20,
下旬 21–end), a month, months "頃", a range, an open window ("以降" from a day,
"までに" by a day) or not at all (未定, or no date given). A window is stored as
its precision with ``date_from``/``date_to``; the rules here say which pairs
are valid, which day a window gives as a deadline and how it moves into
another year.
"""

import calendar
from collections.abc import Container
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils.translation import gettext_lazy as _

from .business_days import last_business_day_on_or_before
from .eras import era_year


class Precision(models.TextChoices):
    EXACT = "exact", _("Exact day")
    EARLY = "early", _("Early in the month (上旬, 1st–10th)")
    MID = "mid", _("Middle of the month (中旬, 11th–20th)")
    LATE = "late", _("Late in the month (下旬, 21st–end)")
    MONTH = "month", _("Whole month")
    AROUND = "around", _("Around (頃): whole month or months")
    RANGE = "range", _("Range of days")
    FROM = "from", _("Open: from a day (以降)")
    BY = "by", _("Open: by a day (までに)")
    UNDECIDED = "undecided", _("Undecided (未定)")
    NONE = "none", _("No date given")


# Windows inside one month: (first day, last day or None for the month's end).
_PART_OF_MONTH = {
    Precision.EARLY: (1, 10),
    Precision.MID: (11, 20),
    Precision.LATE: (21, None),
    Precision.MONTH: (1, None),
}
UNDATED = frozenset({Precision.UNDECIDED, Precision.NONE})


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def window_problems(precision: str, date_from: date | None, date_to: date | None) -> list[str]:
    """What is wrong with a window, in words; empty when it is consistent."""
    if precision in UNDATED:
        return [] if date_from is None and date_to is None else [str(_("An undated step has no dates."))]
    if precision == Precision.FROM:
        return [] if date_from and date_to is None else [str(_("An open 'from' window has a start and no end."))]
    if precision == Precision.BY:
        return [] if date_to and date_from is None else [str(_("An open 'by' window has an end and no start."))]
    if date_from is None or date_to is None:
        return [str(_("This window needs both a start and an end."))]
    if date_from > date_to:
        return [str(_("The window ends before it starts."))]
    if precision == Precision.EXACT and date_from != date_to:
        return [str(_("An exact day starts and ends on the same day."))]
    if precision in _PART_OF_MONTH:
        first, last = _PART_OF_MONTH[precision]
        expected_end = month_end(date_from) if last is None else date_from.replace(day=last)
        if date_from.day != first or date_to != expected_end:
            return [str(_("The dates do not match the part of the month."))]
    if precision == Precision.AROUND and (date_from.day != 1 or date_to != month_end(date_to)):
        return [str(_("An 'around' window covers whole months."))]
    return []


_PART_JA = {Precision.EARLY: "上旬", Precision.MID: "中旬", Precision.LATE: "下旬"}
UNDECIDED_JA = "未定"


def window_text_ja(precision: str, date_from: date | None, date_to: date | None) -> str:
    """A window in words, the one way every page and feed names it: 令和7年11月頃, 令和8年1月中旬, 令和7年12月～令和8年1月頃.

    The era year is always named, so a window reads the same whichever fiscal year or years the page
    shows; within one window the end names its year only when it differs from the start's
    (令和7年4月～5月, 令和7年12月28日～令和8年1月15日). A range of whole months is said in months.
    Undecided is 未定; a step with no date given has no words.
    """
    if precision == Precision.UNDECIDED:
        return UNDECIDED_JA
    if precision == Precision.NONE or (date_from is None and date_to is None):
        return ""
    if precision == Precision.FROM:
        return f"{_day_ja(date_from, whole_month=date_from.day == 1)}以降"
    if precision == Precision.BY:
        return f"{_day_ja(date_to)}までに"
    if precision == Precision.EXACT:
        return _day_ja(date_to)
    if precision in _PART_JA:
        return f"{era_year(date_from)}{date_from.month}月{_PART_JA[precision]}"
    whole_months = date_from.day == 1 and date_to == month_end(date_to)
    if precision == Precision.MONTH or (whole_months and (date_from.year, date_from.month) == (date_to.year, date_to.month)):
        return f"{era_year(date_from)}{date_from.month}月" + ("頃" if precision == Precision.AROUND else "")
    start = _day_ja(date_from, whole_month=whole_months)
    end = _day_ja(date_to, whole_month=whole_months, year=era_year(date_to) != era_year(date_from))
    return f"{start}～{end}" + ("頃" if precision == Precision.AROUND else "")


def _day_ja(day: date, *, whole_month: bool = False, year: bool = True) -> str:
    """令和7年11月21日, or 令和7年11月 for a whole month; without the era year when ``year`` is off."""
    text = f"{day.month}月" if whole_month else f"{day.month}月{day.day}日"
    return f"{era_year(day)}{text}" if year else text


def window_deadline_day(
    precision: str, date_from: date | None, date_to: date | None, *, extra_closures: Container[date] | None = None
) -> date | None:
    """The deadline a window states by default: its last business day.

    An exact day is stated as it is (art. 2 may move it later). A window
    without an end (undecided, no date, open "from") states nothing: the
    officer has to give the date. A window without a single business day
    states its last day, which the roll-forward then moves.
    """
    if date_to is None or precision in UNDATED or precision == Precision.FROM:
        return None
    if precision == Precision.EXACT:
        return date_to
    day = last_business_day_on_or_before(date_to, extra_closures=extra_closures)
    if date_from is not None and day < date_from:
        return date_to
    return day


def shift_window_day(precision: str, day: date | None, years: int) -> date | None:
    """The same point of a window ``years`` later.

    An exact day keeps its month and day (29 February becomes the 28th).
    Windows move by month: a window's last day that was a month's end stays
    a month's end, so 下旬 of February ends on the 29th in a leap year.
    """
    if day is None:
        return None
    shifted = day + relativedelta(years=years)
    if precision != Precision.EXACT and day == month_end(day):
        return month_end(shifted)
    return shifted
