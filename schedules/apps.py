from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    """Fiscal-year schedules, deadlines from a schedule step, the calendar pages and iCalendar feed."""

    name = "schedules"
    verbose_name = _("Schedules")
    default_auto_field = "django.db.models.BigAutoField"
