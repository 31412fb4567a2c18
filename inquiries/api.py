"""Endpoints of the inquiry register (疑義照会): list, record a question, read one, record its answer.

Each endpoint parses, calls one selector or service (the pages' own) and
serialises; errors leave as the shared JSON error shape through
``web.api_errors`` (422 for bad input, 404 for an inquiry out of scope, 409
for one answered already).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grants.api_fields import CalendarDateField, IdField, RegistryChoiceField
from grants.catalogue import procedure_choices, stream_choices
from grants.forms import DATE_BOUNDS
from web.api_pagination import PageSerializer, page_of, paginate

from .models import InquiryStatus
from .selectors import inquiry_get_for_actor, inquiry_list_for_actor
from .services import MAX_TEXT, inquiry_answer, inquiry_record


class AskerSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="name_ja")
    kind = serializers.CharField()


class InquirySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    received_on = serializers.DateField()
    asker = AskerSerializer()
    stream = serializers.CharField()
    procedure = serializers.CharField(help_text="Empty when the question names no procedure")
    case = serializers.IntegerField(source="case_id", allow_null=True)
    question = serializers.CharField()
    status = serializers.ChoiceField(choices=InquiryStatus.choices)
    recorded_by = serializers.CharField(source="recorded_by.username")
    answer = serializers.CharField(help_text="Empty while the inquiry is open")
    answered_on = serializers.DateField(allow_null=True)
    answered_by = serializers.CharField(source="answered_by.username", allow_null=True, default=None)
    business_days = serializers.IntegerField(
        allow_null=True, help_text="Business days the answer took (closure days left out); null while open"
    )


class InquiryListApi(APIView):
    """The register in the caller's scope, with the page's filters; an officer records a question."""

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(required=False, max_length=100, help_text="Words of the question or answer")
        asker = serializers.CharField(required=False, max_length=100, help_text="Name, reading or code of the asker")
        stream = RegistryChoiceField(stream_choices, required=False)
        procedure = RegistryChoiceField(procedure_choices, required=False)
        status = serializers.ChoiceField(choices=InquiryStatus.choices, required=False)
        case = IdField(required=False)

    class InputSerializer(serializers.Serializer):
        received_on = CalendarDateField(validators=DATE_BOUNDS)
        asker = serializers.CharField(
            max_length=100, help_text="The prefecture or municipality that asked: its code, or its name or reading"
        )
        stream = RegistryChoiceField(stream_choices, required=False, allow_blank=True)
        procedure = RegistryChoiceField(procedure_choices, required=False, allow_blank=True)
        case = IdField(required=False, allow_null=True, help_text="With a case, the stream and procedure are the case's")
        question = serializers.CharField(max_length=MAX_TEXT)

    @extend_schema(
        operation_id="inquiries_list",
        parameters=[FilterSerializer, PageSerializer],
        responses=page_of(InquirySerializer, "InquiryPage"),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        inquiries = inquiry_list_for_actor(actor=request.user, **filters.validated_data)
        return paginate(request, inquiries, lambda inquiry: InquirySerializer(inquiry).data)

    @extend_schema(request=InputSerializer, responses={201: InquirySerializer})
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        inquiry = inquiry_record(
            actor=request.user,
            received_on=data["received_on"],
            asker=data["asker"],
            stream=data.get("stream", ""),
            procedure=data.get("procedure", ""),
            case_id=data.get("case"),
            question=data["question"],
        )
        inquiry = inquiry_get_for_actor(actor=request.user, inquiry_id=inquiry.pk)
        return Response(InquirySerializer(inquiry).data, status=201)


class InquiryDetailApi(APIView):
    @extend_schema(responses=InquirySerializer)
    def get(self, request, inquiry_id: int):
        return Response(InquirySerializer(inquiry_get_for_actor(actor=request.user, inquiry_id=inquiry_id)).data)


class InquiryAnswerApi(APIView):
    """Record the answer to an open inquiry, once (409 inquiry_already_answered after)."""

    class InputSerializer(serializers.Serializer):
        answered_on = CalendarDateField(validators=DATE_BOUNDS)
        answer = serializers.CharField(max_length=MAX_TEXT)

    @extend_schema(request=InputSerializer, responses=InquirySerializer)
    def post(self, request, inquiry_id: int):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        inquiry_answer(actor=request.user, inquiry_id=inquiry_id, **payload.validated_data)
        return Response(InquirySerializer(inquiry_get_for_actor(actor=request.user, inquiry_id=inquiry_id)).data)
