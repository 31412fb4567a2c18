"""Administrators' calendar data: extra closure days (臨時休庁), each edit in the history.

A closure day moves every deadline computed after it (roll-forward, reminder
dates), so changing one is recorded like a schedule edit: who, when, and the
values before and after. Deadlines already fixed on issued requests stay as
they were issued. Reminder rules, the other master data, are ``letters``'.
"""

from django.db import transaction

from calendars.fiscal import fiscal_year_of
from calendars.models import ClosureDay
from grants.access import authorize, may
from grants.history import history_append

from .edits import edit_save

CLOSURE_DAY_FIELDS = ("day", "reason")


def may_edit_calendar_data(user) -> bool:
    """``calendars.edit_calendar_data``: administrators, and the system user for operators at the command line."""
    return may(user, "calendars.edit_calendar_data")


def require_administrator(actor) -> None:
    authorize(actor, "calendars.edit_calendar_data")


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
