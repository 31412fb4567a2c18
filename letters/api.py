"""API endpoints of the letters app: letters, their PDFs, letter batches and renewed requests (再依頼)."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grants.api_fields import IdField
from payments.api import RecipientRefSerializer
from schedules.api import file_response
from web.api_pagination import PageSerializer, page_of, paginate

from .selectors import (
    letter_batch_get_for_actor,
    letter_batch_letters,
    letter_batch_pdf_read,
    letter_batch_zip_read,
    letter_get_for_actor,
    letter_list_for_actor,
    letter_pdf_read,
)
from .services import follow_up_send, letter_batch_create


class LetterOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    kind = serializers.CharField()
    document_number = serializers.CharField()
    issued_on = serializers.DateField()
    recipient = RecipientRefSerializer()
    subject = serializers.CharField()
    deadline = serializers.SerializerMethodField()
    status = serializers.CharField()
    sha256 = serializers.CharField()
    batch = serializers.IntegerField(source="batch_id", allow_null=True)
    pdf = serializers.SerializerMethodField()

    def get_deadline(self, letter) -> dict | None:
        if letter.deadline_effective is None:
            return None
        return {"stated": letter.deadline_stated, "effective": letter.deadline_effective}

    def get_pdf(self, letter) -> str:
        return reverse("api:letter-pdf", args=[letter.pk])


class LetterListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        case = IdField(required=False)

    @extend_schema(
        operation_id="letters_list",
        parameters=[FilterSerializer, PageSerializer],
        responses=page_of(LetterOutputSerializer, "LetterPage"),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        letters = letter_list_for_actor(actor=request.user, case_id=filters.validated_data.get("case"))
        return paginate(request, letters, lambda letter: LetterOutputSerializer(letter).data)


class LetterPdfApi(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The letter")})
    def get(self, request, letter_id: int):
        letter = letter_get_for_actor(actor=request.user, letter_id=letter_id)
        return file_response(
            letter_pdf_read(letter=letter), content_type="application/pdf", filename=f"letter-{letter.pk}.pdf"
        )


class LetterBatchOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    letters = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    zip = serializers.SerializerMethodField()

    def get_letters(self, batch) -> list:
        return LetterOutputSerializer(letter_batch_letters(batch=batch), many=True).data

    def get_pdf(self, batch) -> str:
        return reverse("api:letter-batch-pdf", args=[batch.pk])

    def get_zip(self, batch) -> str:
        return reverse("api:letter-batch-zip", args=[batch.pk])


class LetterBatchCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        letters = serializers.ListField(child=IdField(), allow_empty=False, max_length=5000)

    @extend_schema(request=InputSerializer, responses={201: LetterBatchOutputSerializer})
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        batch = letter_batch_create(
            actor=request.user, letter_ids=payload.validated_data["letters"], title=payload.validated_data["title"]
        )
        return Response(LetterBatchOutputSerializer(batch).data, status=201)


class LetterBatchDetailApi(APIView):
    @extend_schema(responses=LetterBatchOutputSerializer)
    def get(self, request, batch_id: int):
        batch = letter_batch_get_for_actor(actor=request.user, batch_id=batch_id)
        return Response(LetterBatchOutputSerializer(batch).data)


class LetterBatchPdfApi(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="Every letter, merged")})
    def get(self, request, batch_id: int):
        batch = letter_batch_get_for_actor(actor=request.user, batch_id=batch_id)
        return file_response(
            letter_batch_pdf_read(batch=batch), content_type="application/pdf", filename=f"letter-batch-{batch.pk}.pdf"
        )


class LetterBatchZipApi(APIView):
    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(description="One PDF per recipient")})
    def get(self, request, batch_id: int):
        batch = letter_batch_get_for_actor(actor=request.user, batch_id=batch_id)
        return file_response(
            letter_batch_zip_read(batch=batch), content_type="application/zip", filename=f"letter-batch-{batch.pk}.zip"
        )


class FollowUpOutputSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="case_id")
    sent_on = serializers.DateField()
    letter = LetterOutputSerializer()


class CaseFollowUpApi(APIView):
    """Send a renewed request (再依頼) for an overdue case: 201 with its letter; 409 follow_up_not_overdue,
    follow_up_already_sent (one a case a day) or follow_up_wording_missing; 403; 404."""

    @extend_schema(request=None, responses={201: FollowUpOutputSerializer})
    def post(self, request, case_id: int):
        follow_up = follow_up_send(actor=request.user, case_id=case_id)
        return Response(FollowUpOutputSerializer(follow_up).data, status=201)
