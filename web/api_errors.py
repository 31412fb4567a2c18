"""One mapping from errors to the API's JSON error shape.

``{"error": {"code": "<snake_case>", "message": "<sentence>", "details": {...}}}``
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status

from .api_parsers import RequestTooLarge
from .errors import DomainError, InvalidInput


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    """The error shape itself, for DRF's responses and for Django's own error handlers under ``/api/``."""
    return {"error": {"code": code, "message": str(message), "details": details or {}}}


def error_response(code: str, message: str, http_status: int, details: dict | None = None) -> JsonResponse:
    """The error shape as JSON whatever the client accepts: a DRF ``Response`` would be drawn by the renderer the
    request negotiated, the browsable API's HTML page for a browser, and the error's code, message and details
    lost (``web.middleware.ApiErrorShape`` can only answer such a page with its status)."""
    return JsonResponse(error_body(code, message, details), status=http_status, json_dumps_params={"ensure_ascii": False})


_DRF_CODES = {
    exceptions.NotAuthenticated: ("not_authenticated", status.HTTP_401_UNAUTHORIZED),
    exceptions.AuthenticationFailed: ("authentication_failed", status.HTTP_401_UNAUTHORIZED),
    exceptions.PermissionDenied: ("permission_denied", status.HTTP_403_FORBIDDEN),
    exceptions.NotFound: ("not_found", status.HTTP_404_NOT_FOUND),
    exceptions.MethodNotAllowed: ("method_not_allowed", status.HTTP_405_METHOD_NOT_ALLOWED),
    exceptions.NotAcceptable: ("not_acceptable", status.HTTP_406_NOT_ACCEPTABLE),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", status.HTTP_415_UNSUPPORTED_MEDIA_TYPE),
    exceptions.ParseError: ("malformed_request", status.HTTP_400_BAD_REQUEST),
    RequestTooLarge: ("request_too_large", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE),
    exceptions.Throttled: ("throttled", status.HTTP_429_TOO_MANY_REQUESTS),
}


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: domain errors keep their code; everything else gets one."""
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, exc.http_status, exc.details)
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return error_response(InvalidInput.code, InvalidInput.default_message, 422, details)
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return error_response(InvalidInput.code, InvalidInput.default_message, 422, details)
    if isinstance(exc, Http404):
        return error_response("not_found", "Not found.", 404)
    if isinstance(exc, DjangoPermissionDenied):
        return error_response("permission_denied", "You may not do this.", 403)
    for klass, (code, http_status) in _DRF_CODES.items():
        if isinstance(exc, klass):
            response = error_response(code, exc.detail, http_status)
            if http_status == 401:
                response["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
    return None
