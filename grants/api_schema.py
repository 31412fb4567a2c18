"""OpenAPI generation: name components after their endpoint (``CaseListApi.InputSerializer`` → ``CaseListInput``)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer, direction):
        return type(serializer).__qualname__.replace("Api.", "").replace(".", "")
