"""Reads about renewed requests (再依頼) sent by hand: whether one may go out now, and when the last went out."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Max

from grants.access import may
from grants.models import AWAITING_RECIPIENT_STATES, Case
from grants.selectors import case_overdue_q
from web.errors import DomainError, PermissionDenied

from ..errors import FollowUpAlreadySent, FollowUpNotOverdue, FollowUpWordingMissing
from ..models import Letter, LetterKind, ReminderRule

#: The letters that ask again for papers already requested: the daily job's reminders and overdue demands,
#: and the renewed requests officers send by hand (worded as overdue demands).
FOLLOW_UP_KINDS = (LetterKind.REMINDER, LetterKind.OVERDUE_DEMAND)


def follow_up_rule() -> ReminderRule | None:
    """The reminder rule whose words a renewed request takes: the active overdue demand sent latest after
    the deadline (the most insistent wording an administrator has set up)."""
    return (
        ReminderRule.objects.filter(letter_kind=LetterKind.OVERDUE_DEMAND, is_active=True)
        .order_by("-offset_business_days")
        .first()
    )


def follow_up_refusal(*, case: Case, actor, today: date) -> DomainError | None:
    """Why ``actor`` may not send a renewed request for ``case`` on ``today`` (the error the service raises),
    or None when they may: they act on cases of its stream and prefecture, its papers are overdue, nothing
    asked for them again today, and a rule words the letter."""
    if not may(actor, "grants.act_on_case", stream=case.stream, prefecture=case.recipient.prefecture_code):
        return PermissionDenied()
    if not Case.objects.filter(case_overdue_q(on=today), pk=case.pk).exists():
        return FollowUpNotOverdue()
    if Letter.objects.filter(case=case, kind__in=FOLLOW_UP_KINDS, issued_on=today).exists():
        return FollowUpAlreadySent()
    if follow_up_rule() is None:
        return FollowUpWordingMissing()
    return None


@dataclass(frozen=True)
class FollowUpOffer:
    """What the case page shows about a renewed request: ``refusal`` is None when it can go out now."""

    refusal: str | None
    last_sent_on: date | None


def follow_up_offer_for_actor(*, case: Case, actor, today: date) -> FollowUpOffer | None:
    """The renewed request as the case page offers it, or None when the case owes no papers (nothing to ask)."""
    if case.state not in AWAITING_RECIPIENT_STATES:
        return None
    refusal = follow_up_refusal(case=case, actor=actor, today=today)
    last = follow_up_last_sent(case_ids=[case.pk]).get(case.pk)
    return FollowUpOffer(refusal=str(refusal.message) if refusal else None, last_sent_on=last)


def follow_up_last_sent(*, case_ids: list[int]) -> dict[int, date]:
    """The day the last reminder, overdue demand or renewed request went out, for each of ``case_ids`` that had one."""
    return dict(
        Letter.objects.filter(case_id__in=case_ids, kind__in=FOLLOW_UP_KINDS)
        .order_by()
        .values("case_id")
        .annotate(last=Max("issued_on"))
        .values_list("case_id", "last")
    )
