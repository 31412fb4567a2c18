"""Calendar, schedule and feed endpoints. Each parses, calls one service or selector, renders."""

from datetime import timedelta

import yaml
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from grants.api_fields import CalendarDateField, PrefectureField
from grants.catalogue import stream_choices, stream_codes
from grants.forms import DATE_BOUNDS
from payments.api import RecipientRefSerializer
from web.api_parsers import JSONParser, RequestTooLarge, refuse_unpaired_surrogates

from .ics import calendar_ics
from .schedule_format import MAX_DOCUMENT_BYTES, dump_document, load_document
from .selectors import calendar_for_actor, schedule_document, schedule_version_in_force
from .services import (
    calendar_feed_authenticate,
    calendar_feed_token_revoke,
    calendar_feed_token_rotate,
    schedule_editor_require,
    schedule_import,
)

MAX_CALENDAR_DAYS = 400
FEED_PAST_DAYS, FEED_FUTURE_DAYS = 90, 400
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")


class YAMLParser(BaseParser):
    media_type = "application/yaml"

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(MAX_DOCUMENT_BYTES + 1)  # never more than the loader would take
        if len(body) > MAX_DOCUMENT_BYTES:
            raise RequestTooLarge(MAX_DOCUMENT_BYTES)
        try:
            data = load_document(body.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ParseError(f"Not valid YAML: {exc}") from exc
        return refuse_unpaired_surrogates(data)


class YAMLRenderer(BaseRenderer):
    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return dump_document(data).encode("utf-8")


def file_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------- calendar


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    recipient = RecipientRefSerializer()


class StepRefSerializer(serializers.Serializer):
    schedule = serializers.CharField(source="version.key")
    sub_procedure = serializers.CharField()
    key = serializers.CharField()
    label_en = serializers.CharField()
    kind = serializers.CharField()
    actor = serializers.CharField()
    precision = serializers.CharField()


class CalendarEntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField(source="title_ja")
    date_text = serializers.CharField(source="date_text_ja")
    starts = serializers.DateField(allow_null=True)
    ends = serializers.DateField(allow_null=True)
    stated = serializers.DateField(allow_null=True)
    effective = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    fiscal_year = serializers.IntegerField()
    stream = serializers.CharField()
    part = serializers.CharField()
    procedure = serializers.CharField(allow_null=True)
    case = CaseRefSerializer(allow_null=True)
    step = StepRefSerializer(allow_null=True)


class CalendarApi(APIView):
    """Deadlines and schedule steps between two days; undecided ones (未定) listed apart."""

    class FilterSerializer(serializers.Serializer):
        """``from``/``to`` (Python keywords, hence ``get_fields``) become ``start``/``end``, with their defaults."""

        def get_fields(self):
            return {
                "from": CalendarDateField(required=False, validators=DATE_BOUNDS),
                "to": CalendarDateField(required=False, validators=DATE_BOUNDS),
                "stream": serializers.ChoiceField(choices=stream_choices(), required=False),
                "prefecture": PrefectureField(required=False),
                "officer": serializers.CharField(required=False),
            }

        def validate(self, data):
            data = dict(data)
            start = data.pop("from", timezone.localdate().replace(day=1))
            end = data.pop("to", start + timedelta(days=91))
            if not 0 <= (end - start).days <= MAX_CALENDAR_DAYS:
                raise serializers.ValidationError(
                    {"to": [f"Give a 'to' on or after 'from', at most {MAX_CALENDAR_DAYS} days later."]}
                )
            return {**data, "start": start, "end": end}

    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField()
        end = serializers.DateField()
        items = CalendarEntrySerializer(source="entries", many=True)
        undecided = CalendarEntrySerializer(many=True)
        count = serializers.SerializerMethodField()

        def get_count(self, calendar) -> int:
            return len(calendar.entries)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="First day (YYYY-MM-DD); default: the first of this month"),
            OpenApiParameter("to", str, description="Last day (YYYY-MM-DD); default: three months on"),
            OpenApiParameter("stream", str, enum=stream_codes()),
            OpenApiParameter("prefecture", str, description="JIS code, e.g. 11"),
            OpenApiParameter("officer", str, description="Username of the officer in charge"),
        ],
        responses=OutputSerializer,
    )
    def get(self, request):
        filters = self.FilterSerializer(data={key: value for key, value in request.query_params.items() if value})
        filters.is_valid(raise_exception=True)
        calendar = calendar_for_actor(actor=request.user, today=timezone.localdate(), **filters.validated_data)
        return Response(self.OutputSerializer(calendar).data)


class CalendarFeedApi(APIView):
    """The iCalendar feed behind a user's secret link: all-day events for deadlines and schedule steps."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={(200, "text/calendar"): OpenApiResponse(description="iCalendar (RFC 5545)")},
        auth=[],
    )
    def get(self, request):
        user = calendar_feed_authenticate(token=request.query_params.get("token", ""))
        today = timezone.localdate()
        calendar = calendar_for_actor(
            actor=user, start=today - timedelta(days=FEED_PAST_DAYS), end=today + timedelta(days=FEED_FUTURE_DAYS), today=today
        )
        return HttpResponse(calendar_ics(calendar), content_type="text/calendar; charset=utf-8")


class CalendarFeedTokenApi(APIView):
    """POST: a new secret feed link for the caller (the old one stops working). DELETE: revoke it."""

    @extend_schema(
        request=None,
        responses={201: inline_serializer("CalendarFeedLink", {"token": serializers.CharField(), "url": serializers.CharField()})},
    )
    def post(self, request):
        token = calendar_feed_token_rotate(actor=request.user)
        url = request.build_absolute_uri(f"{reverse('api:calendar-ics')}?token={token}")
        return Response({"token": token, "url": url}, status=201)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        calendar_feed_token_revoke(actor=request.user)
        return Response(status=204)


# ---------------------------------------------------------------- schedules


class ScheduleApi(APIView):
    """A fiscal year's schedules in the file's format, as JSON or YAML (Accept / Content-Type).

    POST imports a document of that year's schedules (supervisors), replacing
    versions with the same id, and answers with the year's schedules after it.
    The version in force is named in the ``Schedule-In-Force`` header.
    """

    parser_classes = [JSONParser, YAMLParser]
    renderer_classes = [JSONRenderer, YAMLRenderer]

    def _document(self, fiscal_year: int) -> Response:
        response = Response(schedule_document(fiscal_year=fiscal_year))
        in_force = schedule_version_in_force(fiscal_year=fiscal_year)
        response["Schedule-In-Force"] = in_force.key if in_force else ""
        return response

    @extend_schema(responses={(200, "application/json"): dict, (200, "application/yaml"): dict})
    def get(self, request, fiscal_year: int):
        return self._document(fiscal_year)

    @extend_schema(
        request={"application/json": dict, "application/yaml": dict},
        responses={(200, "application/json"): dict, (200, "application/yaml"): dict},
    )
    def post(self, request, fiscal_year: int):
        # The role is checked before ``request.data``: only someone who may import a schedule gets it parsed.
        schedule_editor_require(actor=request.user)
        schedule_import(actor=request.user, document=request.data, fiscal_year=fiscal_year)
        return self._document(fiscal_year)


# ---------------------------------------------------------------- letters
