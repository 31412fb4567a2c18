from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Payment plans, payable items, payment runs, return claims, fund balances and money rules."""

    name = "payments"
    default_auto_field = "django.db.models.BigAutoField"
