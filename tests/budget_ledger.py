"""The budget ledger against the one rule it derives from (docs/money.md, "The budget ceiling")."""

from grants.models import BudgetCommitment, BudgetLedger, Case
from grants.selectors import budget_year_latest_query
from web.rows import rows_of


def ledger_held() -> tuple[dict, dict]:
    """What the ledger holds: each key's (determination, amount) and each year's ``committed``."""
    keys = {
        (row.fiscal_year_id, row.stream, row.part, row.recipient_id, row.grant_key): (row.determination_id, row.amount)
        for row in BudgetCommitment.objects.all()
    }
    years = {(row.fiscal_year_id, row.stream, row.part): row.committed for row in BudgetLedger.objects.all()}
    return keys, years


def assert_ledger_agrees(fiscal_year: int | None = None) -> None:
    """The ledger of every stream, part and fiscal year on file (or of one year) is what the window SQL computes:
    the same keys with the same determination and amount, and ``committed`` their sum (0, or no row, for none)."""
    keys, years = ledger_held()
    lines = set(Case.objects.values_list("fiscal_year_id", "stream", "part")) | set(years)
    lines |= {key[:3] for key in keys}
    for year, stream, part in sorted(lines):
        if fiscal_year is not None and year != fiscal_year:
            continue
        sql, params = budget_year_latest_query(fiscal_year=year, stream=stream, part=part)
        expected = {(year, stream, part, recipient, key): (determination, int(amount))
                    for recipient, key, determination, amount in rows_of(sql, params)}
        held = {key: value for key, value in keys.items() if key[:3] == (year, stream, part)}
        assert held == expected, (year, stream, part)
        assert years.get((year, stream, part), 0) == sum(amount for _determination, amount in expected.values()), (
            year, stream, part,
        )
