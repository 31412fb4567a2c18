"""Errors of inquiries, typed as the base errors of ``web.errors``."""

from django.utils.translation import gettext_lazy as _

from web.errors import Conflict, NotFound


class InquiryNotFound(NotFound):
    code = "inquiry_not_found"
    default_message = _("No such inquiry.")


class InquiryAlreadyAnswered(Conflict):
    code = "inquiry_already_answered"
    default_message = _("This inquiry has already been answered.")
