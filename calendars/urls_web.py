"""Web pages of the calendars app: the deadline calendar."""

from django.urls import path

from . import views_web

urlpatterns = [
    path("calendar/", views_web.deadline_calendar, name="calendar"),
]
