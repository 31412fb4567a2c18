"""Reads of the calendars app, with scope applied where they concern cases."""

from .calendar import UNDECIDED_JA, Calendar, CalendarEntry, calendar_for_actor
from .letters import (
    letter_batch_get_for_actor,
    letter_batch_letters,
    letter_batch_pdf_read,
    letter_batch_zip_read,
    letter_get_for_actor,
    letter_list_for_actor,
    letter_pdf_read,
)
from .reminders import ReminderCandidate, reminder_candidates
from .schedules import (
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
    "ReminderCandidate",
    "calendar_for_actor",
    "letter_batch_get_for_actor",
    "letter_batch_letters",
    "letter_batch_pdf_read",
    "letter_batch_zip_read",
    "letter_get_for_actor",
    "letter_list_for_actor",
    "letter_pdf_read",
    "reminder_candidates",
    "schedule_closed_exact_days",
    "schedule_deadline_step",
    "schedule_document",
    "schedule_version_in_force",
    "schedule_version_list",
]
