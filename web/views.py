"""What every page's view shares below the frame: typed errors turned into the error pages."""

from functools import wraps

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

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


def post_only(list_page: str):
    """For a view that acts on POST and, when it refuses, draws its page at the POST's address (the form with
    what is wrong). A GET of that address — the language switch or a reload of the page — goes to
    ``list_page`` (a URL name: the page the form is on), not to a bare 405; other methods stay 405."""

    def decorator(view):
        @require_http_methods(["GET", "HEAD", "POST"])
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                return redirect(list_page)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
