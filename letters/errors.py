"""Errors of the letter services; each carries its API code and HTTP status."""

from django.utils.translation import gettext_lazy as _

from web.errors import Conflict, NotFound


class LetterNotFound(NotFound):
    code = "letter_not_found"
    default_message = _("No such letter.")


class LetterBatchNotFound(NotFound):
    code = "letter_batch_not_found"
    default_message = _("No such letter batch.")


class LetterNotRendered(Conflict):
    code = "letter_not_rendered"
    default_message = _("The letter's PDF is still being prepared. Try again in a moment.")


class FollowUpNotOverdue(Conflict):
    code = "follow_up_not_overdue"
    default_message = _("A renewed request goes only to a case whose papers are overdue.")


class FollowUpAlreadySent(Conflict):
    code = "follow_up_already_sent"
    default_message = _("A renewed request or reminder already went to this recipient for this case today; send the next one tomorrow at the earliest.")


class FollowUpWordingMissing(Conflict):
    code = "follow_up_wording_missing"
    default_message = _("No active overdue-demand reminder rule words the letter; an administrator needs to set one up.")
