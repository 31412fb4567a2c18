from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    """Low-level dates: eras, fiscal years, business days, closure days, document numbering, date windows."""

    name = "calendars"
    default_auto_field = "django.db.models.BigAutoField"
