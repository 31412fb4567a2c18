"""How pages name the inquiry register's codes: its statuses, its acts and its records in the history."""

from django.utils.translation import gettext_lazy

from .models import InquiryStatus

LABELS = {
    "inquiry_status": dict(InquiryStatus.choices),
    "action": {
        "inquiry_record": gettext_lazy("Inquiry recorded"),
        "inquiry_answer": gettext_lazy("Inquiry answered"),
    },
    "subject": {"inquiry": gettext_lazy("Inquiry")},
}
