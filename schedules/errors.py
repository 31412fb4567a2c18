"""Errors of the schedule and calendar services; each carries its API code and HTTP status."""

from django.utils.translation import gettext_lazy as _

from web.errors import Conflict, DomainError, InvalidInput, NotFound


class ScheduleInvalid(InvalidInput):
    code = "invalid_schedule"
    default_message = _("The schedule document has errors; see details for each place.")


class ScheduleNotFound(NotFound):
    code = "schedule_not_found"
    default_message = _("No schedule for this fiscal year.")


class ScheduleVersionExists(Conflict):
    code = "schedule_exists"
    default_message = _("A schedule with this id already exists.")


class FeedTokenInvalid(DomainError):
    code = "invalid_feed_token"
    http_status = 401
    default_message = _("This calendar link is not valid (it may have been revoked or replaced).")
