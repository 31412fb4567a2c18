"""How pages name grants' codes: case states, streams, parts, procedures, roles, amounts, acts on cases and scopes."""

from django.utils.translation import gettext_lazy, pgettext_lazy

from .catalogue import part_choices, procedure_choices, stream_choices
from .models import CaseState, DeterminationKind, Role

LABELS = {
    "state": dict(CaseState.choices),
    # Registry codes: read when asked, since the stream modules register them.
    "stream": lambda: dict(stream_choices()),
    "part": lambda: dict(part_choices()),
    "procedure": lambda: dict(procedure_choices()),
    "role": dict(Role.choices),
    "determination": dict(DeterminationKind.choices),
    "action": {
        "create": gettext_lazy("Case opened"),
        "local_governments_load": gettext_lazy("Local governments loaded"),
        "budget_notice_record": gettext_lazy("Budget-obligation notice recorded"),
        "procedure_definition": gettext_lazy("Procedure definition of the year set"),
        "scope_create": gettext_lazy("Scope row added"),
        "scope_update": gettext_lazy("Scope row changed"),
        "scope_delete": gettext_lazy("Scope row removed"),
        "user_create": gettext_lazy("Account made"),
        "user_access_update": gettext_lazy("Roles or access changed"),
        "group_create": gettext_lazy("Role made"),
        "group_update": gettext_lazy("Role changed"),
        "group_delete": gettext_lazy("Role removed"),
    },
    "subject": {
        "case": gettext_lazy("Case"),
        "budget_notice": gettext_lazy("Budget-obligation notice"),
        "procedure_year": gettext_lazy("Procedure of a fiscal year"),
        "scope": gettext_lazy("Scope row"),
        "user": gettext_lazy("User account"),
        "group": gettext_lazy("Role (group)"),
    },
    "amount": {
        "consulted": gettext_lazy("Pre-consultation"),
        "presented": gettext_lazy("Presented (informal notice)"),
        "requested": pgettext_lazy("amount", "Requested"),
        "determined": gettext_lazy("Determined"),
        "current": gettext_lazy("Current (after changes)"),
        "settled": gettext_lazy("Settled"),
        "revoked": pgettext_lazy("amount", "Revoked"),
        "paid": gettext_lazy("Paid"),
    },
}
