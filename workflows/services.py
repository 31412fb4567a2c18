"""The one write path for case state (docs/architecture.md#the-one-write-path)."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from viewflow.fsm import NoTransition, TransitionConditionsUnmet

from grants.errors import StaleCase
from grants.history import history_append
from grants.models import Case
from grants.selectors import case_get_for_actor
from payments.services import payment_items_issue, payment_items_revoke
from web.rows import row_insert

from .errors import TransitionNotAllowed, UnknownTransition
from .fields import TRANSITION_FIELDS, clean_transition_data
from .flows import flow_for
from .signals import case_transition_recording

AMOUNT_FIELDS = (
    "amount_consulted",
    "amount_presented",
    "amount_requested",
    "amount_determined",
    "amount_current",
    "amount_settled",
)
_SAVED_FIELDS = [
    "state",
    "version",
    *AMOUNT_FIELDS,
    "deadline_stated",
    "deadline_effective",
    "submitted_on",
    "submitted_late",
    "forwarded_on",
    "last_reason",
]


def _amounts(case: Case) -> dict:
    return {field.removeprefix("amount_"): getattr(case, field) for field in AMOUNT_FIELDS}


def _snapshot(case: Case) -> dict:
    return {
        "state": case.state,
        "version": case.version,
        "amounts": _amounts(case),
        "deadline": {
            "stated": case.deadline_stated.isoformat() if case.deadline_stated else None,
            "effective": case.deadline_effective.isoformat() if case.deadline_effective else None,
        },
        "submitted_on": case.submitted_on.isoformat() if case.submitted_on else None,
        "submitted_late": case.submitted_late,
    }


def case_transition(
    *, case_id: int, name: str, actor, data: dict, expected_version: int, today: date | None = None
) -> Case:
    """Apply one act to a case: permission, version, conditions and data rules, then save and record it."""
    if name not in TRANSITION_FIELDS:
        raise UnknownTransition(details={"transition": name})
    cleaned = clean_transition_data(name, data)
    with transaction.atomic(durable=True):
        case = case_get_for_actor(actor=actor, case_id=case_id, lock=True)
        if case.version != expected_version:
            raise StaleCase(details={"current_version": case.version, "expected_version": expected_version})
        flow = flow_for(case, actor=actor, data=cleaned, today=today)
        method = getattr(flow, name, None)
        if method is None or not hasattr(method, "can_proceed") or not method.can_proceed(check_conditions=False):
            raise TransitionNotAllowed(details={"transition": name, "state": case.state})
        if not method.has_perm(actor):
            raise flow.refusal(name, actor)
        source = case.state
        before = _amounts(case)
        original = {field: getattr(case, field) for field in _SAVED_FIELDS}
        try:
            method()
        except NoTransition:
            raise TransitionNotAllowed(details={"transition": name, "state": source}) from None
        except TransitionConditionsUnmet as exc:
            raise flow.unmet(getattr(exc.failed_condition, "__name__", "condition"), exc.unmet_message) from None
        case.version += 1
        changed = [field for field in _SAVED_FIELDS if getattr(case, field) != original[field]]
        occurred_at = case.updated_at = timezone.now()
        determination, determination_changes = _persist_determination(flow, name, actor)
        if name == "notify":
            payment_items_issue(actor=actor, case=case, determination=determination)
        elif name == "revoke":
            payment_items_revoke(
                actor=actor, case=case, revoked_on=flow.data["date"], basis=flow.data["legal_basis"]
            )
        # What other apps add to the act (the letters app: its letter, described by the act's record, stored under it).
        additions = [
            addition
            for _receiver, addition in case_transition_recording.send(
                sender=Case, case=case, transition=name, actor=actor, fields=flow.data,
                on=timezone.localdate(occurred_at), determination=determination,
            )
            if addition is not None
        ]
        entry = history_append(
            actor=actor,
            action=name,
            occurred_at=occurred_at,
            subject_type="case",
            subject_id=case.pk,
            case=case,
            source=source,
            target=case.state,
            # With the record: the case (locked, its version checked above) and the determination it moved on.
            save=[(case, [*changed, "updated_at"])]
            + ([(determination, determination_changes)] if determination_changes else []),
            data={
                "procedure": case.procedure,
                "part": case.part,
                "fields": flow.data,
                "amounts_before": before,
                "amounts_after": _amounts(case),
                "determination": determination.pk if determination else None,
                "document_number": flow.data.get("document_number", ""),
                "reason": flow.data.get("reason", ""),
                "snapshot": _snapshot(case),
                **{key: value for addition in additions for key, value in addition.record.items()},
            },
        )
        for addition in additions:
            addition.with_record(entry)
    return case


def _persist_determination(flow, name: str, actor):
    """The determination the act created (inserted now) or moved on (changed in memory, saved with the record).

    Returns it, or None, and the fields still to save.
    """
    if flow.new_determination is not None:
        return row_insert(flow.new_determination), []
    if name not in ("send_back", "approve", "notify"):
        return None, []
    pending = flow.pending_determination()
    if pending is None:
        return None, []
    if name == "send_back":
        pending.sent_back_reason = flow.data["reason"]
        return pending, ["sent_back_reason"]
    if name == "approve":
        pending.approved_by = actor
        pending.approved_at = timezone.now()
        return pending, ["approved_by", "approved_at"]
    pending.document_number = flow.data["document_number"]
    pending.notified_on = flow.data["date"]
    return pending, ["document_number", "notified_on"]
