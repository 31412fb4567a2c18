"""The secret link of a user's iCalendar feed: issue or rotate it, revoke it, check it."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from ..errors import FeedTokenInvalid
from ..models import CalendarFeedToken


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_token_rotate(*, actor) -> str:
    """A new secret for the actor's feed link; the previous link stops working. Shown once, stored hashed."""
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(
        user=actor, defaults={"token_hash": _digest(token), "created_at": timezone.now(), "last_used_at": None}
    )
    return token


@transaction.atomic
def calendar_feed_token_revoke(*, actor) -> None:
    """The actor's feed link stops working."""
    CalendarFeedToken.objects.filter(user=actor).delete()


def calendar_feed_authenticate(*, token: str):
    """The active user a feed token belongs to (noting its use); FeedTokenInvalid otherwise."""
    found = (
        CalendarFeedToken.objects.select_related("user").filter(token_hash=_digest(token or "")).first()
        if token
        else None
    )
    if found is None or not found.user.is_active:
        raise FeedTokenInvalid()
    CalendarFeedToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user
