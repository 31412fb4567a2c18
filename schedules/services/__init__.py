"""Writes of the schedules app: schedules, closure days and calendar feed links."""

from .feeds import calendar_feed_authenticate, calendar_feed_token_revoke, calendar_feed_token_rotate
from .master_data import closure_day_delete, closure_day_save, may_edit_calendar_data
from .schedules import (
    may_edit_schedules,
    schedule_editor_require,
    definitions_sync,
    schedule_definition_save,
    schedule_import,
    schedule_rollforward,
    schedule_step_delete,
    schedule_step_save,
    schedule_version_delete,
    schedule_version_save,
)

__all__ = [
    "calendar_feed_authenticate",
    "calendar_feed_token_revoke",
    "calendar_feed_token_rotate",
    "closure_day_delete",
    "closure_day_save",
    "may_edit_calendar_data",
    "may_edit_schedules",
    "schedule_editor_require",
    "definitions_sync",
    "schedule_definition_save",
    "schedule_import",
    "schedule_rollforward",
    "schedule_step_delete",
    "schedule_step_save",
    "schedule_version_delete",
    "schedule_version_save",
]
