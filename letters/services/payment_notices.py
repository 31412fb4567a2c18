"""Payment notices (支払通知): one letter per recipient of an executed payment run, in one batch per run.

``payments`` may not import ``letters``, so the run service sends
``payments.signals.payment_run_executed`` once an execution has committed and
``letters.receivers`` issues the notices from it. The notices are a consequence of money that has already moved: they are
issued in a transaction of their own, and issuing them again for the same
run adds nothing.
"""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendars.eras import era_date
from grants.models import HistoryEntry
from grants.roles import system_user
from payments.errors import PaymentRunNotFound
from payments.models import PaymentItem, PaymentPlanRule, PaymentRun, PaymentRunState
from payments.selectors import RecipientNet, payment_run_breakdown
from web.errors import Conflict

from ..letter_texts import payment_wording
from ..models import LetterBatch, LetterKind
from ..selectors import payment_notice_batch_key
from .letters import letter_issue

RUN_NOT_EXECUTED_MESSAGE = _("Payment notices go out only for an executed payment run.")

PlanKey = tuple[int, str, str, str, str]


def _plan_key(item: PaymentItem) -> PlanKey:
    """The tranche-plan rule an item was issued under: its case's procedure-year and the item's basis."""
    case = item.case
    return case.fiscal_year_id, case.stream, case.part, case.procedure, item.basis


def _plan_rules(lines: list[RecipientNet]) -> dict[PlanKey, PaymentPlanRule]:
    """The rules of every procedure-year in the run, read once for all its letters."""
    years = {item.case.fiscal_year_id for line in lines for item in line.items}
    rules = PaymentPlanRule.objects.filter(fiscal_year_id__in=years)
    return {(rule.fiscal_year_id, rule.stream, rule.part, rule.procedure, rule.basis): rule for rule in rules}


def _basis(run: PaymentRun, line: RecipientNet) -> dict:
    """What the notice reports: the run, every case it pays, and each item, so the letter can be traced to the money."""
    return {
        "payment_run": run.pk,
        "run_on": run.run_on.isoformat(),
        "cases": list(dict.fromkeys(item.case_id for item in line.items)),
        "items": [
            {"item": item.pk, "case": item.case_id, "budget_year": item.budget_year, "basis": item.basis,
             "amount": item.amount}
            for item in line.items
        ],
        "total": line.amount,
    }


@transaction.atomic(durable=True)
def payment_notices_issue(*, run_id: int) -> LetterBatch:
    """Notify every recipient of an executed run of what it was paid; a recipient is notified once per run.

    The run's batch is found by its key, and a recipient already noticed in it
    is skipped; ``Letter``'s unique (batch, recipient) makes the database hold
    that even against a concurrent caller. The run row is locked first so two
    callers take turns. Each notice is attached to the recipient's first case
    in the run (a letter needs a case) and names every case in its basis.
    """
    run = PaymentRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None:
        raise PaymentRunNotFound(details={"run": run_id})
    if run.state != PaymentRunState.EXECUTED:
        raise Conflict(RUN_NOT_EXECUTED_MESSAGE, details={"run": run_id, "state": run.state})
    actor = system_user()
    batch, _ = LetterBatch.objects.get_or_create(
        key=payment_notice_batch_key(run.pk),
        defaults={"title": f"支払通知　{era_date(run.run_on)}支払分", "created_by": actor},
    )
    noticed = set(batch.letters.values_list("recipient_id", flat=True))
    lines = [line for line in payment_run_breakdown(run=run) if line.recipient.pk not in noticed]
    if not lines:
        return batch
    rules = _plan_rules(lines)
    execution = HistoryEntry.objects.filter(
        subject_type="payment_run", subject_id=str(run.pk), action="execute"
    ).first()
    for line in lines:
        letter_issue(
            case=line.items[0].case,
            kind=LetterKind.PAYMENT_NOTICE,
            actor=actor,
            history_entry=execution,
            wording=payment_wording(
                paid_on=run.run_on, lines=[(item, rules.get(_plan_key(item))) for item in line.items]
            ),
            # Dated the day the run was executed, so a late retry words the same letter.
            issued_on=timezone.localdate(run.executed_at),
            batch=batch,
            basis=_basis(run, line),
        )
    return batch
