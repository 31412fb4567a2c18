"""How pages name letters' kinds and states and the acts on letters and reminder rules."""

from django.utils.translation import gettext_lazy

from .models import LetterKind, LetterStatus

LABELS = {
    "letter": dict(LetterKind.choices),
    "letter_status": dict(LetterStatus.choices),
    "action": {
        "follow_up": gettext_lazy("Renewed request sent (再依頼)"),
        "letter_issue": gettext_lazy("Letter issued"),
        "letter_render": gettext_lazy("Letter PDF drawn and numbered"),
        "letter_batch_create": gettext_lazy("Letters grouped for sending"),
        "reminder_rule_create": gettext_lazy("Reminder rule added"),
        "reminder_rule_update": gettext_lazy("Reminder rule changed"),
        "reminder_rule_delete": gettext_lazy("Reminder rule removed"),
        "recipient_addressee_update": gettext_lazy("Addressee changed"),
    },
    "subject": {
        "letter": gettext_lazy("Letter"),
        "letter_batch": gettext_lazy("Letter batch"),
        "reminder_rule": gettext_lazy("Reminder rule"),
        "recipient": gettext_lazy("Recipient"),
    },
}
