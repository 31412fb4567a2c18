"""Notices create what the tranche plans make payable; lower amounts withdraw unpaid items or become return claims.

Cases are driven through ``workflows.services.case_transition``, the way an
officer and a supervisor drive them.
"""

from datetime import date

import pytest

from calendars.business_days import add_business_days
from tests.factories import Stream
from grants.models import Case
from payments.models import PaymentItem, PaymentRecord, ReturnClaim
from payments.selectors import case_amount_paid, case_amount_paid_annotation
from payments.services import payment_run_approve, payment_run_create
from tests import factories as f
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor()}


def items_of(case) -> list[tuple[str, int, date]]:
    return [(i.basis, i.amount, i.due_on) for i in PaymentItem.objects.filter(case=case, withdrawn_on__isnull=True)]


def fy2023_paid_in_full(officer, boss, initial=100_000_000, changed=120_000_000):
    """FY2023 as run: decision on 10/19, change on 3/15, the three runs ①②③ executed."""
    first = pf.notified(officer=officer, boss=boss, year=2023, amount=initial, on=date(2023, 10, 19))
    change = pf.notified(
        officer=officer, boss=boss, year=2023, amount=changed, on=date(2024, 3, 15), procedure="change_grant"
    )
    for run_on in (date(2023, 10, 30), date(2024, 1, 29), date(2024, 3, 25)):
        pf.paid_run(run_on, officer=officer, boss=boss)
    return first, change


def test_worked_example_initial_grant_pays_tranches_one_and_two(people):
    case = pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    assert items_of(case) == [
        ("tranche_1", 50_000_000, date(2023, 10, 30)),
        ("tranche_2", 25_000_000, date(2024, 1, 29)),
    ]


def test_worked_example_change_to_120m_pays_tranche_three_of_15m(people):
    first, change = fy2023_paid_in_full(**people)
    assert items_of(change) == [("tranche_3_change", 15_000_000, date(2024, 3, 25))]
    assert case_amount_paid(case=first) == 75_000_000
    assert case_amount_paid(case=change) == 15_000_000


def test_worked_example_settlement_at_110m_next_year_pays_the_20m_remainder(people):
    fy2023_paid_in_full(**people)
    settlement = pf.notified(
        **people, year=2024, amount=110_000_000, on=date(2025, 1, 20), procedure="prior_year_settlement"
    )
    # FY2024 has no plan in the sources: the remainder is due at once and the next run pays it.
    assert items_of(settlement) == [("settlement_remainder", 20_000_000, date(2025, 1, 20))]
    pf.paid_run(date(2025, 1, 31), **people)
    assert case_amount_paid(case=settlement) == 20_000_000
    assert not ReturnClaim.objects.exists()


def test_worked_example_settlement_at_80m_becomes_a_return_claim_of_10m(people):
    fy2023_paid_in_full(**people)
    settlement = pf.notified(
        **people, year=2024, amount=80_000_000, on=date(2025, 1, 20), procedure="prior_year_settlement"
    )
    assert items_of(settlement) == []
    claim = ReturnClaim.objects.get()
    assert (claim.case, claim.reason, claim.principal) == (settlement, "settlement", 10_000_000)
    assert claim.due_on == add_business_days(date(2025, 1, 20), 20) == date(2025, 2, 18)
    assert claim.surcharge_applies is False  # 加算金 is for revocations (art. 19(1)); 延滞金 still applies
    assert [(r.received_on, r.amount) for r in claim.receipts.all()] == [(date(2024, 3, 25), 10_000_000)]
    record = settlement.history.get(action="return_claim_issue")
    assert record.subject_type == "return_claim" and record.data["principal"] == 10_000_000


def test_uneven_amounts_pay_exactly_the_settled_amount(people):
    first, change = fy2023_paid_in_full(**people, initial=100_000_001, changed=120_000_003)
    assert [amount for _, amount, _ in items_of(first)] == [50_000_000, 25_000_000]
    assert items_of(change)[0][1] == 15_000_001  # 75 % of 20,000,002 = 15,000,001.5, floored
    settlement = pf.notified(
        **people, year=2024, amount=120_000_003, on=date(2025, 1, 20), procedure="prior_year_settlement"
    )
    pf.paid_run(date(2025, 1, 31), **people)
    assert items_of(settlement)[0][1] == 30_000_002
    assert sum(PaymentRecord.objects.values_list("amount", flat=True)) == 120_000_003


def test_fy2025_pays_the_initial_grant_whole_on_the_last_business_day_of_march(people):
    case = pf.notified(**people, year=2025, amount=33_333_333, on=date(2026, 3, 16))
    assert items_of(case) == [("tranche_1", 33_333_333, date(2026, 3, 31))]


def test_adjustment_grant_is_paid_whole_and_is_not_part_of_the_settlement(people):
    adjustment = pf.notified(**people, year=2023, amount=7_777_777, on=date(2024, 2, 21), procedure="adjustment_grant")
    assert items_of(adjustment) == [("adjustment_grant", 7_777_777, date(2024, 3, 25))]
    fy2023_paid_in_full(**people)
    settlement = pf.notified(
        **people, year=2024, amount=120_000_000, on=date(2025, 1, 20), procedure="prior_year_settlement"
    )
    assert items_of(settlement) == [("settlement_remainder", 30_000_000, date(2025, 1, 20))]


def test_ministry_decision_of_the_special_adjustment_grant_creates_nothing_payable(people):
    officer = people["officer"]
    case = f.case(actor=officer, stream=Stream.SPECIAL_ADJUSTMENT_GRANT)
    for name, data in [
        ("request", {"occurred_on": "2025-11-04"}), ("submit", {"amount": 5_000_000, "date": "2025-11-20"}), ("start_review", {}),
        ("forward", {"date": "2025-11-25"}),
        ("record_ministry_decision", {"amount": 5_000_000, "document_number": "保高発1120第4号", "date": "2025-12-10"}),
    ]:
        case = pf.act(case, name, officer, **data)
    case = pf.act(case, "confirm_ministry_decision", people["boss"])
    assert case.state == "notified"
    assert not PaymentItem.objects.exists() and not ReturnClaim.objects.exists()


def test_a_change_down_before_tranche_two_is_paid_shrinks_tranche_two_instead_of_reclaiming(people):
    first = pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    pf.notified(**people, year=2023, amount=80_000_000, on=date(2024, 1, 10), procedure="change_grant")
    # 75 % of the 20,000,000 decrease comes off the unpaid ②: 25,000,000 → 10,000,000.
    assert items_of(first) == [
        ("tranche_1", 50_000_000, date(2023, 10, 30)),
        ("tranche_2", 10_000_000, date(2024, 1, 29)),
    ]
    withdrawn = PaymentItem.objects.get(withdrawn_on__isnull=False)
    assert (withdrawn.amount, withdrawn.withdrawn_on) == (25_000_000, date(2024, 1, 10))
    assert not ReturnClaim.objects.exists()


def test_a_change_down_after_payment_claims_nothing_the_settlement_reckons_it(people):
    pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    pf.paid_run(date(2024, 1, 29), **people)
    pf.notified(**people, year=2023, amount=80_000_000, on=date(2024, 3, 11), procedure="change_grant")
    assert not ReturnClaim.objects.exists() and not PaymentItem.objects.filter(withdrawn_on__isnull=False).exists()
    settlement = pf.notified(
        **people, year=2024, amount=70_000_000, on=date(2024, 7, 12), procedure="prior_year_settlement"
    )
    claim = ReturnClaim.objects.get()  # 75,000,000 paid, settled at 70,000,000: the settlement orders 5,000,000 back
    assert (claim.case, claim.reason, claim.principal, claim.surcharge_applies) == (
        settlement, "settlement", 5_000_000, False
    )


def test_a_lower_settlement_takes_an_item_out_of_a_draft_run_but_not_out_of_an_approved_one(people):
    officer, boss = people["officer"], people["boss"]
    pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    approved = payment_run_create(actor=officer, run_on=date(2023, 10, 30))
    payment_run_approve(actor=boss, run_id=approved.pk)
    draft = payment_run_create(actor=officer, run_on=date(2024, 1, 29))
    pf.notified(**people, year=2024, amount=40_000_000, on=date(2024, 4, 15), procedure="prior_year_settlement")
    # ① 50M sits in an approved run: it will be paid, so it counts as paid. ② 25M sits in a draft: withdrawn.
    # Settled at 40M: 75M issued − 25M withdrawn = 50M, still 10M too much: a claim on ① as it is paid.
    assert not draft.items.exists()
    assert approved.items.get().amount == 50_000_000
    claim = ReturnClaim.objects.get()
    assert claim.principal == 10_000_000
    assert [(r.received_on, r.amount) for r in claim.receipts.all()] == [(date(2023, 10, 30), 10_000_000)]


def test_revocation_withdraws_unpaid_items_and_claims_what_was_paid_with_surcharge(people):
    case = pf.notified(**people, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    case = pf.revoked(case, people["boss"], today=date(2023, 12, 1), reason="目的外使用", legal_basis="art_17_1")
    assert case.state == "revoked"
    claim = ReturnClaim.objects.get()
    assert (claim.reason, claim.principal, claim.surcharge_applies) == ("revocation", 5_000_000, True)
    assert [(r.received_on, r.amount) for r in claim.receipts.all()] == [(date(2023, 10, 30), 5_000_000)]
    assert items_of(case) == [("tranche_1", 5_000_000, date(2023, 10, 30))]  # the paid one stays, as paid
    assert PaymentItem.objects.get(basis="tranche_2").withdrawn_by_case == case


def test_amount_paid_as_an_annotation_equals_the_per_case_sum(people):
    paid = pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    unpaid = f.case(actor=people["officer"], year=2023, procedure="adjustment_grant")
    listed = Case.objects.annotate(amount_paid=case_amount_paid_annotation()).order_by("pk")
    assert [(case.pk, case.amount_paid) for case in listed] == [(paid.pk, 50_000_000), (unpaid.pk, 0)]
    assert case_amount_paid(case=Case.objects.get(pk=paid.pk)) == 50_000_000


def test_revoking_a_grant_already_partly_reclaimed_claims_only_what_is_still_held(people):
    first = pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    pf.paid_run(date(2024, 1, 29), **people)
    pf.notified(**people, year=2023, amount=80_000_000, on=date(2024, 3, 11), procedure="change_grant")
    pf.revoked(first, people["boss"], today=date(2024, 3, 21), reason="目的外使用", legal_basis="art_17_1")
    # 75,000,000 paid; the change claimed nothing back, so the revocation claims all of it.
    claims = ReturnClaim.objects.order_by("pk")
    assert [(c.reason, c.principal) for c in claims] == [("revocation", 75_000_000)]
    assert sum(c.principal for c in claims) == sum(PaymentRecord.objects.values_list("amount", flat=True))


def test_net_issued_counts_exactly_the_items_and_claims_of_the_grant_or_of_the_case(people):
    """The one statement that sums a grant's money, checked against a count over every row, item by item."""
    from payments.services.items import _net_issued, _same_grant, budget_year_of

    town = f.municipality()
    first = pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19), recipient=town)
    other = f.municipality(code="112399", name="坂戸市")
    pf.notified(**people, year=2023, amount=3_000_000, on=date(2023, 10, 19), recipient=other)
    pf.paid_run(date(2023, 10, 30), **people)
    change = pf.notified(
        **people, year=2023, amount=80_000_000, on=date(2024, 1, 10), procedure="change_grant", recipient=town
    )  # ② not paid yet: withdrawn, 10,000,000 of it issued again
    pf.paid_run(date(2024, 1, 29), **people)
    pf.notified(**people, year=2023, amount=7_000_000, on=date(2024, 2, 21), procedure="adjustment_grant", recipient=town)
    settlement = pf.notified(
        **people, year=2024, amount=50_000_000, on=date(2024, 5, 20), procedure="prior_year_settlement", recipient=town
    )  # 60,000,000 paid, settled at 50,000,000: a claim of 10,000,000
    assert PaymentItem.objects.filter(withdrawn_on__isnull=False).exists() and ReturnClaim.objects.exists()

    def counted(case, whole_grant: bool) -> int:
        def belongs(row) -> bool:
            if not whole_grant:
                return row.case_id == case.pk
            adjustment = "adjustment_grant"
            return (
                row.recipient_id == case.recipient_id and row.budget_year == budget_year_of(case)
                and (row.case.stream, row.case.part) == (case.stream, case.part)
                and (row.case.procedure == adjustment) == (case.procedure == adjustment)
            )

        issued = sum(i.amount for i in PaymentItem.objects.select_related("case") if belongs(i) and not i.withdrawn_on)
        return issued - sum(c.principal for c in ReturnClaim.objects.select_related("case") if belongs(c))

    for case in Case.objects.all():
        for whole_grant in (True, False):
            assert _net_issued(case, whole_grant=whole_grant) == counted(case, whole_grant), (case, whole_grant)
        # The rows a decrease withdraws from and claims against are the same grant's.
        grant_items = PaymentItem.objects.filter(_same_grant(case))
        assert {i.pk for i in grant_items} == {
            i.pk for i in PaymentItem.objects.select_related("case")
            if i.recipient_id == case.recipient_id and i.budget_year == budget_year_of(case)
            and (i.case.stream, i.case.part) == (case.stream, case.part)
            and (i.case.procedure == "adjustment_grant") == (case.procedure == "adjustment_grant")
        }
    assert _net_issued(first, whole_grant=True) == _net_issued(change, whole_grant=True) == _net_issued(
        settlement, whole_grant=True
    )
