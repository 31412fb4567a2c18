"""Fiscal years: 1 April to 31 March, named by the April year."""

from datetime import date


def fiscal_year_of(day: date) -> int:
    """The fiscal year a date belongs to, named by its April year (2026-03-31 → 2025)."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)
