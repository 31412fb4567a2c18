"""API URLs of the letters app, included under /api/."""

from django.urls import path

from . import api

urlpatterns = [
    path("letters", api.LetterListApi.as_view(), name="letters"),
    path("letters/<id:letter_id>.pdf", api.LetterPdfApi.as_view(), name="letter-pdf"),
    path("cases/<id:case_id>/follow-ups", api.CaseFollowUpApi.as_view(), name="case-follow-ups"),
    path("letter-batches", api.LetterBatchCreateApi.as_view(), name="letter-batches"),
    path("letter-batches/<id:batch_id>", api.LetterBatchDetailApi.as_view(), name="letter-batch"),
    path("letter-batches/<id:batch_id>.pdf", api.LetterBatchPdfApi.as_view(), name="letter-batch-pdf"),
    path("letter-batches/<id:batch_id>.zip", api.LetterBatchZipApi.as_view(), name="letter-batch-zip"),
]
