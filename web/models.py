"""What the web pages keep for a user: their saved filters (a named query string of one list page)."""

from django.conf import settings
from django.db import models


class SavedFilter(models.Model):
    """A user's named filters of a list page (the worklist, the history), to apply again in one click."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    page = models.CharField(max_length=40)  # the URL name of the list page, e.g. "worklist"
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000)  # the query string, without page

    class Meta:
        ordering = ["page", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "page", "name"], name="saved_filter_unique_name")]

    def __str__(self) -> str:
        return self.name
