"""How pages name the acts on schedules and closure days in the history."""

from django.utils.translation import gettext_lazy, pgettext_lazy

LABELS = {
    "action": {
        "schedule_import": gettext_lazy("Schedule imported"),
        "schedule_version_create": gettext_lazy("Schedule added"),
        "schedule_version_update": gettext_lazy("Schedule changed"),
        "schedule_version_delete": gettext_lazy("Schedule deleted"),
        "schedule_step_create": gettext_lazy("Schedule step added"),
        "schedule_step_update": gettext_lazy("Schedule step changed"),
        "schedule_step_delete": gettext_lazy("Schedule step deleted"),
        "schedule_rollforward": gettext_lazy("Schedule rolled forward"),
        "schedule_definition": gettext_lazy("Procedure definition edited in the schedule"),
        "closure_day_create": gettext_lazy("Closure day added"),
        "closure_day_update": gettext_lazy("Closure day changed"),
        "closure_day_delete": gettext_lazy("Closure day removed"),
    },
    "subject": {
        "schedule": pgettext_lazy("history subject", "Schedule"),
        "closure_day": gettext_lazy("Closure day"),
    },
}
