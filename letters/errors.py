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
