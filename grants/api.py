"""API endpoints for authentication, recipients, budget notices and the history chain."""

from django.contrib.auth import authenticate
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from web.api_auth import SignInLockedOut, api_token_issue, api_token_revoke, api_tokens_revoke_all
from web.api_errors import error_response
from web.api_pagination import PageSerializer, page_of, paginate

from .api_fields import (
    CalendarDateField,
    FiscalYearField,
    IdField,
    PartField,
    PartOutputField,
    PrefectureField,
    RegistryChoiceField,
    YenField,
)
from .catalogue import stream_choices
from .forms import DATE_BOUNDS
from .history import history_checkpoint_for_export, history_verify_for_auditor
from .history_export import EXPORTERS, history_list_for_auditor
from .local_governments import search_text
from .models import RecipientKind
from .recipients import check_digit_problem, recipient_code_problem
from .selectors import recipient_list
from .services import budget_notice_record


class TokenObtainApi(APIView):
    """A new API token for this device, and when it expires (web/api_auth.py)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        # As long as a user name can be: django-axes records a failed one in a 255-character column,
        # which PostgreSQL enforces (a longer name was a 500 there, found by bench/fuzz.py).
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096)

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "TokenOutput", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
        ),
        auth=[],
    )
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(request, **payload.validated_data)
        if user is None:
            if getattr(request, "axes_locked_out", False):  # set by django-axes: even the right password is refused
                raise SignInLockedOut()
            return error_response("invalid_credentials", "Unknown username or wrong password.", 401)
        token, expiry = api_token_issue(request=request, user=user)
        return Response({"token": token, "expiry": expiry})


class TokenRevokeApi(APIView):
    """Sign this device out: the token the request is sent with stops working."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if request.auth is None:  # signed in with the session, not a token: nothing to revoke
            return Response(status=204)
        api_token_revoke(request=request, token=request.auth)
        return Response(status=204)


class TokenRevokeAllApi(APIView):
    """Sign every device out: all of the user's tokens stop working."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        api_tokens_revoke_all(user=request.user)
        return Response(status=204)


class RecipientOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="name_ja")
    name_kana = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.CharField()
    municipality_type = serializers.CharField()
    prefecture = serializers.CharField(source="prefecture_code")
    active = serializers.BooleanField(source="is_active")
    retired_on = serializers.DateField(allow_null=True)
    former_code = serializers.CharField()


class RecipientListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=RecipientKind.choices, required=False)
        prefecture = PrefectureField(required=False)
        q = serializers.CharField(
            required=False, max_length=100, help_text="Name, reading (hiragana or katakana) or the start of a code"
        )
        code = serializers.CharField(required=False, max_length=32, help_text="Exact code; a wrong check digit is a 422")
        active = serializers.BooleanField(
            required=False, allow_null=True, default=None,
            help_text="true: those that take cases (the bureau's prefectures, not retired); false: the others",
        )

        def validate_code(self, value: str) -> str:
            problem = recipient_code_problem(value)
            if problem:
                raise serializers.ValidationError(problem)
            return value

        def validate_q(self, value: str) -> str:
            problem = check_digit_problem(search_text(value))
            if problem:
                raise serializers.ValidationError(problem)
            return value

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
        stream = RegistryChoiceField(stream_choices)
        part = PartField(default="")
        amount = YenField(min_value=1)
        received_on = CalendarDateField(validators=DATE_BOUNDS)
        reference = serializers.CharField(max_length=100)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        fiscal_year = serializers.IntegerField(source="fiscal_year_id")
        stream = serializers.CharField()
        part = PartOutputField()
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
    """Streams the filtered history as CSV (UTF-8 with BOM), XLSX or JSON Lines.

    JSON Lines is the exact record. CSV and XLSX are for spreadsheets: a CSV
    text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading ``'`` so it is not run as a formula, and XLSX stores
    text as text.
    """

    class FilterSerializer(serializers.Serializer):
        format = serializers.ChoiceField(choices=list(EXPORTERS), default="csv")
        fiscal_year = FiscalYearField(required=False)
        stream = RegistryChoiceField(stream_choices, required=False)
        recipient = serializers.CharField(required=False)
        search = serializers.CharField(required=False, max_length=100, help_text="Recipient name, reading or code, in part")
        actor = serializers.CharField(required=False)
        date_from = CalendarDateField(required=False)
        date_to = CalendarDateField(required=False)
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
