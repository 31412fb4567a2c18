"""Renewed requests (再依頼) an officer sends by hand for an overdue case, at most one a case a day."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from grants.history import history_append
from grants.models import CaseState
from grants.selectors import case_get_for_actor

from ..errors import FollowUpAlreadySent
from ..letter_texts import reminder_wording
from ..models import FollowUp
from ..selectors.follow_ups import follow_up_refusal, follow_up_rule
from .letters import letter_issue

#: The action of the case's history record that a renewed request was sent.
FOLLOW_UP_ACTION = "follow_up"


@transaction.atomic(durable=True)
def follow_up_send(*, actor, case_id: int, today: date | None = None) -> FollowUp:
    """Send a renewed request for a case whose papers are overdue: a record in the case's history and an
    overdue demand letter worded as the daily job words one, stored under that record.

    Refused, writing nothing, when the actor may not act on the case (PermissionDenied), its papers are
    not overdue (FollowUpNotOverdue), a reminder or renewed request already went out for it today
    (FollowUpAlreadySent) or no active overdue-demand rule words the letter (FollowUpWordingMissing). The
    case row is locked first, so two officers pressing at once send one letter; the table's unique
    constraint holds the rule even so.
    """
    today = today or timezone.localdate()
    case = case_get_for_actor(actor=actor, case_id=case_id, lock=True)
    refusal = follow_up_refusal(case=case, actor=actor, today=today)
    if refusal is not None:
        raise refusal
    rule = follow_up_rule()
    wording = reminder_wording(case, rule, consultation=case.state == CaseState.CONSULTATION_REQUESTED)
    entry = history_append(
        actor=actor,
        action=FOLLOW_UP_ACTION,
        subject_type="case",
        subject_id=case.pk,
        case=case,
        data={
            "reminder_rule": rule.code,
            "sent_on": today.isoformat(),
            "deadline": {"stated": case.deadline_stated, "effective": case.deadline_effective},
            "letter": {"kind": rule.letter_kind, "subject": wording.subject, "issued_on": today},
        },
    )
    letter = letter_issue(
        case=case,
        actor=actor,
        history_entry=entry,
        kind=rule.letter_kind,
        wording=wording,
        issued_on=today,
        basis={"follow_up": True, "reminder_rule": rule.code},
    )
    try:
        with transaction.atomic():
            return FollowUp.objects.create(case=case, sent_on=today, letter=letter, sent_by=actor)
    except IntegrityError:
        raise FollowUpAlreadySent() from None
