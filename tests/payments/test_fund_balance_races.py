"""Two fund-balance imports for one prefecture at once: the second sees the first, so years still join.

The continuity rule spans rows (a closing equals the next opening), so only
the import can hold it; two imports that both read the years on file before
either commits would each pass it alone and together store a break.
"""

import threading
import time

import pytest
from django.db import connection

from grants.payments.models import FundBalance
from grants.payments.services import FundBalanceRow, fund_balance_import
from grants.payments.services import fund_balances
from tests import factories as f

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's write lock already serialises imports"),
]


def _row(year: int, opening: int) -> FundBalanceRow:
    return FundBalanceRow("11", year, opening, 600, 300, 7, 500, opening + 407)


def _at_once(monkeypatch, boss, *imports: list[FundBalanceRow]) -> list[Exception | None]:
    """Run the imports in threads that each linger after reading the stored years, as a slow import would."""
    check = fund_balances._check_continuity
    monkeypatch.setattr(fund_balances, "_check_continuity", lambda *a: (time.sleep(0.5), check(*a)))
    outcomes: list[Exception | None] = [None] * len(imports)
    barrier = threading.Barrier(len(imports))

    def run(index: int) -> None:
        barrier.wait()
        try:
            fund_balance_import(actor=boss, rows=imports[index])
        except Exception as exc:  # noqa: BLE001 (the test inspects what each import raised)
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(imports))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def boss(live_db):
    f.prefecture("11")
    for year in (2023, 2024):
        f.fiscal_year(year)
    return f.supervisor()


def test_two_imports_at_once_never_store_a_break_between_years(boss, monkeypatch):
    outcomes = _at_once(monkeypatch, boss, [_row(2023, 1_000)], [_row(2024, 1_400)])  # 2023 closes at 1,407
    assert sorted(type(o).__name__ for o in outcomes) == ["FundBalanceDiscontinuity", "NoneType"]
    assert FundBalance.objects.count() == 1


def test_the_same_import_sent_twice_at_once_is_recorded_once_without_an_error(boss, monkeypatch):
    outcomes = _at_once(monkeypatch, boss, [_row(2023, 1_000)], [_row(2023, 1_000)])
    assert outcomes == [None, None]
    assert list(FundBalance.objects.values_list("fiscal_year_id", "closing")) == [(2023, 1_407)]
