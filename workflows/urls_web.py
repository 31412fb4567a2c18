"""Web pages of case work: worklist, case page and its steps, approvals."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/", views.worklist, name="worklist"),
    path("cases/late-by-prefecture/", views.late_by_prefecture, name="late-by-prefecture"),
    path("cases/saved-filters/", views.saved_filter_create, name="saved-filter-create"),
    path("cases/saved-filters/<int:filter_id>/delete/", views.saved_filter_remove, name="saved-filter-delete"),
    path("cases/<id:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<id:case_id>/as-of/", views.case_as_of_page, name="case-as-of"),
    path("cases/<id:case_id>/steps/<str:name>/", views.case_transition_submit, name="case-step"),
    path("approvals/", views.approval_queue, name="approval-queue"),
    path("approvals/bulk/", views.bulk_approve, name="bulk-approve"),
    path("payment-runs/<id:run_id>/steps/<str:name>/", views.payment_run_step, name="payment-run-step"),
    path("bulk/submissions/", views.submission_import, name="submission-import"),
]
