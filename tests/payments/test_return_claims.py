"""A revoked grant's return claim against hand-computed 加算金 and 延滞金 across the 2024 leap year.

FY2023 grant of 10,000,000: ① 5,000,000 paid 2023-10-30, ② 2,500,000 paid
2024-01-29; revoked 2024-03-01. The claim is due 20 business days later:
2024-04-01 (春分の日 3/20 is not one). One day costs 0.03 % of the principal.
"""

from datetime import date

import pytest

from grants.errors import OutOfScope
from grants.models import Role
from payments.errors import Overpayment
from payments.models import ReturnClaim
from payments.selectors import return_claim_balance, return_claim_get_for_actor, return_claim_list_for_actor
from payments.services import return_claim_payment_record
from tests import factories as f
from tests.payments import factories as pf
from web.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    pf.shipped_plans()
    officer, boss = f.officer(), f.supervisor()
    case = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.paid_run(date(2024, 1, 29), officer=officer, boss=boss)
    pf.revoked(case, boss, today=date(2024, 3, 1), reason="補助目的外への使用", legal_basis="art_17_1")
    claim = ReturnClaim.objects.get()
    claim.officer = officer
    return claim


def balance(claim, on):
    return return_claim_balance(claim=ReturnClaim.objects.get(pk=claim.pk), as_of=on)


def test_the_claim_is_everything_paid_due_on_a_business_day(claim):
    assert (claim.principal, claim.reason, claim.surcharge_applies) == (7_500_000, "revocation", True)
    assert (claim.noticed_on, claim.due_on) == (date(2024, 3, 1), date(2024, 4, 1))
    assert [(r.received_on, r.amount) for r in claim.receipts.order_by("received_on")] == [
        (date(2023, 10, 30), 5_000_000),
        (date(2024, 1, 29), 2_500_000),
    ]


def test_paid_in_full_on_the_due_date_owes_surcharge_only(claim):
    # 5,000,000 × 155 days (2023-10-30 … 2024-04-01) = 232,500; 2,500,000 × 64 days (2024-01-29 … 04-01) = 48,000.
    owed = balance(claim, date(2024, 4, 1))
    assert (owed.surcharge, owed.late_interest, owed.total_outstanding) == (280_500, 0, 7_780_500)
    assert not owed.overdue and balance(claim, date(2024, 4, 2)).overdue  # owed after the due day


def test_paid_in_parts_late(claim):
    officer = claim.officer
    return_claim_payment_record(actor=officer, claim_id=claim.pk, amount=3_000_000, paid_on=date(2024, 4, 1))
    owed = balance(claim, date(2024, 5, 1))
    # 加算金: 935,000,000 yen-days to 04-01, then 4,500,000 × 30 days (04-02 … 05-01): 1,070,000,000 → 321,000.
    # 延滞金: 4,500,000 × 30 days (04-02 … 05-01) → 40,500.
    assert (owed.principal_outstanding, owed.surcharge, owed.late_interest) == (4_500_000, 321_000, 40_500)
    return_claim_payment_record(actor=officer, claim_id=claim.pk, amount=4_500_000, paid_on=date(2024, 5, 1))
    later = balance(claim, date(2024, 12, 31))
    assert (later.principal_outstanding, later.interest_outstanding) == (0, 361_500)  # nothing accrues on interest
    return_claim_payment_record(actor=officer, claim_id=claim.pk, amount=361_500, paid_on=date(2024, 5, 20))
    settled = balance(claim, date(2025, 3, 31))
    assert settled.settled and not settled.overdue and settled.paid == 7_861_500
    assert list(claim.case.history.filter(subject_type="return_claim").values_list("action", flat=True)) == [
        "return_claim_issue", "return_payment_record", "return_payment_record", "return_payment_record",
    ]


def test_a_payment_above_what_is_owed_is_refused(claim):
    with pytest.raises(Overpayment):
        return_claim_payment_record(actor=claim.officer, claim_id=claim.pk, amount=7_780_501, paid_on=date(2024, 4, 1))


def test_payments_are_recorded_in_date_order_and_not_before_the_notice(claim):
    return_claim_payment_record(actor=claim.officer, claim_id=claim.pk, amount=1, paid_on=date(2024, 4, 1))
    for day in (date(2024, 3, 31), date(2024, 2, 1)):
        with pytest.raises(InvalidInput):
            return_claim_payment_record(actor=claim.officer, claim_id=claim.pk, amount=1, paid_on=day)


def test_auditors_and_officers_elsewhere_record_nothing(claim):
    with pytest.raises(PermissionDenied):
        return_claim_payment_record(actor=f.auditor(), claim_id=claim.pk, amount=1, paid_on=date(2024, 4, 1))
    with pytest.raises(OutOfScope):
        return_claim_payment_record(
            actor=f.officer(prefectures=("13",)), claim_id=claim.pk, amount=1, paid_on=date(2024, 4, 1)
        )


def test_a_payment_dated_beyond_the_dates_the_app_handles_is_refused(claim):
    with pytest.raises(InvalidInput) as refused:
        return_claim_payment_record(actor=claim.officer, claim_id=claim.pk, amount=1, paid_on=date(9999, 12, 31))
    assert "paid_on" in refused.value.details
    assert not claim.payments.exists()


def test_a_payment_dated_after_today_in_japan_is_refused(claim, today):
    today(date(2024, 4, 1))
    with pytest.raises(InvalidInput) as refused:
        return_claim_payment_record(actor=claim.officer, claim_id=claim.pk, amount=1, paid_on=date(2024, 4, 2))
    assert "paid_on" in refused.value.details
    assert not claim.payments.exists()
    return_claim_payment_record(actor=claim.officer, claim_id=claim.pk, amount=1, paid_on=date(2024, 4, 1))
    assert list(claim.payments.values_list("paid_on", flat=True)) == [date(2024, 4, 1)]


def test_supervisors_record_anywhere_and_administrators_record_nothing(claim):
    administrator = f.UserFactory(role=Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        return_claim_payment_record(actor=administrator, claim_id=claim.pk, amount=1, paid_on=date(2024, 4, 1))
    return_claim_payment_record(actor=f.supervisor(), claim_id=claim.pk, amount=1, paid_on=date(2024, 4, 1))
    assert list(claim.payments.values_list("amount", flat=True)) == [1]


def test_scope_rows_without_the_officer_role_read_no_claim(claim):
    former_officer = f.officer()
    former_officer.groups.clear()
    assert not return_claim_list_for_actor(actor=former_officer).exists()
    with pytest.raises(PermissionDenied):  # no permission left to read with, whatever the rows say
        return_claim_get_for_actor(actor=former_officer, claim_id=claim.pk)
