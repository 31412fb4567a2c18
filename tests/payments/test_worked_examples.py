"""The two worked examples of the subsidy act's returns, checked to the yen (``docs/money.md``).

(a) A change below what was paid claims nothing; the settlement reckons it.
(b) A revocation under art. 17(1): 加算金 per tranche, latest first (施行令 art. 11),
    each repaid part stopping its own interest on the day it is paid; 延滞金 after the due date.

Interest is 10.95 % a year on a 365-day basis, so one day costs exactly 0.03 % of the principal.
"""

from datetime import date

import pytest

from payments.models import PaymentItem, PaymentRecord, ReturnClaim
from payments.selectors import return_claim_balance
from payments.services import return_claim_payment_record
from tests import factories as f
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor()}


def fy2023_initial_paid_then_changed(people):
    """FY2023 initial ¥20,000,000: ① ¥10,000,000 paid 2023-10-30, ② ¥5,000,000 paid 2024-01-29; changed to ¥16,000,000."""
    initial = pf.notified(**people, year=2023, amount=20_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    pf.paid_run(date(2024, 1, 29), **people)
    assert sorted(PaymentRecord.objects.values_list("paid_on", "amount")) == [
        (date(2023, 10, 30), 10_000_000), (date(2024, 1, 29), 5_000_000),
    ]
    pf.notified(**people, year=2023, amount=16_000_000, on=date(2024, 2, 20), procedure="change_grant")
    # The change: 75 % × (16,000,000 − 20,000,000) would come off unpaid items; none is left. No payment, no claim.
    assert not PaymentItem.objects.filter(run__isnull=True, withdrawn_on__isnull=True).exists()
    assert not ReturnClaim.objects.exists()
    return initial


def test_a_settled_at_15_000_000_pays_and_claims_nothing(people):
    fy2023_initial_paid_then_changed(people)
    settlement = pf.notified(
        **people, year=2024, amount=15_000_000, on=date(2024, 7, 12), procedure="prior_year_settlement"
    )
    assert not PaymentItem.objects.filter(case=settlement).exists()
    assert not ReturnClaim.objects.exists()


def test_a_settled_at_14_000_000_orders_1_000_000_back_with_late_interest_only_after_the_due_date(people):
    fy2023_initial_paid_then_changed(people)
    settlement = pf.notified(
        **people, year=2024, amount=14_000_000, on=date(2024, 7, 12), procedure="prior_year_settlement"
    )
    claim = ReturnClaim.objects.get()
    assert (claim.case, claim.reason, claim.principal, claim.surcharge_applies) == (
        settlement, "settlement", 1_000_000, False
    )
    # 20 business days after 2024-07-12: 7/15 海の日 and 8/12 (振替休日 for 山の日) are not counted.
    assert (claim.noticed_on, claim.due_on) == (date(2024, 7, 12), date(2024, 8, 13))
    on_due = return_claim_balance(claim=claim, as_of=date(2024, 8, 13))
    assert (on_due.surcharge, on_due.late_interest, on_due.total_outstanding) == (0, 0, 1_000_000)
    # Paid 2024-09-12: 延滞金 on 1,000,000 for 8/14 … 9/12, 30 days × 300 yen = 9,000.
    late = return_claim_balance(claim=claim, as_of=date(2024, 9, 12))
    assert (late.surcharge, late.late_interest, late.total_outstanding) == (0, 9_000, 1_009_000)
    return_claim_payment_record(actor=people["officer"], claim_id=claim.pk, amount=1_009_000, paid_on=date(2024, 9, 12))
    claim.refresh_from_db()
    assert claim.closed_on == date(2024, 9, 12)


def test_b_revocation_under_art_17_1_repaid_in_two_parts(people):
    officer, boss = people["officer"], people["boss"]
    case = pf.notified(**people, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)  # ① 5,000,000
    pf.paid_run(date(2024, 1, 29), **people)  # ② 2,500,000
    pf.revoked(case, boss, today=date(2024, 6, 28), reason="補助目的外への使用", legal_basis="art_17_1")
    claim = ReturnClaim.objects.get()
    assert (claim.reason, claim.revocation_basis, claim.principal, claim.surcharge_applies) == (
        "revocation", "art_17_1", 7_500_000, True
    )
    # Due 20 business days after the order of 2024-06-28 (7/15 海の日 skipped).
    assert (claim.noticed_on, claim.due_on) == (date(2024, 6, 28), date(2024, 7, 29))

    # Part 1: 3,000,000 on 2024-07-10, before the due date. It pays ② (2,500,000) and 500,000 of ①.
    return_claim_payment_record(
        actor=officer, claim_id=claim.pk, amount=3_000_000, paid_on=date(2024, 7, 10), reference="納付書 R6-0001"
    )
    # Part 2: everything else on 2024-08-09, after the due date.
    # 加算金, per tranche, latest first:
    #   ② 2,500,000 × 164 days (2024-01-29 … 07-10)                            = 123,000
    #   ① 500,000 × 255 days (2023-10-30 … 2024-07-10) = 38,250
    #     + 4,500,000 × 285 days (2023-10-30 … 2024-08-09) = 384,750          = 423,000
    #   total                                                                   546,000
    # 延滞金: 4,500,000 × 11 days (07-30 … 08-09)                               =  14,850
    owed = return_claim_balance(claim=ReturnClaim.objects.get(pk=claim.pk), as_of=date(2024, 8, 9))
    assert list(owed.surcharge_parts) == [
        (date(2024, 1, 29), 2_500_000, 123_000),
        (date(2023, 10, 30), 5_000_000, 423_000),
    ]
    assert (owed.principal_outstanding, owed.surcharge, owed.late_interest) == (4_500_000, 546_000, 14_850)
    assert owed.total_outstanding == 5_060_850
    return_claim_payment_record(actor=officer, claim_id=claim.pk, amount=5_060_850, paid_on=date(2024, 8, 9))
    claim.refresh_from_db()
    assert claim.closed_on == date(2024, 8, 9)
    after = return_claim_balance(claim=claim, as_of=date(2025, 3, 31))
    assert after.settled and after.paid == 7_500_000 + 546_000 + 14_850
    records = list(claim.case.history.filter(subject_type="return_claim").order_by("pk"))
    assert [r.action for r in records] == ["return_claim_issue", "return_payment_record", "return_payment_record"]
    assert records[1].data["reference"] == "納付書 R6-0001" and records[2].data["closed_on"] == "2024-08-09"


def test_b_revocation_on_another_ground_has_no_surcharge(people):
    case = pf.notified(**people, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    pf.revoked(case, people["boss"], today=date(2024, 6, 28), reason="事情変更による取消", legal_basis="other")
    claim = ReturnClaim.objects.get()
    assert (claim.principal, claim.surcharge_applies, claim.revocation_basis) == (5_000_000, False, "other")
    owed = return_claim_balance(claim=claim, as_of=date(2024, 7, 29))
    assert (owed.surcharge, owed.late_interest, owed.total_outstanding) == (0, 0, 5_000_000)
