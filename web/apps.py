import gc

from django.apps import AppConfig


class WebConfig(AppConfig):
    """Shared web and API plumbing: page frame, template filters, error shape, pagination, parsers, middleware."""

    name = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .api_auth import connect_signals

        connect_signals()
        # Every model, app and library is loaded by now (Django imports all models before any ``ready``): move
        # them out of the garbage collector's sight. A full collection then walks what requests and acts
        # allocate, not the ~160,000 objects of start-up, which cost a pause of ~90 ms every few hundred acts
        # (docs/architecture.md, "Performance"). The standard library's own advice for long-running processes.
        gc.freeze()
