"""API endpoints for authentication, recipients, budget notices and the history chain."""

from django.contrib.auth import authenticate
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from web.api_errors import error_response
from web.api_pagination import PageSerializer, page_of, paginate

from .api_fields import FiscalYearField, IdField, PrefectureField, YenField
from .catalogue import Part, Stream
from .forms import DATE_BOUNDS
from .history import history_checkpoint_for_export, history_verify_for_auditor
from .history_export import EXPORTERS, history_list_for_auditor
from .models import RecipientKind
from .selectors import recipient_list
from .services import budget_notice_record


class TokenObtainApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer("TokenOutput", {"token": serializers.CharField()}),
        auth=[],
    )
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(request, **payload.validated_data)
        if user is None:
            return error_response("invalid_credentials", "Unknown username or wrong password.", 401)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class RecipientOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="name_ja")
    name_en = serializers.CharField()
    kind = serializers.CharField()
    municipality_type = serializers.CharField()
    prefecture = serializers.CharField(source="prefecture_code")


class RecipientListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=RecipientKind.choices, required=False)
        prefecture = PrefectureField(required=False)

    @extend_schema(
        operation_id="recipients_list",
        parameters=[FilterSerializer, PageSerializer],
        responses=page_of(RecipientOutputSerializer, "RecipientPage"),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginate(request, recipient_list(**filters.validated_data), lambda r: RecipientOutputSerializer(r).data)


class BudgetNoticeCreateApi(APIView):

    class InputSerializer(serializers.Serializer):
        fiscal_year = FiscalYearField()
        stream = serializers.ChoiceField(choices=Stream.choices)
        part = serializers.ChoiceField(choices=Part.choices, required=False, allow_blank=True, default="")
        amount = YenField(min_value=1)
        received_on = serializers.DateField(validators=DATE_BOUNDS)
        reference = serializers.CharField(max_length=100)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        fiscal_year = serializers.IntegerField(source="fiscal_year_id")
        stream = serializers.CharField()
        part = serializers.CharField()
        amount = serializers.IntegerField()
        received_on = serializers.DateField()
        reference = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        notice = budget_notice_record(actor=request.user, **payload.validated_data)
        return Response(self.OutputSerializer(notice).data, status=201)


class HistoryVerifyApi(APIView):
    @extend_schema(
        responses=inline_serializer(
            "HistoryVerification",
            {
                "ok": serializers.BooleanField(),
                "checked": serializers.IntegerField(),
                "first_broken_id": serializers.IntegerField(allow_null=True),
                "problem": serializers.CharField(),
                "code": serializers.CharField(),
                "head_id": serializers.IntegerField(allow_null=True),
                "head_hash": serializers.CharField(),
                "checkpoints": serializers.IntegerField(),
                "anchored_id": serializers.IntegerField(allow_null=True),
                "unanchored": serializers.IntegerField(),
                "latest_checkpoint": inline_serializer(
                    "HistoryCheckpointSummary",
                    {
                        "seq": serializers.IntegerField(),
                        "head_id": serializers.IntegerField(),
                        "head_hash": serializers.CharField(),
                        "count": serializers.IntegerField(),
                        "signed_at": serializers.DateTimeField(),
                        "key_id": serializers.CharField(),
                    },
                    allow_null=True,
                ),
                "problems": inline_serializer(
                    "HistoryVerificationProblem",
                    {
                        "code": serializers.CharField(),
                        "message": serializers.CharField(),
                        "record": serializers.IntegerField(allow_null=True),
                        "checkpoint": serializers.IntegerField(allow_null=True),
                    },
                    many=True,
                ),
            },
        )
    )
    def get(self, request):
        """The chain recomputed and checked against its signed checkpoints; the first missing or altered record."""
        return Response(history_verify_for_auditor(actor=request.user).as_dict())


class HistoryExportApi(APIView):
    """Streams the filtered history as CSV (UTF-8 with BOM), XLSX or JSON Lines."""

    class FilterSerializer(serializers.Serializer):
        format = serializers.ChoiceField(choices=list(EXPORTERS), default="csv")
        fiscal_year = FiscalYearField(required=False)
        stream = serializers.ChoiceField(choices=Stream.choices, required=False)
        recipient = serializers.CharField(required=False)
        search = serializers.CharField(required=False, max_length=100, help_text="Recipient name, reading or code, in part")
        actor = serializers.CharField(required=False)
        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)
        case = IdField(required=False)

    @extend_schema(
        parameters=[FilterSerializer],
        responses={(200, content_type.split(";")[0]): bytes for _exporter, content_type, _ext in EXPORTERS.values()},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = dict(filters.validated_data)
        fmt = params.pop("format")
        params["user"] = params.pop("actor", None)
        entries = history_list_for_auditor(actor=request.user, export=True, **params)
        exporter, content_type, extension = EXPORTERS[fmt]
        response = StreamingHttpResponse(exporter(entries, history_checkpoint_for_export()), content_type=content_type)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="history-{stamp}.{extension}"'
        return response
