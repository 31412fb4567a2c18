"""The project's middleware: the edge checks, the language, the API's error shape.

Japanese by default, English on request. Web pages ignore the browser's
Accept-Language: a bureau PC set to English still shows Japanese until its
user picks English with the switch (which sets the language cookie). API clients may still ask for English messages
with Accept-Language.

At the edge, input no database column can hold is refused before anything
reads it; and every error under ``/api/`` leaves in the API's error shape.
"""

from http import HTTPStatus
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .api_errors import error_body


class JapaneseByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _holds_nul(request) -> bool:
    """True when the address, query, cookies or a header hold U+0000, which no PostgreSQL text accepts.

    Cookies are checked as parsed: a quoted cookie may write NUL as the escape ``\\000``.
    """
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):  # the raw query: parsing it may fail
        return True
    texts = [request.path_info]
    texts += [text for item in request.COOKIES.items() for text in item]
    texts += [value for key, value in request.META.items() if key.startswith("HTTP_") and isinstance(value, str)]
    return any("\x00" in text for text in texts)


def _authorization_not_ascii(request) -> bool:
    """True for an ``Authorization`` header outside ASCII: a token is hex, and knox would fail decoding it."""
    return not request.META.get("HTTP_AUTHORIZATION", "").isascii()


class RefuseUnstorableInput:
    """A 400 at the edge for input the database would refuse or the token check cannot read,
    and a 413 for an API body over the limit.

    First in ``MIDDLEWARE``, before the session or the API's token reach the
    database: PostgreSQL refuses NUL in text, so a NUL in the session cookie or
    the ``Authorization`` header gave a 500 on every address. Under ``/api/``
    the answer is the API's error shape; elsewhere the plain 400 page, drawn
    without the session (``request.user`` is not set yet).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request) or _authorization_not_ascii(request):
            message = _("The request holds a character that cannot be stored or read (such as NUL, U+0000).")
            return _refusal(request, message)
        if _query_field_count(request) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:
            # Django refuses these too, but only where the query is first read: with DEBUG on, DRF's
            # content negotiation and then the debug page itself fail on it, and no answer leaves at all.
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            return _refusal(request, _("The query has more than %(limit)s fields.") % {"limit": limit})
        if _is_api(request) and _content_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            # The API's parsers read the body as a stream, past Django's own limit on ``request.body``.
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            message = _("The request body is larger than the %(limit)s bytes this address takes.") % {"limit": limit}
            return JsonResponse(error_body("request_too_large", message), status=413)
        return self.get_response(request)


def _refusal(request, message: str):
    """The 400: the API's error shape, or the plain 400 page (no session, no user)."""
    if _is_api(request):
        return JsonResponse(error_body("malformed_request", message), status=400)
    return render(request, "400.html", {"message": message}, status=400)


def _query_field_count(request) -> int:
    query = request.META.get("QUERY_STRING", "")
    return query.count("&") + 1 if query else 0  # as Django counts them (parse_qsl's max_num_fields)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# The error code and message of a status Django or a library answered with where the API's own handler could not.
_API_STATUS_ERRORS = {
    400: ("malformed_request", gettext_lazy("The request could not be understood.")),
    401: ("not_authenticated", gettext_lazy("Sign in first.")),
    403: ("permission_denied", gettext_lazy("You may not do this.")),
    404: ("not_found", gettext_lazy("There is nothing at this address.")),
    405: ("method_not_allowed", gettext_lazy("This address does not take that method.")),
    413: ("request_too_large", gettext_lazy("The request body is too large.")),
    429: ("too_many_requests", gettext_lazy("Too many requests; wait and try again.")),
    500: ("server_error", gettext_lazy("Server error.")),
}


class ApiErrorShape:
    """Every error under ``/api/`` in the API's error shape, in every configuration.

    The API's exception handler and Django's error handlers already answer in
    the shape; this catches what neither sees: with ``DEBUG`` on, Django's
    technical 404 and 500 pages (a 400 for an oversize form body among them),
    and any HTML error page a middleware or library answers with.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and not _is_json(response):
            status = response.status_code
            code, message = _API_STATUS_ERRORS.get(status) or _status_error(status)
            shaped = JsonResponse(error_body(code, message), status=status)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response


def _status_error(status: int) -> tuple[str, str]:
    """``("im_a_teapot", "I'm a Teapot.")`` for a status without an entry above."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return "_".join("".join(c if c.isalnum() else " " for c in phrase.lower()).split()), phrase + "."


def _is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


class MethodNotAllowedPage:
    """A page's address asked with a method it does not take answers with the app's own error page.

    An address that only takes a form's POST (signing out, an approval, a
    payment run's step) answers a GET with Django's 405, which has no body:
    the browser shows its own blank error. The page says what the address is
    for. The API keeps its error shape (``ApiErrorShape``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not _is_api(request) and not response.streaming and not response.content:
            shown = render(request, "405.html", status=405)
            if "Allow" in response:
                shown["Allow"] = response["Allow"]
            return shown
        return response
