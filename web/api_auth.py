"""Signing in: API tokens (django-rest-knox) and the lockout after repeated failures (django-axes).

Every ``POST /api/auth/token`` issues a new token, one per device or script,
which expires after ``REST_KNOX["TOKEN_TTL"]`` and is stored only as a hash.
``POST /api/auth/logout`` revokes the token it is sent with, ``POST
/api/auth/logout-all`` every token of its user, and so does any change of
the user's password (the admin's form, ``changepassword``, ``set_password``).
Clients send ``Authorization: Bearer <token>``; knox reads that prefix from
``REST_KNOX["AUTH_HEADER_PREFIX"]``.

django-axes counts failed sign-ins per user name and address on both
``/login/`` and ``/api/auth/token``; past ``AXES_FAILURE_LIMIT`` even the right
password is refused until ``AXES_COOLOFF_TIME`` has passed: a 429 in the
error shape on the API, the sign-in form with an error that says so on the page.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from .api_errors import error_body
from .errors import DomainError


class SignInLockedOut(DomainError):
    code = "too_many_attempts"
    http_status = 429
    default_message = _("Too many failed sign-ins: this account is locked for a while. Try again later.")


def api_token_issue(*, request, user) -> tuple[str, datetime]:
    """A new token for ``user`` and when it expires; the token itself is shown this once and stored as a hash."""
    instance, token = AuthToken.objects.create(user=user)
    user_logged_in.send(sender=type(user), request=request, user=user)
    return token, instance.expiry


def api_token_revoke(*, request, token: AuthToken) -> None:
    """Revoke one token (the device signing out)."""
    token.delete()
    user_logged_out.send(sender=type(token.user), request=request, user=token.user)


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every token of ``user``; the number revoked."""
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    return deleted


def _note_password_change(sender, instance, update_fields=None, **kwargs) -> None:
    """Before a user is saved: remember whether the stored password hash is about to change.

    (Django re-hashing a password at sign-in after an upgrade of its hasher counts as a change too.)
    """
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_replaced = stored is not None and stored != instance.password


def _revoke_tokens_after_password_change(sender, instance, **kwargs) -> None:
    if getattr(instance, "_password_replaced", False):
        instance._password_replaced = False
        api_tokens_revoke_all(user=instance)


def connect_signals() -> None:
    """Called from ``WebConfig.ready``."""
    user_model = get_user_model()
    pre_save.connect(_note_password_change, sender=user_model, dispatch_uid="api-tokens-password-note")
    post_save.connect(_revoke_tokens_after_password_change, sender=user_model, dispatch_uid="api-tokens-password-revoke")


def lockout_response(request, original_response, credentials):
    """``AXES_LOCKOUT_CALLABLE``: the API's 429 error shape, or the sign-in page (with its error) as a 429."""
    if request.path_info.startswith("/api/"):
        error = SignInLockedOut()
        return JsonResponse(error_body(error.code, error.message), status=error.http_status)
    original_response.status_code = SignInLockedOut.http_status
    return original_response
