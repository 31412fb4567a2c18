"""What every page's view shares below the frame: typed errors turned into the error pages."""

from functools import wraps

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404

from .errors import NotFound, PermissionDenied


def domain_errors_as_pages(view):
    """Turn a selector's NotFound / PermissionDenied into the 404 / 403 page with its message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except PermissionDenied as exc:
            raise HttpForbidden(str(exc.message)) from exc

    return wrapper
