"""API URLs of the calendars app, included under /api/ (design §8)."""

from django.urls import path

from . import api

urlpatterns = [
    path("calendar", api.CalendarApi.as_view(), name="calendar"),
    path("calendar.ics", api.CalendarFeedApi.as_view(), name="calendar-ics"),
    path("calendar/feed-token", api.CalendarFeedTokenApi.as_view(), name="calendar-feed-token"),
    path("schedules/<id:fiscal_year>", api.ScheduleApi.as_view(), name="schedule"),
    path("letters", api.LetterListApi.as_view(), name="letters"),
    path("letters/<id:letter_id>.pdf", api.LetterPdfApi.as_view(), name="letter-pdf"),
    path("letter-batches", api.LetterBatchCreateApi.as_view(), name="letter-batches"),
    path("letter-batches/<id:batch_id>", api.LetterBatchDetailApi.as_view(), name="letter-batch"),
    path("letter-batches/<id:batch_id>.pdf", api.LetterBatchPdfApi.as_view(), name="letter-batch-pdf"),
    path("letter-batches/<id:batch_id>.zip", api.LetterBatchZipApi.as_view(), name="letter-batch-zip"),
]
