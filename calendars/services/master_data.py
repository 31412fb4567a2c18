"""Administrators' calendar data: extra closure days (臨時休庁) and reminder rules, each edit in the history.

A closure day moves every deadline computed after it (roll-forward, reminder
dates) and a reminder rule decides who gets which letter when, so changing
either is recorded like a schedule edit (design §7): who, when, and the
values before and after. Deadlines already fixed on issued requests stay as
they were issued.
"""

from django.db import transaction

from grants.history import history_append
from grants.models import Role, fiscal_year_of
from grants.roles import SYSTEM_USERNAME, has_role
from web.errors import PermissionDenied

from ..models import ClosureDay, ReminderRule
from .edits import edit_save

CLOSURE_DAY_FIELDS = ("day", "reason")
REMINDER_RULE_FIELDS = (
    "code", "label_ja", "label_en", "offset_business_days", "letter_kind", "subject_suffix_ja", "is_active",
)  # fmt: skip


def may_edit_calendar_data(user) -> bool:
    """Administrators keep master data (design §1); the system user is an operator at the command line."""
    return has_role(user, Role.ADMINISTRATOR) or getattr(user, "username", None) == SYSTEM_USERNAME


def _require_administrator(actor) -> None:
    if not may_edit_calendar_data(actor):
        raise PermissionDenied(details={"role_required": Role.ADMINISTRATOR})


def _closure_recorder(actor, closure: ClosureDay):
    """``record(act, data)`` for an act ("create", "update", "delete") on a closure day."""

    def record(act: str, data: dict) -> None:
        history_append(
            actor=actor,
            action=f"closure_day_{act}",
            subject_type="closure_day",
            subject_id=closure.day.isoformat(),
            fiscal_year=fiscal_year_of(closure.day),
            data={"day": closure.day, **data},
        )

    return record


def _rule_recorder(actor, rule: ReminderRule):
    """``record(act, data)`` for an act ("create", "update", "delete") on a reminder rule."""

    def record(act: str, data: dict) -> None:
        history_append(
            actor=actor, action=f"reminder_rule_{act}", subject_type="reminder_rule", subject_id=rule.code, data=data
        )

    return record


@transaction.atomic
def closure_day_save(*, actor, closure: ClosureDay) -> ClosureDay:
    """Add or change an extra closure day; the record keeps the day and what changed."""
    _require_administrator(actor)
    return edit_save(row=closure, fields=CLOSURE_DAY_FIELDS, record=_closure_recorder(actor, closure))


@transaction.atomic
def closure_day_delete(*, actor, closure: ClosureDay) -> None:
    """Remove an extra closure day; the record keeps what it said."""
    _require_administrator(actor)
    deleted = {name: getattr(closure, name) for name in CLOSURE_DAY_FIELDS}
    _closure_recorder(actor, closure)("delete", {"deleted": deleted})
    closure.delete()


@transaction.atomic
def reminder_rule_save(*, actor, rule: ReminderRule) -> ReminderRule:
    """Add or change a reminder rule (offset, letter, wording, active); the record keeps what changed."""
    _require_administrator(actor)
    return edit_save(row=rule, fields=REMINDER_RULE_FIELDS, record=_rule_recorder(actor, rule))


@transaction.atomic
def reminder_rule_delete(*, actor, rule: ReminderRule) -> None:
    """Remove a reminder rule no reminder was sent under (the database protects the others)."""
    _require_administrator(actor)
    deleted = {name: getattr(rule, name) for name in REMINDER_RULE_FIELDS}
    _rule_recorder(actor, rule)("delete", {"deleted": deleted})
    rule.delete()
