"""Writes of the calendars app: schedules, closure days and reminder rules, letters, reminders, payment notices
and calendar feed links."""

from ..letter_texts import LetterWording
from .feeds import calendar_feed_authenticate, calendar_feed_token_revoke, calendar_feed_token_rotate
from .letters import (
    letter_batch_create,
    letter_for_transition,
    letter_issue,
    letter_issue_with_act,
    letter_particulars,
    letter_render,
)
from .master_data import (
    closure_day_delete,
    closure_day_save,
    may_edit_calendar_data,
    reminder_rule_delete,
    reminder_rule_save,
)
from .payment_notices import payment_notices_issue
from .reminders import reminder_issue
from .schedules import (
    may_edit_schedules,
    schedule_import,
    schedule_rollforward,
    schedule_step_delete,
    schedule_step_save,
    schedule_version_delete,
    schedule_version_save,
)

__all__ = [
    "LetterWording",
    "calendar_feed_authenticate",
    "calendar_feed_token_revoke",
    "calendar_feed_token_rotate",
    "closure_day_delete",
    "closure_day_save",
    "letter_batch_create",
    "letter_issue",
    "letter_for_transition",
    "letter_issue_with_act",
    "letter_particulars",
    "letter_render",
    "may_edit_calendar_data",
    "may_edit_schedules",
    "payment_notices_issue",
    "reminder_issue",
    "reminder_rule_delete",
    "reminder_rule_save",
    "schedule_import",
    "schedule_rollforward",
    "schedule_step_delete",
    "schedule_step_save",
    "schedule_version_delete",
    "schedule_version_save",
]
