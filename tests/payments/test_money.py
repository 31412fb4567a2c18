"""Yen arithmetic against hand-computed figures: tranche shares and the subsidy act's interest.

10.95 % a year on a 365-day basis is exactly 0.03 % a day, so every figure
below is principal × days × 3 / 10,000, floored.
"""

import random
from datetime import date

import pytest

from payments.money import attribute_latest_receipts_first, late_interest, split_by_percent_floored, surcharge

AWKWARD = [0, 1, 2, 3, 7, 99, 101, 333, 99_999_999, 100_000_001, 123_456_789, 999_999_999_999, 10**15 + 7]
PLANS = [[50, 25, 25], [75, 25], [100], [33, 33, 34], [1, 99], [10] * 10, [99, 1], [0, 100]]


def test_worked_example_shares_of_the_initial_grant():
    assert split_by_percent_floored(100_000_000, [50, 25, 25]) == [50_000_000, 25_000_000, 25_000_000]
    assert split_by_percent_floored(120_000_000 - 100_000_000, [75, 25]) == [15_000_000, 5_000_000]


def test_shares_floor_and_the_last_takes_the_remainder():
    assert split_by_percent_floored(100_000_001, [50, 25, 25]) == [50_000_000, 25_000_000, 25_000_001]
    assert split_by_percent_floored(3, [33, 33, 34]) == [0, 0, 3]
    assert split_by_percent_floored(20_000_002, [75, 25]) == [15_000_001, 5_000_001]


@pytest.mark.parametrize("amount", AWKWARD)
@pytest.mark.parametrize("percents", PLANS)
def test_awkward_amounts_split_to_their_exact_sum(amount, percents):
    shares = split_by_percent_floored(amount, percents)
    assert sum(shares) == amount
    assert shares[:-1] == [amount * p // 100 for p in percents[:-1]]
    assert all(share >= 0 for share in shares)


def test_many_random_amounts_and_plans_split_to_their_exact_sum():
    rng = random.Random(20231030)
    for _ in range(20_000):
        amount = rng.choice([rng.randrange(1_000), rng.randrange(10**9), rng.randrange(10**15)])
        cuts = sorted(rng.sample(range(1, 100), rng.randrange(0, 6)))
        percents = [b - a for a, b in zip([0, *cuts], [*cuts, 100])]
        shares = split_by_percent_floored(amount, percents)
        assert sum(shares) == amount, (amount, percents)
        assert all(0 <= share <= amount for share in shares), (amount, percents)
        assert all(share == amount * p // 100 for share, p in zip(shares, percents[:-1]))


@pytest.mark.parametrize(
    "amount, percents", [(-1, [100]), (1.5, [100]), (True, [100]), (10, [50, 40]), (10, [120, -20]), (10, [])]
)
def test_split_refuses_what_is_not_yen_or_not_a_whole(amount, percents):
    with pytest.raises(ValueError):
        split_by_percent_floored(amount, percents)


def test_a_claim_takes_the_latest_receipts_first():
    receipts = [(date(2023, 10, 30), 50_000_000), (date(2024, 1, 29), 25_000_000), (date(2024, 3, 25), 15_000_000)]
    assert attribute_latest_receipts_first(receipts, 30_000_000) == [
        (date(2024, 3, 25), 15_000_000),
        (date(2024, 1, 29), 15_000_000),
    ]
    assert attribute_latest_receipts_first(receipts, 30_000_000, already_claimed=10_000_000) == [
        (date(2024, 3, 25), 5_000_000),
        (date(2024, 1, 29), 25_000_000),
    ]
    with pytest.raises(ValueError):
        attribute_latest_receipts_first(receipts, 90_000_001)


def test_one_day_costs_three_ten_thousandths_of_the_principal():
    assert surcharge(receipts=[(date(2024, 2, 29), 1_000_000)], payments=[], as_of=date(2024, 2, 29)) == 300


def test_surcharge_runs_from_receipt_to_payment_both_days_counted_across_a_leap_day():
    # 2023-12-01 … 2024-03-31: 31 + 31 + 29 + 31 = 122 days; 1,000,000 × 122 × 0.0003 = 36,600.
    assert surcharge(receipts=[(date(2023, 12, 1), 1_000_000)], payments=[], as_of=date(2024, 3, 31)) == 36_600


def test_a_whole_leap_year_costs_366_days_of_a_365_day_rate():
    # 366 days × 0.03 % = 10.98 %, not 10.95 %: the act's rate is per 365 days, leap years too.
    assert surcharge(receipts=[(date(2024, 1, 1), 1_000_000)], payments=[], as_of=date(2024, 12, 31)) == 109_800


def test_interest_is_floored_to_the_yen_once_on_the_total():
    # 2024-02-01 … 2024-03-01 = 30 days; 1,234,567 × 30 × 0.0003 = 11,111.103 → 11,111.
    assert surcharge(receipts=[(date(2024, 2, 1), 1_234_567)], payments=[], as_of=date(2024, 3, 1)) == 11_111


def test_late_interest_runs_from_the_day_after_the_due_date():
    due = date(2024, 2, 15)
    assert late_interest(principal=1_000_000, due_on=due, payments=[], as_of=due) == 0
    assert late_interest(principal=1_000_000, due_on=due, payments=[], as_of=date(2024, 2, 16)) == 300
    # 2024-02-16 … 2024-03-15: 14 + 15 = 29 days → 8,700.
    assert late_interest(principal=1_000_000, due_on=due, payments=[], as_of=date(2024, 3, 15)) == 8_700


def test_a_part_payment_reduces_the_principal_from_the_next_day():
    receipts, due = [(date(2023, 12, 1), 1_000_000)], date(2024, 3, 15)
    payments = [(date(2024, 2, 29), 400_000)]
    # 加算金: 1,000,000 × 91 days (12-01 … 02-29) + 600,000 × 31 days (03-01 … 03-31) = 109,600,000 yen-days → 32,880.
    assert surcharge(receipts=receipts, payments=payments, as_of=date(2024, 3, 31)) == 32_880
    # 延滞金: 600,000 × 16 days (03-16 … 03-31) → 2,880.
    assert late_interest(principal=1_000_000, due_on=due, payments=payments, as_of=date(2024, 3, 31)) == 2_880


def test_nothing_accrues_once_the_principal_is_paid():
    receipts = [(date(2024, 1, 10), 500_000)]
    payments = [(date(2024, 1, 19), 500_000), (date(2024, 6, 1), 1_500)]
    # 10 days × 500,000 × 0.0003 = 1,500, as of any later day.
    assert surcharge(receipts=receipts, payments=payments, as_of=date(2024, 1, 19)) == 1_500
    assert surcharge(receipts=receipts, payments=payments, as_of=date(2025, 1, 19)) == 1_500


def test_surcharge_parts_are_floored_and_the_earliest_takes_the_remainder():
    # 1 yen-day costs 0.0003 yen: every part is a fraction, the total floored once is what the parts add up to.
    from payments.money import surcharge, surcharge_by_receipt

    receipts = [(date(2024, 1, 1), 3_333), (date(2024, 1, 2), 3_333), (date(2024, 1, 3), 3_334)]
    payments = [(date(2024, 1, 20), 5_000)]
    as_of = date(2024, 3, 1)
    parts = surcharge_by_receipt(receipts=receipts, payments=payments, as_of=as_of)
    assert [day for day, _, _ in parts] == [date(2024, 1, 3), date(2024, 1, 2), date(2024, 1, 1)]
    assert sum(part for _, _, part in parts) == surcharge(receipts=receipts, payments=payments, as_of=as_of)
