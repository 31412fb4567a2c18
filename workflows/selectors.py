"""Reads about what a user may do with a case, and how it stood in the past."""

from datetime import datetime

from django.db.models import QuerySet
from grants.models import Case, HistoryEntry

from .fields import TRANSITION_FIELDS, TRANSITION_LABELS
from .flows import flow_for


def case_available_transitions(*, case: Case, actor) -> list[dict]:
    """The transitions ``actor`` may take on ``case`` now, with their fields; ``blocked_by`` names an unmet condition."""
    flow = flow_for(case, actor=actor)
    result = []
    for transition in type(flow).state.get_outgoing_transitions(case.state):
        if not transition.has_perm(flow, actor):
            continue
        unmet = transition.get_unmet_condition(flow)
        blocked_by = None
        if unmet is not None:
            condition, outcome = unmet
            blocked_by = {
                "condition": getattr(condition, "__name__", "condition"),
                "message": str(getattr(outcome, "message", "") or ""),
            }
        name = transition.slug
        result.append(
            {
                "name": name,
                "label": str(TRANSITION_LABELS[name]),
                "fields": [spec.as_dict() for spec in TRANSITION_FIELDS[name]],
                "blocked_by": blocked_by,
            }
        )
    return sorted(result, key=lambda item: list(TRANSITION_FIELDS).index(item["name"]))


def case_history(*, case: Case) -> QuerySet[HistoryEntry]:
    """The case's records, oldest first."""
    return HistoryEntry.objects.filter(case=case).select_related("actor").order_by("pk")


def case_as_of(*, case: Case, moment: datetime) -> dict | None:
    """The case's state, amounts and deadline as they stood at ``moment`` (None: it did not exist yet)."""
    entry = (
        HistoryEntry.objects.filter(case=case, occurred_at__lte=moment, data__has_key="snapshot")
        .order_by("-pk")
        .first()
    )
    if entry is not None:
        return entry.data["snapshot"] | {"as_of_record": entry.pk}
    created = HistoryEntry.objects.filter(case=case, occurred_at__lte=moment, action="create").first()
    if created is None:
        return None
    return {"state": created.target, "version": 1, "amounts": {}, "deadline": None, "as_of_record": created.pk}

