"""Administrators' reminder rules, each edit in the history.

A reminder rule decides who gets which letter when, so changing one is
recorded like a schedule edit: who, when, and the values before and after.
"""

from django.db import transaction

from grants.history import history_append
from schedules.services.edits import edit_save
from schedules.services.master_data import require_administrator

from ..models import ReminderRule

REMINDER_RULE_FIELDS = (
    "code", "label_ja", "label_en", "offset_business_days", "letter_kind", "subject_suffix_ja", "is_active",
)  # fmt: skip


def _rule_recorder(actor, rule: ReminderRule):
    """``record(act, data)`` for an act ("create", "update", "delete") on a reminder rule."""

    def record(act: str, data: dict) -> None:
        history_append(
            actor=actor, action=f"reminder_rule_{act}", subject_type="reminder_rule", subject_id=rule.code, data=data
        )

    return record


@transaction.atomic
def reminder_rule_save(*, actor, rule: ReminderRule) -> ReminderRule:
    """Add or change a reminder rule (offset, letter, wording, active); the record keeps what changed."""
    require_administrator(actor)
    return edit_save(row=rule, fields=REMINDER_RULE_FIELDS, record=_rule_recorder(actor, rule))


@transaction.atomic
def reminder_rule_delete(*, actor, rule: ReminderRule) -> None:
    """Remove a reminder rule no reminder was sent under (the database protects the others)."""
    require_administrator(actor)
    deleted = {name: getattr(rule, name) for name in REMINDER_RULE_FIELDS}
    _rule_recorder(actor, rule)("delete", {"deleted": deleted})
    rule.delete()
