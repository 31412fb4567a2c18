"""Template filters for dates in the reader's language: 令和 era dates and fiscal years in Japanese, ISO in English."""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..eras import era_date, era_year, fiscal_year_label

register = template.Library()
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _japanese() -> bool:
    return (get_language() or "ja").startswith("ja")


@register.filter
def jdate(value, style: str = "") -> str:
    """A date as the reader expects it: 令和7年11月21日（金） in Japanese, 2025-11-21 (Fri) in English.

    ``style`` "short" drops the weekday; None shows 未定 (undecided).
    """
    if value in (None, ""):
        return _("Undecided")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    weekday = style != "short"
    if _japanese():
        return era_date(value, weekday=weekday)
    text = value.isoformat()
    return f"{text} ({_WEEKDAYS_EN[value.weekday()]})" if weekday else text


@register.filter
def jday_or_text(value) -> str:
    """A text that is an ISO day (a record's subject, 2026-12-28) as ``jdate`` shows a day without its weekday;
    any other text as it is."""
    text = "" if value is None else str(value)
    if len(text) == 10 and text[4] == text[7] == "-":
        try:
            return jdate(date.fromisoformat(text), "short")
        except ValueError:
            pass
    return text


@register.filter
def jmonth(value: date) -> str:
    """令和8年11月 in Japanese, November 2026 in English."""
    if _japanese():
        return f"{era_year(value)}{value.month}月"
    return value.strftime("%B %Y")


@register.filter
def jdatetime(value) -> str:
    """A moment in Japan time: 令和7年11月21日 14:05 / 2025-11-21 14:05 (an ISO text with its offset too)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(value):
            return value.isoformat(sep=" ", timespec="minutes")
    local = timezone.localtime(value)
    return f"{jdate(local.date(), 'short')} {local:%H:%M}"


@register.filter
def fiscal_year(year) -> str:
    """令和7年度 in Japanese, FY2025 in English."""
    if year in (None, ""):
        return ""
    return fiscal_year_label(int(year)) if _japanese() else f"FY{year}"
