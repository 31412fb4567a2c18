"""The budget ledger against the one rule it derives from (docs/money.md, "The budget ledger")."""

from datetime import datetime, timezone as tz

from grants.models import BudgetCommitment, BudgetLedger, Case, CaseState, Determination
from grants.selectors import budget_year_latest_query
from tests import factories as f
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


def approvals_laid_down_directly() -> Determination:
    """Approvals of FY2027 (and one of FY2026) written as a loader writes them, around the transition service, so
    the ledger knows nothing of them: a grant changed twice (the same minute: the later row counts), an adjustment
    grant, a settlement, a withdrawn adjustment grant and a revoked grant. Returns a change drafted, not approved."""
    officer, boss = f.officer(), f.supervisor()
    first, second, third = (f.municipality(f"11-p{n}", f"町{n}") for n in range(3))

    def determination(case, kind, amount, minute, *, approved=True):
        at = datetime(2027, 6, 1, 9, minute, tzinfo=tz.utc)
        return Determination.objects.create(case=case, kind=kind, amount=amount, drafted_by=officer, drafted_at=at,
                                            approved_by=boss if approved else None, approved_at=at if approved else None)

    def case(recipient, procedure, state="notified", year=2027):
        made = f.case(actor=officer, year=year, procedure=procedure, recipient=recipient)
        Case.objects.filter(pk=made.pk).update(state=state)
        return Case.objects.get(pk=made.pk)

    determination(case(first, "initial_grant"), "decision", 5_000_000, 0)
    changed = case(first, "change_grant")
    determination(changed, "change", 7_000_000, 5)
    determination(changed, "change", 6_000_000, 5)  # same minute, later row: the latest
    determination(case(first, "adjustment_grant"), "decision", 2_000_000, 1)
    determination(case(first, "prior_year_settlement"), "settlement", 900_000, 9)
    determination(case(second, "initial_grant"), "decision", 3_000_000, 2)
    determination(case(second, "adjustment_grant", state=CaseState.WITHDRAWN), "decision", 4_000_000, 3)
    determination(case(third, "initial_grant", state=CaseState.REVOKED), "decision", 8_000_000, 4)
    determination(case(third, "initial_grant", year=2026), "decision", 1_000_000, 4)
    pending = determination(case(third, "change_grant", state="drafted"), "change", 1_000_000, 6, approved=False)
    return pending
