"""Errors of cases: not found, out of scope, duplicate, stale; typed as the base errors of ``web.errors``."""

from django.utils.translation import gettext_lazy as _

from web.errors import Conflict, NotFound, PermissionDenied


class CaseNotFound(NotFound):
    code = "case_not_found"
    default_message = _("No such case.")


class OutOfScope(PermissionDenied):
    code = "out_of_scope"
    default_message = _("This case is outside the streams and prefectures assigned to you.")


class DuplicateCase(Conflict):
    code = "duplicate_case"
    default_message = _("A case for this fiscal year, stream, part, procedure and recipient already exists.")


class StaleCase(Conflict):
    code = "stale_version"
    default_message = _("Someone changed this case after you opened it. Reload it and try again.")
