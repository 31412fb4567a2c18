"""Fiscal years: 1 April to 31 March, named by the April year."""

from datetime import date

from grants.models import fiscal_year_of  # noqa: F401  (the rule lives with FiscalYear; calendars reads it here)


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)
