"""Typed base errors. Each carries the API code and HTTP status it maps to.

The API, the web UI and the CLI each turn these into their own message; the
message text here is what a person reads. Each app derives its own errors
from these (``grants.errors``, ``schedules.errors``, ``letters.errors`` …).
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    http_status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, details: dict | None = None):
        self.message = message if message is not None else self.default_message
        self.details = details or {}
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 422
    default_message = _("Some fields are missing or invalid.")


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403
    default_message = _("Your role does not allow this.")


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
