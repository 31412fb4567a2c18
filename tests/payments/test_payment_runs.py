"""Payment runs gather what is due across procedures and years, net it per recipient and pay each item once."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from grants.models import HistoryEntry
from payments.errors import (
    NothingToPay,
    RunConditionUnmet,
    RunFourEyesViolation,
    RunTransitionNotAllowed,
    UnknownRunTransition,
)
from payments.models import PaymentRecord, PaymentRun, PaymentRunState, ShareBase
from payments.selectors import payment_run_breakdown
from payments.services import (
    payment_run_approve,
    payment_run_cancel,
    payment_run_create,
    payment_run_execute,
    payment_run_transition,
)
from payments.signals import payment_run_executed
from tests import factories as f
from tests.payments import factories as pf
from web.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor()}


def test_run_nets_a_current_year_tranche_with_a_prior_year_settlement_and_a_re_settlement(people):
    # FY2021 and FY2022 have no plan in the sources; give them one that pays 75 % in the year, like FY2023.
    for year in (2021, 2022):
        pf.plan(year, "initial_grant", ShareBase.AMOUNT, ("tranche_1", 75, date(year, 10, 29)))
    town, other = f.municipality(), f.municipality("112038", "川口市")
    pf.notified(**people, year=2021, amount=10_000_000, on=date(2021, 10, 1), recipient=town)
    pf.paid_run(date(2021, 10, 29), **people)  # 7,500,000 of FY2021
    pf.notified(**people, year=2022, amount=20_000_000, on=date(2022, 10, 1), recipient=town)
    pf.paid_run(date(2022, 10, 31), **people)  # 15,000,000 of FY2022
    pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19), recipient=town)
    pf.notified(**people, year=2023, amount=40_000_000, on=date(2023, 10, 19), recipient=other)
    pf.paid_run(date(2023, 10, 30), **people)  # the two ①
    pf.notified(
        **people, year=2023, amount=19_000_000, on=date(2024, 1, 19), procedure="prior_year_settlement", recipient=town
    )
    pf.notified(
        **people, year=2023, amount=10_000_000, on=date(2024, 1, 22), procedure="past_year_resettlement", recipient=town
    )

    run = payment_run_create(actor=people["officer"], run_on=date(2024, 1, 29))

    lines = {line.recipient.code: line for line in payment_run_breakdown(run=run)}
    assert {code: line.amount for code, line in lines.items()} == {
        "112011": 25_000_000 + 4_000_000 + 2_500_000,
        "112038": 10_000_000,
    }
    assert sorted((i.basis, i.budget_year, i.amount) for i in lines["112011"].items) == [
        ("resettlement", 2021, 2_500_000),
        ("settlement_remainder", 2022, 4_000_000),
        ("tranche_2", 2023, 25_000_000),
    ]
    payment_run_approve(actor=people["boss"], run_id=run.pk)
    payment_run_execute(actor=people["officer"], run_id=run.pk)
    assert sum(PaymentRecord.objects.filter(run=run).values_list("amount", flat=True)) == 41_500_000


def test_each_step_writes_one_history_record_with_the_totals(people):
    officer, boss = people["officer"], people["boss"]
    pf.payment_item(officer=officer, amount=1_234_567, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    payment_run_approve(actor=boss, run_id=run.pk)
    payment_run_execute(actor=officer, run_id=run.pk)
    records = HistoryEntry.objects.filter(subject_type="payment_run", subject_id=str(run.pk)).order_by("pk")
    assert [(r.action, r.source, r.target, r.actor) for r in records] == [
        ("payment_run_create", "", "draft", officer),
        ("approve", "draft", "approved", boss),
        ("execute", "approved", "executed", officer),
    ]
    assert all(r.data["total"] == 1_234_567 and r.fiscal_year == 2025 for r in records)


def test_a_run_gathers_only_items_due_by_its_date(people):
    officer = people["officer"]
    due = pf.payment_item(officer=officer, amount=100, due_on=date(2025, 7, 31))
    pf.payment_item(officer=officer, amount=200, due_on=date(2025, 8, 1), recipient=f.municipality(f.municipality_code(390), "x市"))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    assert list(run.items.all()) == [due]


def test_nothing_due_means_no_run(people):
    with pytest.raises(NothingToPay):
        payment_run_create(actor=people["officer"], run_on=date(2025, 7, 31))
    assert not PaymentRun.objects.exists()


def test_an_item_is_gathered_by_one_run_only(people):
    officer = people["officer"]
    pf.payment_item(officer=officer, amount=100, due_on=date(2025, 7, 1))
    payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    with pytest.raises(NothingToPay):
        payment_run_create(actor=officer, run_on=date(2025, 8, 29))


def test_the_drafter_cannot_approve_even_as_a_supervisor(people):
    boss = people["boss"]
    pf.payment_item(officer=people["officer"], amount=100, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=boss, run_on=date(2025, 7, 31))
    with pytest.raises(RunFourEyesViolation) as refused:
        payment_run_approve(actor=boss, run_id=run.pk)
    assert refused.value.message == RunFourEyesViolation.default_message
    run.refresh_from_db()
    assert run.state == PaymentRunState.DRAFT


def test_the_database_refuses_a_run_approved_by_its_drafter(people):
    officer = people["officer"]
    pf.payment_item(officer=officer, amount=100, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRun.objects.filter(pk=run.pk).update(state="approved", approved_by=officer)


def test_officers_and_auditors_do_not_approve_and_auditors_do_not_draft(people):
    officer = people["officer"]
    pf.payment_item(officer=officer, amount=100, due_on=date(2025, 7, 1))
    with pytest.raises(PermissionDenied):
        payment_run_create(actor=f.auditor(), run_on=date(2025, 7, 31))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    for outsider in (f.officer(), f.auditor()):
        with pytest.raises(PermissionDenied) as refused:
            payment_run_approve(actor=outsider, run_id=run.pk)
        assert refused.value.code == "permission_denied"


def test_a_run_is_executed_after_approval_and_only_once(people):
    officer, boss = people["officer"], people["boss"]
    item = pf.payment_item(officer=officer, amount=5_000, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    with pytest.raises(RunTransitionNotAllowed):
        payment_run_execute(actor=officer, run_id=run.pk)
    payment_run_approve(actor=boss, run_id=run.pk)
    run = payment_run_execute(actor=officer, run_id=run.pk)
    assert run.state == PaymentRunState.EXECUTED and run.executed_by == officer
    with pytest.raises(RunTransitionNotAllowed):
        payment_run_execute(actor=boss, run_id=run.pk)
    payment = PaymentRecord.objects.get()
    assert (payment.item, payment.run, payment.amount, payment.paid_on) == (item, run, 5_000, date(2025, 7, 31))


def test_the_database_refuses_to_pay_an_item_twice(people):
    officer, boss = people["officer"], people["boss"]
    item = pf.payment_item(officer=officer, amount=5_000, due_on=date(2025, 7, 1))
    run = pf.paid_run(date(2025, 7, 31), officer=officer, boss=boss)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRecord.objects.create(item=item, run=run, amount=5_000, paid_on=date(2025, 8, 1))


def test_an_emptied_draft_cannot_be_approved(people):
    officer = people["officer"]
    item = pf.payment_item(officer=officer, amount=5_000, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    item.run = None
    item.withdrawn_on = date(2025, 7, 2)
    item.save()
    with pytest.raises(RunConditionUnmet) as refused:
        payment_run_approve(actor=people["boss"], run_id=run.pk)
    assert refused.value.details == {"condition": "has_items"}


def test_unknown_steps_and_unset_years_are_refused(people):
    with pytest.raises(UnknownRunTransition):
        payment_run_transition(actor=people["boss"], run_id=1, name="explode")
    with pytest.raises(InvalidInput):
        payment_run_create(actor=people["officer"], run_on=date(2031, 5, 1))


def test_cancelling_a_draft_releases_its_items_to_the_next_run(people):
    officer, boss = people["officer"], people["boss"]
    item = pf.payment_item(officer=officer, amount=5_000, due_on=date(2025, 7, 1))
    mistaken = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    cancelled = payment_run_cancel(actor=boss, run_id=mistaken.pk)
    assert cancelled.state == PaymentRunState.CANCELLED and not cancelled.items.exists()
    item.refresh_from_db()
    assert item.run is None
    later = payment_run_create(actor=officer, run_on=date(2025, 8, 29))
    assert list(later.items.all()) == [item]
    payment_run_approve(actor=boss, run_id=later.pk)
    payment_run_execute(actor=officer, run_id=later.pk)
    assert PaymentRecord.objects.get().run == later


def test_a_draft_emptied_by_a_withdrawal_can_be_cancelled(people):
    officer = people["officer"]
    item = pf.payment_item(officer=officer, amount=5_000, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    item.run, item.withdrawn_on = None, date(2025, 7, 2)
    item.save()
    assert payment_run_transition(actor=officer, run_id=run.pk, name="cancel").state == PaymentRunState.CANCELLED


def test_only_a_draft_is_cancelled(people):
    officer, boss = people["officer"], people["boss"]
    pf.payment_item(officer=officer, amount=5_000, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    payment_run_approve(actor=boss, run_id=run.pk)
    with pytest.raises(RunTransitionNotAllowed):
        payment_run_cancel(actor=officer, run_id=run.pk)
    payment_run_execute(actor=officer, run_id=run.pk)
    with pytest.raises(RunTransitionNotAllowed):
        payment_run_cancel(actor=officer, run_id=run.pk)
    run.refresh_from_db()
    assert run.state == PaymentRunState.EXECUTED and run.items.count() == 1
    pf.payment_item(officer=officer, amount=7, due_on=date(2025, 9, 1), recipient=f.municipality(f.municipality_code(391), "y市"))
    cancelled = payment_run_cancel(actor=officer, run_id=payment_run_create(actor=officer, run_on=date(2025, 9, 30)).pk)
    with pytest.raises(RunTransitionNotAllowed):
        payment_run_cancel(actor=officer, run_id=cancelled.pk)


def test_auditors_do_not_cancel_a_run(people):
    officer = people["officer"]
    pf.payment_item(officer=officer, amount=5_000, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    with pytest.raises(PermissionDenied) as refused:
        payment_run_cancel(actor=f.auditor(), run_id=run.pk)
    assert refused.value.code == "permission_denied"
    run.refresh_from_db()
    assert run.state == PaymentRunState.DRAFT and run.items.count() == 1


def test_cancelling_writes_one_history_record_with_the_released_items(people):
    officer, boss = people["officer"], people["boss"]
    item = pf.payment_item(officer=officer, amount=1_234_567, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    payment_run_cancel(actor=boss, run_id=run.pk)
    records = HistoryEntry.objects.filter(subject_type="payment_run", subject_id=str(run.pk), action="cancel")
    assert [(r.source, r.target, r.actor) for r in records] == [("draft", "cancelled", boss)]
    assert records[0].data["items"] == [item.pk] and records[0].data["total"] == 1_234_567


def test_payment_notices_hook_runs_after_the_execution_commits(people, django_capture_on_commit_callbacks):
    officer, boss = people["officer"], people["boss"]
    pf.payment_item(officer=officer, amount=5_000, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    payment_run_approve(actor=boss, run_id=run.pk)
    seen = []

    def receiver(sender, *, run_id, **kwargs):
        seen.append(run_id)

    payment_run_executed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            payment_run_execute(actor=officer, run_id=run.pk)
            assert seen == []  # not before the commit
    finally:
        payment_run_executed.disconnect(receiver)
    assert seen == [run.pk]
