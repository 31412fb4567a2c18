"""API routes of the inquiry register; included under /api/ by ``config.urls``."""

from django.urls import path

from . import api

urlpatterns = [
    path("inquiries", api.InquiryListApi.as_view(), name="inquiries"),
    path("inquiries/<id:inquiry_id>", api.InquiryDetailApi.as_view(), name="inquiry-detail"),
    path("inquiries/<id:inquiry_id>/answer", api.InquiryAnswerApi.as_view(), name="inquiry-answer"),
]
