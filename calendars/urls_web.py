"""Web pages of the calendars app: deadline calendar, its iCalendar link, letters, schedule editor."""

from django.urls import path

from . import views_web

urlpatterns = [
    path("calendar/", views_web.deadline_calendar, name="calendar"),
    path("calendar/link/rotate/", views_web.calendar_feed_rotate, name="calendar-feed-rotate"),
    path("calendar/link/revoke/", views_web.calendar_feed_revoke, name="calendar-feed-revoke"),
    path("letters/<id:letter_id>.pdf", views_web.letter_pdf, name="letter-pdf"),
    path("letters/batches/<id:batch_id>.pdf", views_web.letter_batch_file, {"fmt": "pdf"}, name="letter-batch-pdf"),
    path("letters/batches/<id:batch_id>.zip", views_web.letter_batch_file, {"fmt": "zip"}, name="letter-batch-zip"),
    path("schedules/", views_web.schedule_editor_current, name="schedules"),
    path("schedules/<id:fiscal_year>/", views_web.schedule_editor, name="schedule-editor"),
    path("schedules/<id:fiscal_year>/roll-forward/", views_web.schedule_roll_forward, name="schedule-roll-forward"),
]
