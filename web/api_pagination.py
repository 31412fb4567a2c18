"""Pages of an API list: ``{"items", "count", "page", "page_size"}`` for ``?page=``."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

PAGE_SIZE = 50


class PageSerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=10**9, default=1)


def page_of(serializer: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """The OpenAPI description of ``paginate``'s answer, its items described by ``serializer``."""
    return inline_serializer(
        name,
        {
            "items": serializer(many=True),
            "count": serializers.IntegerField(),
            "page": serializers.IntegerField(),
            "page_size": serializers.IntegerField(),
        },
    )


def paginate(request, queryset, serialize, prepare=None) -> Response:
    """``{"items": [...], "count": n}`` for ``?page=`` (1-based, 50 a page); a bad page number is a 422.

    ``prepare``, when given, takes the page's rows and returns them ready to serialise (what they show beside
    themselves, read for the whole page at once)."""
    params = PageSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    page = params.validated_data["page"]
    count = queryset.count()
    # Past the last page there is nothing to read (and a huge OFFSET would overflow the database).
    rows = queryset[(page - 1) * PAGE_SIZE : page * PAGE_SIZE] if (page - 1) * PAGE_SIZE < count else []
    if prepare is not None:
        rows = prepare(list(rows))
    return Response({"items": [serialize(row) for row in rows], "count": count, "page": page, "page_size": PAGE_SIZE})
