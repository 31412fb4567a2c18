"""Pages of a web list: one page of rows for ``?page=`` and the query string its links keep."""

from urllib.parse import urlencode

from django.core.paginator import Paginator

PAGE_SIZE = 50


def paginate(request, rows, *, default_page: int | None = None):
    """One page of ``rows`` for ``?page=``, else ``default_page`` (bad page numbers give the first or last page)."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page", default_page))


def query_without_page(request) -> str:
    """The current query string minus ``page``, for pagination links."""
    return urlencode([(key, value) for key, value in request.GET.items() if key != "page"])
