"""Era dates at the Heisei–Reiwa boundary, 元年, fiscal-year labels and full-width digits."""

from datetime import date

import pytest

from calendars.eras import era_date, era_year, fiscal_year_label, shift_era_years
from calendars.fiscal import fiscal_year_bounds, fiscal_year_of


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
    ],
)
def test_era_date_across_era_boundaries(day, expected):
    assert era_date(day) == expected


def test_first_year_of_reiwa_is_gannen():
    assert era_year(date(2019, 12, 31)) == "令和元年"


def test_fiscal_year_2019_is_reiwa_gannendo_though_it_began_under_heisei():
    assert fiscal_year_label(2019) == "令和元年度"
    assert fiscal_year_label(2025) == "令和7年度"
    assert fiscal_year_label(2025, full_width=True) == "令和７年度"


def test_deadline_shows_its_weekday():
    assert era_date(date(2025, 11, 21), weekday=True) == "令和7年11月21日（金）"
    assert era_date(date(2025, 11, 21), weekday=True, full_width=True) == "令和７年１１月２１日（金）"


def test_fiscal_year_of_a_date_and_its_bounds():
    assert fiscal_year_of(date(2026, 3, 31)) == 2025
    assert fiscal_year_of(date(2026, 4, 1)) == 2026
    assert fiscal_year_bounds(2025) == (date(2025, 4, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("令和7年7月下旬", "令和8年7月下旬"),
        ("令和6年度実績報告提出依頼", "令和7年度実績報告提出依頼"),
        ("令和５年６月２３日～", "令和６年６月２３日～"),
        ("7月18日", "7月18日"),
        ("平成30年4月", "令和元年4月"),
        ("令和元年度実績報告（令和元年5月下旬）", "令和2年度実績報告（令和2年5月下旬）"),  # 元 is no full-width digit
        ("令和元年度", "令和2年度"),
        ("令和元年５月２３日～", "令和２年５月２３日～"),
    ],
)
def test_era_years_in_wording_move_with_the_schedule(text, expected):
    assert shift_era_years(text, 1) == expected


def test_fiscal_year_1988_is_showa_63_though_heisei_began_before_it_ended():
    """An era that begins in January–March names the next fiscal year, not the one it began in."""
    assert fiscal_year_label(1988) == "昭和63年度"
    assert fiscal_year_label(1989) == "平成元年度"
    assert fiscal_year_label(2018) == "平成30年度"
