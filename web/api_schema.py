"""OpenAPI generation: name components after their endpoint (``CaseListApi.InputSerializer`` → ``CaseListInput``),
and describe the one error shape every endpoint answers with when it refuses."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

_ERROR = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorBody",
            {
                "code": serializers.CharField(help_text="snake_case, e.g. invalid_input, stale_version"),
                "message": serializers.CharField(),
                "details": serializers.DictField(),
            },
        )
    },
)
_ERROR_STATUSES = (
    "An error: 400 or 422 invalid input, 401 not signed in, 403 role or scope, 404 not found, "
    "409 stale_version, transition_not_allowed, condition_unmet or duplicate_case."
)


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer, direction):
        return type(serializer).__qualname__.replace("Api.", "").replace(".", "")

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if "default" not in responses:
            responses["default"] = self._get_response_for_code(_ERROR, "default", direction=direction)
            responses["default"]["description"] = _ERROR_STATUSES
        return responses
