"""API URLs of the schedules app, included under /api/."""

from django.urls import path

from . import api

urlpatterns = [
    path("calendar", api.CalendarApi.as_view(), name="calendar"),
    path("calendar.ics", api.CalendarFeedApi.as_view(), name="calendar-ics"),
    path("calendar/feed-token", api.CalendarFeedTokenApi.as_view(), name="calendar-feed-token"),
    path("schedules/<id:fiscal_year>", api.ScheduleApi.as_view(), name="schedule"),
]
