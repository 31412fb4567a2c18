"""Reads of the web plumbing: a user's saved filters."""

from django.db.models import QuerySet

from .models import SavedFilter


def saved_filter_list(*, owner, page: str) -> QuerySet[SavedFilter]:
    """The owner's saved filters of a list page, by name (nobody sees another's)."""
    return SavedFilter.objects.filter(owner=owner, page=page)
