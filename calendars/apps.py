from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    """Low-level dates: eras, fiscal years, business days, closure days, document numbering, date windows."""

    name = "calendars"
    verbose_name = _("Calendar data")
    default_auto_field = "django.db.models.BigAutoField"
