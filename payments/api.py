"""Payment endpoints: runs, items, return claims, fund balances.

Each endpoint parses, calls one service or selector, and serialises; errors
leave as the shared JSON error shape through ``web.api_errors``.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grants.api_fields import CalendarDateField, FiscalYearField, IdField, PrefectureField, YenField
from grants.forms import DATE_BOUNDS
from web.api_pagination import PageSerializer, page_of, paginate

from .flows import PaymentRunFlow
from .selectors import (
    fund_balance_list_for_actor,
    fund_balances_with_expected_amounts,
    payment_item_list_for_actor,
    payment_run_available_transitions,
    payment_run_breakdown_for_actor,
    payment_run_get_for_actor,
    payment_run_list_for_actor,
    return_claim_balance,
    return_claim_get_for_actor,
    return_claim_list_for_actor,
)
from .services import (
    FundBalanceRow,
    fund_balance_import,
    payment_run_create,
    payment_run_transition,
    return_claim_payment_record,
)


class RecipientRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="name_ja")


class PaymentItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    recipient = RecipientRefSerializer()
    budget_year = serializers.IntegerField()
    basis = serializers.CharField()
    amount = serializers.IntegerField()
    due_run = serializers.DateField(source="due_on", help_text="The date of the earliest payment run that pays it")
    run = serializers.IntegerField(source="run_id", allow_null=True, help_text="The run that carries it")
    paid_in_run = serializers.SerializerMethodField()
    paid_on = serializers.SerializerMethodField()
    withdrawn_on = serializers.DateField(allow_null=True)

    def _payment(self, item):
        return getattr(item, "payment", None)

    def get_paid_in_run(self, item) -> int | None:
        payment = self._payment(item)
        return payment.run_id if payment else None

    def get_paid_on(self, item) -> str | None:
        payment = self._payment(item)
        return payment.paid_on.isoformat() if payment else None


class PaymentRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fiscal_year = serializers.IntegerField(source="fiscal_year_id")
    date = serializers.DateField(source="run_on")
    state = serializers.CharField()
    total = serializers.IntegerField(help_text="The sum of the run's items in the caller's scope")
    item_count = serializers.IntegerField(help_text="The number of the run's items in the caller's scope")
    drafted_by = serializers.CharField(source="drafted_by.username")
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, default=None)
    executed_by = serializers.CharField(source="executed_by.username", allow_null=True, default=None)


class OpenClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    reason = serializers.CharField()
    principal = serializers.IntegerField()
    due_on = serializers.DateField()


class RecipientNetSerializer(serializers.Serializer):
    recipient = RecipientRefSerializer()
    amount = serializers.IntegerField()
    items = PaymentItemSerializer(many=True)
    open_claims = OpenClaimSerializer(
        many=True, help_text="The recipient's return claims not yet closed; shown, never netted against the payment"
    )


class PaymentRunDetailSerializer(PaymentRunSerializer):
    available_transitions = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField(
        help_text="The run netted per recipient, with the items: those of the cases in the caller's scope"
    )

    def get_available_transitions(self, run) -> list[str]:
        return payment_run_available_transitions(run=run, actor=self.context["actor"])

    def get_lines(self, run) -> list:
        return RecipientNetSerializer(
            payment_run_breakdown_for_actor(actor=self.context["actor"], run=run), many=True
        ).data


def run_detail_response(run_id: int, actor, http_status: int = 200) -> Response:
    run = payment_run_get_for_actor(actor=actor, run_id=run_id)
    return Response(PaymentRunDetailSerializer(run, context={"actor": actor}).data, status=http_status)


class PaymentRunListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        fiscal_year = FiscalYearField(required=False)

    class InputSerializer(serializers.Serializer):
        date = CalendarDateField(validators=DATE_BOUNDS)

    @extend_schema(
        operation_id="payment_runs_list",
        parameters=[FilterSerializer, PageSerializer],
        responses=page_of(PaymentRunSerializer, "PaymentRunPage"),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        runs = payment_run_list_for_actor(actor=request.user, **filters.validated_data)
        return paginate(request, runs, lambda run: PaymentRunSerializer(run).data)

    @extend_schema(request=InputSerializer, responses={201: PaymentRunDetailSerializer})
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = payment_run_create(actor=request.user, run_on=payload.validated_data["date"])
        return run_detail_response(run.pk, request.user, 201)


class PaymentRunDetailApi(APIView):
    @extend_schema(responses=PaymentRunDetailSerializer)
    def get(self, request, run_id: int):
        return run_detail_response(run_id, request.user)


class PaymentRunTransitionApi(APIView):
    """approve, execute, cancel: 409 transition_not_allowed / condition_unmet, 403 four_eyes / permission_denied."""

    @extend_schema(
        request=None,
        responses=PaymentRunDetailSerializer,
        parameters=[
            OpenApiParameter(
                "name", str, OpenApiParameter.PATH,
                enum=sorted({t.slug for ts in PaymentRunFlow.state.get_transitions().values() for t in ts}),
            )
        ],
    )
    def post(self, request, run_id: int, name: str):
        run = payment_run_transition(actor=request.user, run_id=run_id, name=name)
        return run_detail_response(run.pk, request.user)


class PaymentItemListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        case = IdField(required=False)
        run = IdField(required=False)
        recipient = serializers.CharField(required=False)

    @extend_schema(
        operation_id="payment_items_list",
        parameters=[FilterSerializer, PageSerializer],
        responses=page_of(PaymentItemSerializer, "PaymentItemPage"),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        items = payment_item_list_for_actor(actor=request.user, **filters.validated_data)
        return paginate(request, items, lambda item: PaymentItemSerializer(item).data)


class DatedYenSerializer(serializers.Serializer):
    date = serializers.DateField()
    amount = serializers.IntegerField()


class ReturnClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    recipient = RecipientRefSerializer()
    budget_year = serializers.IntegerField()
    reason = serializers.CharField()
    principal = serializers.IntegerField()
    noticed_on = serializers.DateField()
    due_on = serializers.DateField()
    surcharge_applies = serializers.BooleanField(help_text="加算金 runs from each receipt (revocations under art. 17(1))")
    revocation_basis = serializers.CharField(help_text="art_17_1 or other for a revocation's claim; empty otherwise")
    closed_on = serializers.DateField(allow_null=True, help_text="The day the repayment that left nothing owed was paid")
    receipts = serializers.SerializerMethodField()
    payments = serializers.SerializerMethodField()
    balance = serializers.SerializerMethodField(help_text="As of ?as_of= (default: today)")

    def get_receipts(self, claim) -> list:
        return [{"date": r.received_on, "amount": r.amount} for r in claim.receipts.all()]

    def get_payments(self, claim) -> list:
        return [{"date": p.paid_on, "amount": p.amount, "reference": p.reference} for p in claim.payments.all()]

    def get_balance(self, claim) -> dict:
        balance = return_claim_balance(claim=claim, as_of=self.context["as_of"])
        return {
            "as_of": balance.as_of,
            "principal_outstanding": balance.principal_outstanding,
            "surcharge": balance.surcharge,
            "late_interest": balance.late_interest,
            "surcharge_by_tranche": [
                {"received_on": received_on, "amount": amount, "surcharge": part}
                for received_on, amount, part in balance.surcharge_parts
            ],
            "interest_outstanding": balance.interest_outstanding,
            "total_outstanding": balance.total_outstanding,
            "settled": balance.settled,
        }


class ReturnClaimListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        case = IdField(required=False)
        recipient = serializers.CharField(required=False)
        as_of = CalendarDateField(required=False, validators=DATE_BOUNDS)

    @extend_schema(
        operation_id="return_claims_list",
        parameters=[FilterSerializer, PageSerializer],
        responses=page_of(ReturnClaimSerializer, "ReturnClaimPage"),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = dict(filters.validated_data)
        context = {"as_of": params.pop("as_of", None) or timezone.localdate()}
        claims = return_claim_list_for_actor(actor=request.user, **params)
        return paginate(request, claims, lambda claim: ReturnClaimSerializer(claim, context=context).data)


class ReturnClaimPaymentCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        # the service judges it (one message on the page and here); the schema still tells clients the rule
        amount = YenField(min_value=None, help_text="Yen paid back: at least 1, and no more than is owed.")
        paid_on = CalendarDateField(validators=DATE_BOUNDS)
        reference = serializers.CharField(required=False, allow_blank=True, max_length=100)

    @extend_schema(request=InputSerializer, responses={201: ReturnClaimSerializer})
    def post(self, request, claim_id: int):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        payment = return_claim_payment_record(actor=request.user, claim_id=claim_id, **payload.validated_data)
        claim = return_claim_get_for_actor(actor=request.user, claim_id=claim_id)
        return Response(ReturnClaimSerializer(claim, context={"as_of": payment.paid_on}).data, status=201)


class FundBalanceSerializer(serializers.Serializer):
    prefecture = serializers.CharField(source="prefecture.code")
    fiscal_year = serializers.IntegerField(source="fiscal_year_id")
    opening = YenField()
    national_contribution = YenField()
    prefectural_contribution = YenField()
    interest = YenField()
    spending = YenField()
    closing = YenField()


class ExpectedByYearSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    amount = YenField()


class ExpectedAmountsSerializer(serializers.Serializer):
    part = serializers.CharField()
    by_year = serializers.SerializerMethodField()
    total = YenField()

    @extend_schema_field(ExpectedByYearSerializer(many=True))
    def get_by_year(self, expected) -> list:
        return [{"fiscal_year": year, "amount": amount} for year, amount in expected.by_year]


class FundBalanceListedSerializer(FundBalanceSerializer):
    expected_amounts = ExpectedAmountsSerializer(
        many=True,
        help_text="The accepted demand surveys (事業見込み量（所要額）調査) of the prefecture and year, one per part",
    )


class FundBalanceListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        prefecture = PrefectureField(required=False)
        fiscal_year = FiscalYearField(required=False)

    class InputSerializer(serializers.Serializer):
        class RowSerializer(FundBalanceSerializer):
            prefecture = serializers.RegexField(r"^\d{2}$")
            fiscal_year = FiscalYearField()

        rows = RowSerializer(many=True, allow_empty=False)

    @extend_schema(
        operation_id="fund_balances_list",
        parameters=[FilterSerializer, PageSerializer],
        responses=page_of(FundBalanceListedSerializer, "FundBalancePage"),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        balances = fund_balance_list_for_actor(actor=request.user, **filters.validated_data)
        return paginate(
            request,
            balances,
            lambda balance: FundBalanceListedSerializer(balance).data,
            prepare=lambda page: fund_balances_with_expected_amounts(actor=request.user, balances=page),
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "FundBalanceImport", {"items": FundBalanceSerializer(many=True), "count": serializers.IntegerField()}
            )
        },
    )
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        written = fund_balance_import(
            actor=request.user, rows=[FundBalanceRow(**row) for row in payload.validated_data["rows"]]
        )
        return Response({"items": FundBalanceSerializer(written, many=True).data, "count": len(written)}, status=201)
