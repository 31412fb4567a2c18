"""Web pages of the letters app: letter PDFs, letter batches and the bulk request that batches its letters."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<id:case_id>/follow-up/", views.case_follow_up, name="case-follow-up"),
    path("bulk/request/", views.bulk_request, name="bulk-request"),
    path("bulk/request/summary/", views.bulk_request_summary, name="bulk-request-summary"),
    path("letters/<id:letter_id>.pdf", views.letter_pdf, name="letter-pdf"),
    path("letters/batches/<id:batch_id>.pdf", views.letter_batch_file, {"fmt": "pdf"}, name="letter-batch-pdf"),
    path("letters/batches/<id:batch_id>.zip", views.letter_batch_file, {"fmt": "zip"}, name="letter-batch-zip"),
    path("payment-runs/<id:run_id>/notices.pdf", views.payment_run_notices, name="payment-run-notices"),
]
