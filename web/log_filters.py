"""Filters of the log (``LOGGING`` in ``config/settings.py``).

Django logs a request it refused with 403 on ``django.request`` at WARNING, and when a view raised
``PermissionDenied`` it attaches the exception, so the console printed a whole traceback for every routine
refusal (a page outside the reader's role or scope), the same as for a failure. A refusal is the permission
check doing its work: ``RefusalsInOneLine`` logs it as one line naming who was refused, where, the status and
why (the refusal's code and details, as the API's error shape names them). Server errors (5xx) keep their
traceback.
"""

import logging

from .errors import DomainError


def _escaped(text: str) -> str:
    """As Django escapes what a request puts in its log lines: no line breaks or control characters."""
    return text.encode("unicode_escape").decode("ascii")


def _why(exc_info) -> str:
    """The refusal's reason: the domain error behind it (raised as it, or as the cause of the page's 403) by its
    code and details, else the exception's own message."""
    error = exc_info[1] if exc_info else None
    if error is None:
        return ""
    domain = error if isinstance(error, DomainError) else error.__cause__
    if isinstance(domain, DomainError):
        return f"{domain.code} {domain.details}" if domain.details else domain.code
    return str(error)


class RefusalsInOneLine(logging.Filter):
    """On ``django.request``: a 403's record becomes one line, without the exception's traceback; a record that
    carries no request keeps its own message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403 or getattr(record, "refusal_in_one_line", False):
            return True  # not a refusal, or one made into its line already (a filter configured twice)
        record.refusal_in_one_line = True
        request = getattr(record, "request", None)
        if request is not None:
            user = getattr(request, "user", None)
            name = user.get_username() if user is not None and user.is_authenticated else "anonymous"
            why = _why(record.exc_info)
            record.msg = "Forbidden: %s (user: %s, status: %s%s)"
            record.args = (_escaped(request.path), _escaped(name), 403, f", why: {_escaped(why)}" if why else "")
        record.exc_info = record.exc_text = None
        return True
