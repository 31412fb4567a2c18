from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    """Inquiries (疑義照会): prefectures' and municipalities' questions on grant administration and the
    bureau's answers (docs/domain.md#inquiries)."""

    name = "inquiries"
    default_auto_field = "django.db.models.BigAutoField"
