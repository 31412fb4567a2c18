"""Administrators' calendar data: extra closure days (臨時休庁), each edit in the history.

A closure day moves every deadline computed after it (roll-forward, reminder
dates), so changing one is recorded like a schedule edit: who, when, and the
values before and after. Deadlines already fixed on issued requests stay as
they were issued. Reminder rules, the other master data, are ``letters``'.
"""

from django.db import transaction

from calendars.fiscal import fiscal_year_of
from calendars.models import ClosureDay
from grants.history import history_append
from grants.models import Role
from grants.roles import SYSTEM_USERNAME, has_role
from web.errors import PermissionDenied

from .edits import edit_save

CLOSURE_DAY_FIELDS = ("day", "reason")


def may_edit_calendar_data(user) -> bool:
    """Administrators keep master data (design §1); the system user is an operator at the command line."""
    return has_role(user, Role.ADMINISTRATOR) or getattr(user, "username", None) == SYSTEM_USERNAME


def require_administrator(actor) -> None:
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


@transaction.atomic
def closure_day_save(*, actor, closure: ClosureDay) -> ClosureDay:
    """Add or change an extra closure day; the record keeps the day and what changed."""
    require_administrator(actor)
    return edit_save(row=closure, fields=CLOSURE_DAY_FIELDS, record=_closure_recorder(actor, closure))


@transaction.atomic
def closure_day_delete(*, actor, closure: ClosureDay) -> None:
    """Remove an extra closure day; the record keeps what it said."""
    require_administrator(actor)
    deleted = {name: getattr(closure, name) for name in CLOSURE_DAY_FIELDS}
    _closure_recorder(actor, closure)("delete", {"deleted": deleted})
    closure.delete()
