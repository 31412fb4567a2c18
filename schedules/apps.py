from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    """Fiscal-year schedules, deadlines from a schedule step, the calendar pages and iCalendar feed."""

    name = "schedules"
    default_auto_field = "django.db.models.BigAutoField"
