"""Yen arithmetic with named rounding rules: tranche shares and subsidy-act interest.

Pure functions of ints and dates, no database, so every rule here is tested
on its own against hand-computed figures.
"""

import math
from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction

ONE_DAY = timedelta(days=1)

#: 補助金等に係る予算の執行の適正化に関する法律 art. 19: 加算金 and 延滞金 are both 10.95 % a year.
ANNUAL_RATE = Fraction(1095, 10_000)
#: The yearly rate is per 365 days, in leap years too, so one day costs 0.03 % of the principal.
DAYS_PER_RATE_YEAR = 365

#: (day, yen): a receipt, a repayment, or a principal that starts accruing on ``day``.
DatedYen = tuple[date, int]


def split_by_percent_floored(amount: int, percents: Sequence[int]) -> list[int]:
    """Shares of ``amount`` yen for whole ``percents`` summing to 100.

    Rounding rule: every share but the last is floored to the yen and the last
    share takes the remainder, so the shares always sum to ``amount`` exactly.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"amount must be a non-negative int of yen, not {amount!r}")
    if not percents or sum(percents) != 100 or any(not isinstance(p, int) or p < 0 for p in percents):
        raise ValueError(f"percents must be non-negative ints summing to 100, not {list(percents)!r}")
    shares = [amount * percent // 100 for percent in percents[:-1]]
    shares.append(amount - sum(shares))
    return shares


def attribute_latest_receipts_first(
    receipts: Sequence[DatedYen], amount: int, *, already_claimed: int = 0
) -> list[DatedYen]:
    """The parts of ``amount`` by the day they were received, latest receipts first.

    Subsidy act order (施行令 art. 11): money paid in several instalments and
    ordered back counts as received on the last day, going back day by day
    until the amount is reached. ``already_claimed`` yen of the latest receipts
    are skipped because an earlier claim took them.
    """
    parts: list[DatedYen] = []
    skip, wanted = already_claimed, amount
    for received_on, received in sorted(receipts, reverse=True):
        taken_before = min(received, skip)
        skip -= taken_before
        part = min(received - taken_before, wanted)
        if part:
            parts.append((received_on, part))
            wanted -= part
        if wanted == 0:
            return parts
    raise ValueError(f"receipts cover {amount - wanted:,} of {amount:,} yen")


def _yen_days(accruals: Sequence[DatedYen], payments: Sequence[DatedYen], as_of: date) -> int:
    """Σ over the days up to ``as_of`` of the principal outstanding that day.

    Each accrual counts from its own day. A payment still counts on the day it
    is paid (the law counts to the day of payment) and reduces the principal
    from the next day; payments beyond the principal go to interest and leave
    nothing to accrue.
    """
    changes = {start for start, _ in accruals} | {paid_on + ONE_DAY for paid_on, _ in payments}
    points = sorted(day for day in changes if day <= as_of) + [as_of + ONE_DAY]
    total = 0
    for start, end in zip(points, points[1:]):
        accrued = sum(yen for day, yen in accruals if day <= start)
        repaid = sum(yen for paid_on, yen in payments if paid_on < start)
        total += max(accrued - repaid, 0) * (end - start).days
    return total


def _interest_floored(yen_days: int) -> int:
    """Interest at the act's rate on ``yen_days``, floored to the yen once, on the total."""
    return math.floor(yen_days * ANNUAL_RATE / DAYS_PER_RATE_YEAR)


def surcharge(*, receipts: Sequence[DatedYen], payments: Sequence[DatedYen], as_of: date) -> int:
    """加算金 (art. 19(1)) as of ``as_of``, floored to the yen.

    Each received part runs from its day of receipt to the day of payment, both
    included; payments reduce the principal from the day after (art. 19(1),
    既納額を控除).
    """
    return _interest_floored(_yen_days(receipts, payments, as_of))


def late_interest(*, principal: int, due_on: date, payments: Sequence[DatedYen], as_of: date) -> int:
    """延滞金 (art. 19(2)) as of ``as_of``, floored to the yen: from the day after the due date on the unpaid principal."""
    return _interest_floored(_yen_days([(due_on + ONE_DAY, principal)], payments, as_of))


def surcharge_by_receipt(
    *, receipts: Sequence[DatedYen], payments: Sequence[DatedYen], as_of: date
) -> list[tuple[date, int, int]]:
    """加算金 per received part, latest receipt first: ``(received_on, amount, surcharge)``.

    Repayments go against the latest receipt first, as the claim itself does
    (施行令 art. 11), so each part stops accruing on the day that pays it. The
    rate is the same for every part, so the attribution does not change the
    total: the parts sum to ``surcharge(...)`` exactly. Rounding rule: each
    part is floored to the yen; the earliest part (last in the list) takes the
    remainder, so the parts add up to the total floored once.
    """
    ordered = sorted(receipts, reverse=True)
    if not ordered:
        return []
    left = sorted(payments)
    parts: list[tuple[date, int, int]] = []
    owed = [received for _, received in ordered]
    attributed: list[list[DatedYen]] = [[] for _ in ordered]
    for paid_on, paid in left:
        for index, outstanding in enumerate(owed):
            if paid == 0:
                break
            take = min(outstanding, paid)
            if take:
                attributed[index].append((paid_on, take))
                owed[index] -= take
                paid -= take
    total = surcharge(receipts=receipts, payments=payments, as_of=as_of)
    for index, (received_on, received) in enumerate(ordered):
        part = _interest_floored(_yen_days([(received_on, received)], attributed[index], as_of))
        parts.append((received_on, received, part))
    shown = sum(part for _, _, part in parts[:-1])
    received_on, received, _ = parts[-1]
    parts[-1] = (received_on, received, total - shown)
    return parts
