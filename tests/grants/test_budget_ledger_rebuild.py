"""The migration that made the budget ledger fills it from what was on file, as ``migrate`` runs it; the command
writes it afresh."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grants.models import BudgetCommitment, BudgetLedger
from grants.selectors import budget_position, budget_position_of_ledger
from tests.budget_ledger import approvals_laid_down_directly, assert_ledger_agrees
from tests.factories import Stream

BEFORE = ("grants", "0020_hot_path_indexes")


def test_the_ledger_is_filled_from_the_approvals_on_file(live_db):
    call_command("migrate", *BEFORE, verbosity=0)
    try:
        pending = approvals_laid_down_directly()  # through models whose tables 0019 already has
    finally:
        call_command("migrate", verbosity=0)
    assert BudgetCommitment.objects.count() == 4  # two keys of the first recipient, one of the second, FY2026's
    assert BudgetLedger.objects.get(fiscal_year_id=2027, stream=Stream.COMMUNITY_SUPPORT_GRANT).committed == 11_000_000
    assert_ledger_agrees()
    position = dict(fiscal_year=2027, stream=Stream.COMMUNITY_SUPPORT_GRANT, part="", pending=pending)
    assert budget_position_of_ledger(**position) == budget_position(**position)


def test_the_command_writes_the_ledger_afresh(db):
    approvals_laid_down_directly()
    out = StringIO()
    call_command("budget_ledger_rebuild", "--fiscal-year", "2027", stdout=out)
    assert out.getvalue().strip() == "budget ledger of FY2027 written afresh: 3 commitment key(s)"
    assert_ledger_agrees(2027)
    call_command("budget_ledger_rebuild", stdout=StringIO())
    assert_ledger_agrees()
    rows = BudgetCommitment.objects.count()
    for year in ("0", "1999", "99999999999999999999"):  # not set up: refused, naming the year, nothing written
        with pytest.raises(CommandError, match=f"invalid_input: .*\n  fiscal_year: .*{year}"):
            call_command("budget_ledger_rebuild", "--fiscal-year", year)
    assert BudgetCommitment.objects.count() == rows
