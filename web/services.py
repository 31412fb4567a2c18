"""Writes of the web plumbing: a user's saved filters (their own preferences, not the decision history)."""

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import SavedFilter

MAX_SAVED_FILTERS = 30


@transaction.atomic
def saved_filter_save(*, owner, page: str, name: str, query: str) -> SavedFilter:
    """Save (or replace, under the same name) the owner's filters of a list page."""
    name = name.strip()
    if not name or len(name) > 60 or len(query) > 1000:
        raise InvalidInput(details={"name": [_("Give the filters a name of up to 60 characters.")]})
    existing = SavedFilter.objects.filter(owner=owner, page=page)
    if not existing.filter(name=name).exists() and existing.count() >= MAX_SAVED_FILTERS:
        raise InvalidInput(details={"name": [_("Keep at most %(count)s saved filters; delete one first.") % {"count": MAX_SAVED_FILTERS}]})
    saved, _created = SavedFilter.objects.update_or_create(owner=owner, page=page, name=name, defaults={"query": query})
    return saved


@transaction.atomic
def saved_filter_delete(*, owner, filter_id: int) -> None:
    """Delete one of the owner's saved filters (another user's is not theirs to delete: nothing happens)."""
    SavedFilter.objects.filter(owner=owner, pk=filter_id).delete()
