from django.apps import AppConfig


class WebConfig(AppConfig):
    """Shared web and API plumbing: page frame, template filters, error shape, pagination, parsers, middleware."""

    name = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .api_auth import connect_signals

        connect_signals()
