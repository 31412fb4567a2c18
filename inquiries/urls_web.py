"""Web pages of the inquiry register."""

from django.urls import path

from . import views

urlpatterns = [
    path("inquiries/", views.inquiry_list, name="inquiries"),
    path("inquiries/new", views.inquiry_create, name="inquiry-create"),
    path("inquiries/export.csv", views.inquiry_export, name="inquiry-export"),
    path("inquiries/<id:inquiry_id>/", views.inquiry_detail, name="inquiry-detail"),
]
