"""What every page's view shares below the frame: typed errors turned into the error pages."""

from functools import wraps

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404

from .errors import NotFound, PermissionDenied


class PageNotFound(Http404):
    """A 404 whose message is written for the reader: the 404 page shows it.

    Any other Http404 (the URL resolver's lists the URL map) shows the page's own text only.
    """


class PageForbidden(HttpForbidden):
    """A 403 whose message is written for the reader: the 403 page shows it."""


def domain_errors_as_pages(view):
    """Turn a selector's NotFound / PermissionDenied into the 404 / 403 page with its message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise PageNotFound(str(exc.message)) from exc
        except PermissionDenied as exc:
            raise PageForbidden(str(exc.message)) from exc

    return wrapper
