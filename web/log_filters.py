"""Filters of the log (``LOGGING`` in ``config/settings.py``).

Django logs a request it refused with 403 on ``django.request`` at WARNING, and when a view raised
``PermissionDenied`` it attaches the exception, so the console printed a whole traceback for every routine
refusal (a page outside the reader's role or scope), the same as for a failure. A refusal is the permission
check doing its work: ``RefusalsInOneLine`` logs it as one line naming who was refused, where and the status.
Server errors (5xx) keep their traceback.
"""

import logging


def _escaped(text: str) -> str:
    """As Django escapes what a request puts in its log lines: no line breaks or control characters."""
    return text.encode("unicode_escape").decode("ascii")


class RefusalsInOneLine(logging.Filter):
    """On ``django.request``: a 403's record becomes one line, without the exception's traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            request = getattr(record, "request", None)
            user = getattr(request, "user", None)
            name = user.get_username() if user is not None and user.is_authenticated else "anonymous"
            path = getattr(request, "path", "") if request is not None else ""
            record.msg = "Forbidden: %s (user: %s, status: %s)"
            record.args = (_escaped(path), _escaped(name), 403)
            record.exc_info = record.exc_text = None
        return True
