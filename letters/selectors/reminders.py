"""Which reminders are due on a day."""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery

from calendars.business_days import ClosureCache, add_business_days, is_business_day
from grants.models import AWAITING_RECIPIENT_STATES, Case

from ..models import Letter, LetterKind, Reminder, ReminderRule

_AWAITING = [state.value for state in AWAITING_RECIPIENT_STATES]


@dataclass(frozen=True)
class ReminderCandidate:
    case_id: int
    rule_id: int
    rule_code: str
    deadline_effective: date
    due_on: date


def reminder_candidates(*, on: date) -> list[ReminderCandidate]:
    """The reminders to produce on ``on``: per case still owing papers, the latest rule whose day has come.

    Earlier rules whose day has passed are not sent late (a catch-up after a
    missed run sends the one that is current), nor is a rule whose day came
    before the request letter itself went out. Papers returned for correction
    after they came in get none: a letter saying nothing has arrived would be
    false, and the correction is the officer's conversation. Reminders go out
    on business days only, so a run on a closed day finds nothing. Already produced
    reminders are left out here; the unique constraint on ``Reminder`` is what
    guarantees it when runs overlap.
    """
    closures = ClosureCache()
    rules = list(ReminderRule.objects.filter(is_active=True).order_by("offset_business_days"))
    if not rules or not is_business_day(on, extra_closures=closures):
        return []
    horizon = add_business_days(on, -rules[0].offset_business_days, extra_closures=closures)
    requested_on = (
        Letter.objects.filter(case=OuterRef("pk"), kind=LetterKind.REQUEST).order_by("-issued_on").values("issued_on")[:1]
    )
    cases = (
        Case.objects.filter(state__in=_AWAITING, deadline_effective__lte=horizon)
        .annotate(requested_on=Subquery(requested_on))
        .order_by("deadline_effective", "pk")
        .values_list("pk", "deadline_effective", "requested_on", "submitted_on")
    )
    produced = set(
        Reminder.objects.filter(case__state__in=_AWAITING, case__deadline_effective__lte=horizon).values_list(
            "case_id", "rule_id", "deadline_effective"
        )
    )
    due_days: dict[tuple[date, int], date] = {}
    candidates = []
    for case_id, deadline, requested, submitted in cases:
        if submitted is not None and (requested is None or submitted >= requested):
            continue
        current = None
        for rule in rules:  # ascending offsets, so ascending days
            key = (deadline, rule.offset_business_days)
            if key not in due_days:
                due_days[key] = add_business_days(deadline, rule.offset_business_days, extra_closures=closures)
            if due_days[key] > on:
                break
            current = rule
        if current is None:
            continue
        due_on = due_days[(deadline, current.offset_business_days)]
        if (requested and due_on <= requested) or (case_id, current.pk, deadline) in produced:
            continue
        candidates.append(ReminderCandidate(case_id, current.pk, current.code, deadline, due_on))
    return candidates
