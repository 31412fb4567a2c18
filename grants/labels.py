"""How pages name grants' codes: case states, streams, parts, procedures, roles, amounts, acts on cases."""

from django.utils.translation import gettext_lazy, pgettext_lazy

from .catalogue import Part, Procedure, Stream
from .models import CaseState, DeterminationKind, Role

LABELS = {
    "state": dict(CaseState.choices),
    "stream": dict(Stream.choices),
    "part": dict(Part.choices),
    "procedure": dict(Procedure.choices),
    "role": dict(Role.choices),
    "determination": dict(DeterminationKind.choices),
    "action": {
        "create": gettext_lazy("Case opened"),
        "budget_notice_record": gettext_lazy("Budget-obligation notice recorded"),
        "payment_plans_load": gettext_lazy("Tranche plans loaded"),
        "payment_run_create": gettext_lazy("Payment run drafted"),
        "execute": gettext_lazy("Payment run executed"),
        "return_claim_issue": gettext_lazy("Return claim issued"),
        "return_payment_record": gettext_lazy("Return payment recorded"),
        "fund_balance_import": gettext_lazy("Fund balances imported"),
    },
    "subject": {
        "case": gettext_lazy("Case"),
        "budget_notice": gettext_lazy("Budget-obligation notice"),
        "payment_plan": gettext_lazy("Tranche plan"),
        "payment_run": gettext_lazy("Payment run"),
        "return_claim": gettext_lazy("Return claim"),
        "fund_balance": gettext_lazy("Fund balance"),
    },
    "amount": {
        "consulted": gettext_lazy("Pre-consultation"),
        "presented": gettext_lazy("Presented (informal notice)"),
        "requested": pgettext_lazy("amount", "Requested"),
        "determined": gettext_lazy("Determined"),
        "current": gettext_lazy("Current (after changes)"),
        "settled": gettext_lazy("Settled"),
    },
}
