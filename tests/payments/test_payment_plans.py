"""The shipped tranche plans: loaded once, left alone when unchanged, dated on business days."""

from datetime import date

import pytest

from calendars.business_days import is_business_day, last_business_day_on_or_before
from grants.models import HistoryEntry
from grants.roles import system_user
from payments.models import PaymentPlanRule
from payments.services import payment_plans_load_defaults

pytestmark = pytest.mark.django_db


def rules(year, procedure, part=""):
    return list(
        PaymentPlanRule.objects.filter(fiscal_year_id=year, procedure=procedure, part=part)
        .order_by("sequence")
        .values_list("basis", "base", "percent", "run_on")
    )


def test_fy2023_and_fy2025_plans_as_design_section_5_says():
    payment_plans_load_defaults(actor=system_user())
    assert rules(2023, "initial_grant") == [
        ("tranche_1", "amount", 50, date(2023, 10, 30)),
        ("tranche_2", "amount", 25, date(2024, 1, 29)),
    ]
    assert rules(2023, "change_grant") == [("tranche_3_change", "increase", 75, date(2024, 3, 25))]
    assert rules(2023, "adjustment_grant") == [("adjustment_grant", "amount", 100, date(2024, 3, 25))]
    assert rules(2023, "prior_year_settlement") == [("settlement_remainder", "cumulative", 100, date(2024, 1, 29))]
    assert rules(2025, "initial_grant") == [("tranche_1", "amount", 100, date(2026, 3, 31))]


def test_loading_twice_writes_once():
    first = payment_plans_load_defaults(actor=system_user())
    assert len(first) == PaymentPlanRule.objects.count() > 0
    assert payment_plans_load_defaults(actor=system_user()) == []
    assert HistoryEntry.objects.filter(action="payment_plans_load").count() == 1


def test_fy2025_runs_fall_on_the_last_business_day_of_their_planned_window():
    payment_plans_load_defaults(actor=system_user())
    late_january, late_march = date(2026, 1, 31), date(2026, 3, 31)  # 令和8年1月下旬, 3月下旬
    fy2025 = PaymentPlanRule.objects.filter(fiscal_year_id=2025)
    assert fy2025.exists()
    for rule in fy2025:
        window_end = late_january if rule.run_on.month == 1 else late_march
        assert rule.run_on == last_business_day_on_or_before(window_end), rule


def test_fy2023_runs_as_held_were_business_days():
    payment_plans_load_defaults(actor=system_user())
    run_dates = set(PaymentPlanRule.objects.filter(fiscal_year_id=2023).values_list("run_on", flat=True))
    assert run_dates == {date(2023, 10, 30), date(2024, 1, 29), date(2024, 3, 25)}
    assert all(is_business_day(day) for day in run_dates)


def test_a_plan_that_shares_out_more_than_the_whole_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "plans.yaml"
    path.write_text(
        "plans:\n"
        "  - {fiscal_year: 2024, stream: community_support_grant, procedure: initial_grant, base: amount,\n"
        "     payments: [{basis: tranche_1, percent: 60, run_on: 2024-10-31},"
        " {basis: tranche_2, percent: 50, run_on: 2025-01-31}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="above 100"):
        payment_plans_load_defaults(actor=system_user(), path=path)
    assert not PaymentPlanRule.objects.exists()
