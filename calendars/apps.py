from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # grants may not import calendars (design §2): calendars hands the run service its payment notices.
        from payments.services import AFTER_EXECUTE_HOOKS

        from .services.payment_notices import payment_notices_after_execute

        if payment_notices_after_execute not in AFTER_EXECUTE_HOOKS:  # ready() may run more than once
            AFTER_EXECUTE_HOOKS.append(payment_notices_after_execute)
