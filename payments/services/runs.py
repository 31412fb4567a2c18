"""Payment runs: draft (gather what is due), approve (four eyes), execute (pay every item exactly once).

A draft may be cancelled instead: its items go back to the pool a later run gathers from.

Each act is one transaction and one history record (subject ``payment_run``).
Execution is a single transaction: a crash part-way commits nothing and the
run stays approved, so a retry pays everything once; the unique item of
``PaymentRecord`` makes the database refuse any second payment of an item.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from viewflow.fsm import NoTransition, TransitionConditionsUnmet

from django.utils.translation import gettext as _

from calendars.business_days import is_business_day, next_business_day_on_or_after
from calendars.eras import day_text
from calendars.fiscal import fiscal_year_of
from grants.access import authorize
from grants.history import history_append
from grants.selectors import fiscal_year_on_file
from web.errors import InvalidInput

from ..errors import (
    ItemAlreadyPaid,
    NothingToPay,
    RunOutOfScope,
    RunTransitionNotAllowed,
    UnknownRunTransition,
)
from ..flows import PREPARE, PaymentRunFlow
from ..models import PaymentItem, PaymentRecord, PaymentRun
from ..selectors import payment_run_breakdown, payment_run_get_for_actor
from ..signals import payment_run_executed


def _record(*, actor, run: PaymentRun, action: str, source: str) -> None:
    lines = payment_run_breakdown(run=run)
    history_append(
        actor=actor,
        action=action,
        subject_type="payment_run",
        subject_id=run.pk,
        fiscal_year=run.fiscal_year_id,
        source=source,
        target=run.state,
        data={
            "date": run.run_on,
            "total": sum(line.amount for line in lines),
            "recipients": {line.recipient.code: line.amount for line in lines},
            "items": [item.pk for line in lines for item in line.items],
        },
    )


@transaction.atomic(durable=True)
def payment_run_create(*, actor, run_on: date) -> PaymentRun:
    """Draft a run for a date; it gathers every unpaid item due by then, across procedures and budget years."""
    authorize(actor, "payments.prepare_payment_run")
    if not is_business_day(run_on):
        # Money leaves on a day the offices are open (docs/domain.md, Payment runs).
        closed = _("%(day)s is not a business day: the next one is %(next)s.") % {
            "day": day_text(run_on), "next": day_text(next_business_day_on_or_after(run_on))
        }
        raise InvalidInput(closed, details={"date": [closed]})
    run = PaymentRun.objects.create(
        fiscal_year=fiscal_year_on_file(year=fiscal_year_of(run_on), field="date"),
        run_on=run_on,
        drafted_by=actor,
        drafted_at=timezone.now(),
    )
    # Conditional UPDATE: an item already carried by another run is never gathered twice.
    gathered = PaymentItem.objects.filter(run__isnull=True, withdrawn_on__isnull=True, due_on__lte=run_on).update(
        run=run
    )
    if not gathered:
        raise NothingToPay(details={"date": run_on.isoformat()})
    if not PaymentRunFlow(run, actor=actor).covers(actor, PREPARE):
        # a run's steps act on all its items (``PaymentRunFlow.covers``): one its drafter could not cancel or
        # execute is not drafted (the transaction rolls the gathering back)
        raise RunOutOfScope(
            _("Items due by this date lie outside the streams and prefectures assigned to you: a run gathers them "
              "all, so it is drafted by someone whose scope covers them."),
            details={"date": run_on.isoformat()},
        )
    _record(actor=actor, run=run, action="payment_run_create", source="")
    return run


def _apply(*, actor, run_id: int, name: str) -> tuple[PaymentRun, str]:
    """Lock the run and take one transition on it; viewflow's errors become ours. Returns the run and its old state."""
    run = payment_run_get_for_actor(actor=actor, run_id=run_id, lock=True)
    flow = PaymentRunFlow(run, actor=actor)
    method = getattr(flow, name)
    if not method.can_proceed(check_conditions=False):
        raise RunTransitionNotAllowed(details={"transition": name, "state": run.state})
    if not method.has_perm(actor):
        raise flow.refusal(name, actor)
    source = run.state
    try:
        method()
    except NoTransition:
        raise RunTransitionNotAllowed(details={"transition": name, "state": source}) from None
    except TransitionConditionsUnmet as exc:
        raise flow.unmet(getattr(exc.failed_condition, "__name__", "condition"), exc.unmet_message) from None
    return run, source


@transaction.atomic(durable=True)
def payment_run_approve(*, actor, run_id: int) -> PaymentRun:
    """Approve a drafted run: a supervisor who did not draft it (four eyes)."""
    run, source = _apply(actor=actor, run_id=run_id, name="approve")
    run.full_clean()
    run.save(update_fields=["state", "approved_by", "approved_at"])
    _record(actor=actor, run=run, action="approve", source=source)
    return run


def _pay(run: PaymentRun, items: list[PaymentItem]) -> None:
    PaymentRecord.objects.bulk_create(
        [PaymentRecord(item=item, run=run, amount=item.amount, paid_on=run.run_on) for item in items], batch_size=500
    )


@transaction.atomic(durable=True)
def payment_run_execute(*, actor, run_id: int) -> PaymentRun:
    """Pay every item of an approved run exactly once; a crash part-way commits nothing, so a retry pays them all."""
    run, source = _apply(actor=actor, run_id=run_id, name="execute")
    items = list(run.items.order_by("recipient_id", "pk"))
    try:
        _pay(run, items)
    except IntegrityError:
        # Only reachable if something paid an item outside the run's state machine; the whole act rolls back.
        raise ItemAlreadyPaid(details={"run": run.pk}) from None
    run.full_clean()
    run.save(update_fields=["state", "executed_by", "executed_at"])
    _record(actor=actor, run=run, action="execute", source=source)
    transaction.on_commit(lambda: payment_run_executed.send(sender=PaymentRun, run_id=run.pk))
    return run


@transaction.atomic(durable=True)
def payment_run_cancel(*, actor, run_id: int) -> PaymentRun:
    """Cancel a drafted run and release its items, so the next run drafted gathers them; approved runs stay."""
    run, source = _apply(actor=actor, run_id=run_id, name="cancel")
    run.full_clean()
    run.save(update_fields=["state"])
    # Recorded before the release, so the record lists the items the run let go.
    _record(actor=actor, run=run, action="cancel", source=source)
    run.items.update(run=None)
    return run


_TRANSITIONS = {"approve": payment_run_approve, "execute": payment_run_execute, "cancel": payment_run_cancel}


def payment_run_transition(*, actor, run_id: int, name: str) -> PaymentRun:
    """Take the named step on a run (the API's ``transitions/{name}``)."""
    if name not in _TRANSITIONS:
        raise UnknownRunTransition(details={"transition": name, "known": sorted(_TRANSITIONS)})
    return _TRANSITIONS[name](actor=actor, run_id=run_id)

