"""Reads of the schedules app, with scope applied where they concern cases."""

from .calendar import UNDECIDED_JA, Calendar, CalendarEntry, DeadlineGroup, calendar_for_actor
from .schedules import (
    ProcedureDefinition,
    procedure_definition_list,
    schedule_closed_exact_days,
    schedule_deadline_step,
    schedule_document,
    schedule_version_in_force,
    schedule_version_list,
)

__all__ = [
    "UNDECIDED_JA",
    "Calendar",
    "CalendarEntry",
    "DeadlineGroup",
    "calendar_for_actor",
    "ProcedureDefinition",
    "procedure_definition_list",
    "schedule_closed_exact_days",
    "schedule_deadline_step",
    "schedule_document",
    "schedule_version_in_force",
    "schedule_version_list",
]
