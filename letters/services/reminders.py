"""Reminders: one letter per case, rule and effective deadline, however often and wherever the job runs."""

from datetime import date

from django.db import IntegrityError, transaction

from calendars.eras import era_date, fiscal_year_label
from grants.catalogue import procedure_label_ja
from grants.models import AWAITING_RECIPIENT_STATES, Case, CaseState

from ..letter_texts import reminder_wording
from ..models import Letter, LetterBatch, Reminder, ReminderRule
from ..selectors import ReminderCandidate
from .letters import letter_issue


def _batch_for(*, actor, case: Case, rule: ReminderRule, on: date) -> LetterBatch:
    """The day's batch for a rule and a procedure: one letter per recipient, shared by concurrent runs."""
    key = f"reminders/{on}/{rule.code}/{case.fiscal_year_id}/{case.stream}/{case.part or '-'}/{case.procedure}"
    title = (
        f"{rule.label_ja}　{era_date(on)}　{fiscal_year_label(case.fiscal_year_id)}"
        f"{procedure_label_ja(case.stream, case.part, case.procedure)}"
    )
    return LetterBatch.objects.get_or_create(key=key, defaults={"title": title, "created_by": actor})[0]


@transaction.atomic(durable=True)
def reminder_issue(*, actor, candidate: ReminderCandidate, on: date) -> Letter | None:
    """Produce one reminder letter; None when the case no longer owes papers or the reminder exists.

    The case row is locked first, so a submission recorded at the same moment
    either lands before (no reminder) or waits. The ``Reminder`` row is
    inserted before anything else: a concurrent run that got there first
    makes the insert fail, and this run then writes nothing at all.
    """
    case = (
        Case.objects.select_for_update(of=("self",), no_key=True)  # as transitions lock it: FK checks pass
        .select_related("recipient", "officer")
        .get(pk=candidate.case_id)
    )
    if case.state not in AWAITING_RECIPIENT_STATES or case.deadline_effective != candidate.deadline_effective:
        return None
    rule = ReminderRule.objects.get(pk=candidate.rule_id)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                case=case, rule=rule, deadline_effective=candidate.deadline_effective, due_on=candidate.due_on
            )
    except IntegrityError:
        return None
    letter = letter_issue(
        case=case,
        kind=rule.letter_kind,
        actor=actor,
        wording=reminder_wording(case, rule, consultation=case.state == CaseState.CONSULTATION_REQUESTED),
        issued_on=on,
        batch=_batch_for(actor=actor, case=case, rule=rule, on=on),
        basis={"reminder_rule": rule.code, "due_on": candidate.due_on.isoformat()},
    )
    reminder.letter = letter
    reminder.save(update_fields=["letter"])
    return letter
