"""Two fund-balance imports for one prefecture at once: the second sees the first, so years still join.

The continuity rule spans rows (a closing equals the next opening), so only
the import can hold it; two imports that both read the years on file before
either commits would each pass it alone and together store a break.
"""

import time

import pytest
from django.db import connection

from payments.models import FundBalance
from payments.services import FundBalanceRow, fund_balance_import, fund_balances
from tests import factories as f
from tests.threads import at_once, errors

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's write lock already serialises imports"),
]


def _row(year: int, opening: int) -> FundBalanceRow:
    return FundBalanceRow("11", year, opening, 600, 300, 7, 500, opening + 407)


def _at_once(monkeypatch, boss, *imports: list[FundBalanceRow]) -> list:
    """Run the imports together, each lingering after reading the stored years, as a slow import would."""
    check = fund_balances._check_continuity
    monkeypatch.setattr(fund_balances, "_check_continuity", lambda *a: (time.sleep(0.5), check(*a)))
    return at_once(*(lambda rows=rows: fund_balance_import(actor=boss, rows=rows) for rows in imports))


@pytest.fixture
def boss(live_db):
    f.prefecture("11")
    for year in (2023, 2024):
        f.fiscal_year(year)
    return f.supervisor()


def test_two_imports_at_once_never_store_a_break_between_years(boss, monkeypatch):
    outcomes = _at_once(monkeypatch, boss, [_row(2023, 1_000)], [_row(2024, 1_400)])  # 2023 closes at 1,407
    assert sorted(type(o).__name__ for o in outcomes) == ["FundBalanceDiscontinuity", "list"]
    assert FundBalance.objects.count() == 1


def test_the_same_import_sent_twice_at_once_is_recorded_once_without_an_error(boss, monkeypatch):
    outcomes = _at_once(monkeypatch, boss, [_row(2023, 1_000)], [_row(2023, 1_000)])
    assert errors(outcomes) == []
    assert list(FundBalance.objects.values_list("fiscal_year_id", "closing")) == [(2023, 1_407)]
