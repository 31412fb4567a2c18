"""The national benchmark's lay-down writes rows around the transition service, then rebuilds the budget ledger."""

import sys
from pathlib import Path

import pytest

from grants.models import BudgetCommitment
from tests.budget_ledger import assert_ledger_agrees

pytestmark = pytest.mark.django_db


def test_the_lay_down_of_years_leaves_the_budget_ledger_as_the_window_reads_them(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BUREAU_PREFECTURES = [f"{number:02d}" for number in range(1, 48)]  # as bench/national.py has it
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        from national_fixture import Fixture, recipients_made_up
    finally:
        sys.path.pop(0)
    recipients_made_up(47)
    fixture = Fixture(years=(2024, 2025), municipalities=3, log=lambda *_args: None)
    fixture.lay_down()
    assert BudgetCommitment.objects.filter(fiscal_year_id=2024).count() > 3
    assert_ledger_agrees()
