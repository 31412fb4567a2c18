"""Japanese era (和暦) formatting for letters and pages.

No maintained library gets 元年 and the era boundaries right (see the
dependency evaluation), so this is a small table of our own: adding the next
era is one line in ``ERAS``.
"""

import re
import unicodedata
from datetime import date
from typing import NamedTuple


class Era(NamedTuple):
    name: str
    starts: date


# Newest first.
ERAS: tuple[Era, ...] = (
    Era("令和", date(2019, 5, 1)),
    Era("平成", date(1989, 1, 8)),
    Era("昭和", date(1926, 12, 25)),
)

WEEKDAYS_JA = "月火水木金土日"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def era_of(day: date) -> tuple[Era, int]:
    """The era a day falls in and the year number within it."""
    for era in ERAS:
        if day >= era.starts:
            return era, day.year - era.starts.year + 1
    raise ValueError(f"{day} is before the first era in the table")


def _year_text(number: int) -> str:
    return "元" if number == 1 else str(number)


def era_year(day: date, *, full_width: bool = False) -> str:
    """令和7年 — the era year of a date (元年 for the first year)."""
    era, number = era_of(day)
    text = f"{era.name}{_year_text(number)}年"
    return text.translate(_FULL_WIDTH) if full_width else text


def era_date(day: date, *, weekday: bool = False, full_width: bool = False) -> str:
    """令和7年11月21日, with （金） when ``weekday`` is set; 元年 for year one."""
    text = f"{era_year(day)}{day.month}月{day.day}日"
    if weekday:
        text += f"（{WEEKDAYS_JA[day.weekday()]}）"
    return text.translate(_FULL_WIDTH) if full_width else text


def day_text(day: date) -> str:
    """A day in a message for the reader's language: 令和8年8月31日 in Japanese, 2026-08-31 in English."""
    from django.utils.translation import get_language

    return era_date(day) if (get_language() or "ja").startswith("ja") else day.isoformat()


def fiscal_year_label(fiscal_year: int, *, full_width: bool = False) -> str:
    """令和7年度 for fiscal year 2025; 令和元年度 for 2019; 昭和63年度 for 1988.

    A fiscal year is named after the calendar year it begins in, as that year
    is named at its end: FY2019 began on 2019-04-01 under 平成 but is officially
    令和元年度, while FY1988, in which 平成 began (1989-01-08), stayed 昭和63年度.
    """
    return f"{era_year(date(fiscal_year, 12, 31), full_width=full_width)}度"


_ERA_YEAR_IN_TEXT = re.compile(
    "(?P<era>" + "|".join(era.name for era in ERAS) + r")\s*(?P<number>[0-9０-９]+|元)\s*年"
)


def shift_era_years(text: str, years: int) -> str:
    """Move every era year written in ``text`` by ``years`` (令和7年8月下旬 → 令和8年8月下旬).

    Works on the year alone, so an era change inside the shifted year takes
    the era of that year's end; full-width digits stay full-width. 元 has no
    width of its own: its new number follows the digits of the rest of the text.
    """
    text_full_width = any("０" <= char <= "９" for char in text)

    def replace(match: re.Match) -> str:
        era = next(era for era in ERAS if era.name == match["era"])
        number = 1 if match["number"] == "元" else int(unicodedata.normalize("NFKC", match["number"]))
        gregorian = era.starts.year + number - 1 + years
        full_width = text_full_width if match["number"] == "元" else not match["number"].isascii()
        return era_year(date(gregorian, 12, 31), full_width=full_width)

    return _ERA_YEAR_IN_TEXT.sub(replace, text)
