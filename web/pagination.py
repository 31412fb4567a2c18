"""Pages of a web list: one page of rows for ``?page=`` and the query string its links keep."""

from urllib.parse import urlencode

from django.core.paginator import Paginator

PAGE_SIZE = 50
PAGE_SIZES = (20, 50, 100, 200)  # what ``?per_page=`` may ask for; anything else gives PAGE_SIZE


def page_size(request) -> int:
    """The rows a page shows: ``?per_page=`` when it is one of PAGE_SIZES, else PAGE_SIZE."""
    asked = request.GET.get("per_page", "")
    return int(asked) if asked.isdecimal() and int(asked) in PAGE_SIZES else PAGE_SIZE


def paginate(request, rows, *, default_page: int | None = None):
    """One page of ``rows`` for ``?page=`` (``?per_page=`` rows), else ``default_page`` (bad page numbers give the first or last page)."""
    return Paginator(rows, page_size(request)).get_page(request.GET.get("page", default_page))


def query_without(request, *names: str) -> str:
    """The current query string minus the parameters ``names``, for links that set them again."""
    return urlencode([(key, value) for key, values in request.GET.lists() for value in values if key not in names])


def query_without_page(request) -> str:
    """The current query string minus ``page``, for pagination links."""
    return query_without(request, "page")
