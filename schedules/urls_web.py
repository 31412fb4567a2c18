"""Web pages of the schedules app: deadline calendar, its iCalendar link, schedule editor."""

from django.urls import path

from . import views

urlpatterns = [
    path("calendar/", views.deadline_calendar, name="calendar"),
    path("calendar/link/rotate/", views.calendar_feed_rotate, name="calendar-feed-rotate"),
    path("calendar/link/revoke/", views.calendar_feed_revoke, name="calendar-feed-revoke"),
    path("schedules/", views.schedule_editor_current, name="schedules"),
    path("schedules/<id:fiscal_year>/", views.schedule_editor, name="schedule-editor"),
    path("schedules/<id:fiscal_year>/definitions/", views.schedule_definitions, name="schedule-definitions"),
    path("schedules/<id:fiscal_year>/roll-forward/", views.schedule_roll_forward, name="schedule-roll-forward"),
]
