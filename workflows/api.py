"""Case endpoints: list, create, detail and transitions."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grants.api_fields import FiscalYearField, IdField, PartField, PartOutputField, PrefectureField, RegistryChoiceField
from grants.catalogue import part_choices, procedure_choices, stream_choices
from grants.models import CaseState
from grants.selectors import case_get_for_actor, case_list_for_actor
from grants.services import case_create
from payments.selectors import case_amount_paid, case_amount_paid_annotation
from web.api_pagination import PageSerializer, page_of, paginate

from .fields import KINDS
from .selectors import case_amount_names_shown, case_amounts, case_available_transitions, case_history
from .services import case_transition
from .steps import vocabulary


def step_names() -> list[str]:
    return list(vocabulary())


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username")
    actor_role = serializers.CharField()
    action = serializers.CharField()
    source = serializers.CharField()
    target = serializers.CharField()
    data = serializers.JSONField()
    hash = serializers.CharField()


class CaseRecipientSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="name_ja")
    prefecture = serializers.CharField(source="prefecture_code")


class CaseAmountsSerializer(serializers.Serializer):
    requested = serializers.IntegerField(allow_null=True)
    determined = serializers.IntegerField(allow_null=True)
    current = serializers.IntegerField(allow_null=True)
    settled = serializers.IntegerField(allow_null=True)
    paid = serializers.IntegerField()
    revoked = serializers.IntegerField(
        allow_null=True, help_text="What a notified revocation (取消) took back: the whole amount in force; null before one"
    )
    in_force = serializers.IntegerField(
        allow_null=True,
        help_text="The amount that stands: the settled amount of a settlement, else the current grant, less what was "
        "revoked (0 once revoked; ``determined`` and ``current`` stay as history); null while nothing is determined",
    )


class CaseDeadlineSerializer(serializers.Serializer):
    stated = serializers.DateField()
    effective = serializers.DateField()


class TransitionFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=KINDS)
    required = serializers.BooleanField()
    label = serializers.CharField()


class BlockedBySerializer(serializers.Serializer):
    condition = serializers.CharField()
    message = serializers.CharField()


class AvailableTransitionSerializer(serializers.Serializer):
    name = RegistryChoiceField(step_names)
    label = serializers.CharField()
    fields = TransitionFieldSerializer(many=True)
    blocked_by = BlockedBySerializer(allow_null=True, help_text="The unmet condition; null when the step can be taken.")


class CaseSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fiscal_year = serializers.IntegerField(source="fiscal_year_id")
    stream = serializers.CharField()
    part = PartOutputField()
    procedure = serializers.CharField()
    settles_fiscal_year = serializers.IntegerField(allow_null=True)
    recipient = CaseRecipientSerializer()
    state = serializers.CharField()
    version = serializers.IntegerField()
    officer = serializers.CharField(source="officer.username", allow_null=True, default=None)
    amounts = serializers.SerializerMethodField()
    amounts_shown = serializers.SerializerMethodField(
        help_text="The names of ``amounts`` the case's procedure shows, in the order its case page lists them (a "
        "demand survey decides nothing: [\"requested\"]); ``amounts`` keeps every key for every case"
    )
    amounts_expected = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="A demand survey's figures: yen expected to be needed, by fiscal year (\"2026\": yen); {} otherwise",
    )
    deadline = serializers.SerializerMethodField()
    submitted_on = serializers.DateField(allow_null=True)
    submitted_late = serializers.BooleanField()
    prefecture_received_on = serializers.DateField(allow_null=True)

    @extend_schema_field(CaseAmountsSerializer)
    def get_amounts(self, case) -> dict:
        amounts = case_amounts(case=case, paid=case_amount_paid(case=case))
        return {name: amounts[name] for name in CaseAmountsSerializer().fields}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(CaseAmountsSerializer().fields))))
    def get_amounts_shown(self, case) -> list[str]:
        return case_amount_names_shown(case=case)

    @extend_schema_field(CaseDeadlineSerializer(allow_null=True))
    def get_deadline(self, case) -> dict | None:
        if case.deadline_stated is None:
            return None
        return {"stated": case.deadline_stated, "effective": case.deadline_effective}


class CaseDetailSerializer(CaseSummarySerializer):
    available_transitions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    @extend_schema_field(AvailableTransitionSerializer(many=True))
    def get_available_transitions(self, case) -> list:
        return case_available_transitions(case=case, actor=self.context["actor"])

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, case) -> list:
        return HistoryEntrySerializer(case_history(case=case), many=True).data


def case_detail_response(case, actor, http_status: int = 200) -> Response:
    return Response(CaseDetailSerializer(case, context={"actor": actor}).data, status=http_status)


class CaseListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        fiscal_year = FiscalYearField(required=False)
        stream = RegistryChoiceField(stream_choices, required=False)
        part = RegistryChoiceField(part_choices, required=False, allow_blank=True)
        procedure = RegistryChoiceField(procedure_choices, required=False)
        recipient = serializers.CharField(required=False)
        prefecture = PrefectureField(required=False)
        state = serializers.ChoiceField(choices=CaseState.choices, required=False)
        officer = serializers.CharField(required=False)
        overdue = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer):
        fiscal_year = FiscalYearField()
        stream = RegistryChoiceField(stream_choices)
        part = PartField(default="")
        procedure = RegistryChoiceField(procedure_choices)
        recipient = serializers.CharField()
        settles_fiscal_year = FiscalYearField(required=False, allow_null=True)

    @extend_schema(
        operation_id="cases_list",
        parameters=[FilterSerializer, PageSerializer],
        responses=page_of(CaseSummarySerializer, "CaseSummaryPage"),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = dict(filters.validated_data)
        overdue = params.pop("overdue")
        cases = case_list_for_actor(actor=request.user, overdue_on=timezone.localdate() if overdue else None, **params)
        cases = cases.annotate(amount_paid=case_amount_paid_annotation())  # one query for the page's paid amounts
        return paginate(request, cases, lambda case: CaseSummarySerializer(case).data)

    @extend_schema(request=InputSerializer, responses={201: CaseDetailSerializer})
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        case = case_create(
            actor=request.user,
            fiscal_year=data["fiscal_year"],
            stream=data["stream"],
            part=data["part"] or "",
            procedure=data["procedure"],
            recipient_code=data["recipient"],
            settles_fiscal_year=data.get("settles_fiscal_year"),
        )
        return case_detail_response(case, request.user, 201)


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, case_id: int):
        return case_detail_response(case_get_for_actor(actor=request.user, case_id=case_id), request.user)


class TransitionInputSerializer(serializers.Serializer):
    """A step's request body as the OpenAPI document shows it: ``version`` and every field some step declares.

    Each step takes the fields it declares (``available_transitions[].fields``);
    the transition service validates them. Fields are read from the steps
    when the document is generated.
    """

    def get_fields(self):
        kinds = {"amount": serializers.IntegerField, "date": serializers.DateField, "text": serializers.CharField}
        fields = {"version": IdField()}
        for declared in vocabulary().values():
            for spec in declared.step.fields:
                if spec.choices:
                    field = serializers.ChoiceField(choices=spec.choices, required=False, help_text=str(spec.label))
                else:
                    field = kinds[spec.kind](required=False, help_text=str(spec.label))
                fields.setdefault(spec.name, field)
        return fields


class CaseTransitionApi(APIView):
    """``{version, ...fields}``: 409 stale_version / transition_not_allowed / condition_unmet, 403, 422."""

    class InputSerializer(serializers.Serializer):
        version = IdField()

    @extend_schema(
        request=TransitionInputSerializer,
        responses=CaseDetailSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=step_names())],
    )
    def post(self, request, case_id: int, name: str):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = {key: value for key, value in request.data.items() if key != "version"}
        case = case_transition(
            case_id=case_id,
            name=name,
            actor=request.user,
            data=fields,
            expected_version=payload.validated_data["version"],
        )
        return case_detail_response(case, request.user)


