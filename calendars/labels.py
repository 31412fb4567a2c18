"""Temporary: labels of schedules and letters until they move to their apps."""

from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import LetterKind, LetterStatus

_L0 = {
    "action": {
        "schedule_import": gettext_lazy("Schedule imported"),
        "schedule_version_create": gettext_lazy("Schedule added"),
        "schedule_version_update": gettext_lazy("Schedule changed"),
        "schedule_version_delete": gettext_lazy("Schedule deleted"),
        "schedule_step_create": gettext_lazy("Schedule step added"),
        "schedule_step_update": gettext_lazy("Schedule step changed"),
        "schedule_step_delete": gettext_lazy("Schedule step deleted"),
        "schedule_rollforward": gettext_lazy("Schedule rolled forward"),
        "closure_day_create": gettext_lazy("Closure day added"),
        "closure_day_update": gettext_lazy("Closure day changed"),
        "closure_day_delete": gettext_lazy("Closure day removed"),
    },
    "subject": {
        "schedule": pgettext_lazy("history subject", "Schedule"),
        "closure_day": gettext_lazy("Closure day"),
    },
}

_L1 = {
    "letter": dict(LetterKind.choices),
    "letter_status": dict(LetterStatus.choices),
    "action": {
        "letter_issue": gettext_lazy("Letter issued"),
        "letter_render": gettext_lazy("Letter PDF drawn and numbered"),
        "letter_batch_create": gettext_lazy("Letters grouped for sending"),
        "reminder_rule_create": gettext_lazy("Reminder rule added"),
        "reminder_rule_update": gettext_lazy("Reminder rule changed"),
        "reminder_rule_delete": gettext_lazy("Reminder rule removed"),
    },
    "subject": {
        "letter": gettext_lazy("Letter"),
        "letter_batch": gettext_lazy("Letter batch"),
        "reminder_rule": gettext_lazy("Reminder rule"),
    },
}

LABELS: dict = {}
for _part in (_L0, _L1):
    for _kind, _mapping in _part.items():
        LABELS.setdefault(_kind, {}).update(_mapping)
