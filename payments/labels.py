"""How pages name payments' acts, subjects and payment-run states in the history."""

from django.utils.translation import gettext_lazy

from .models import PaymentRunState, ReturnReason

LABELS = {
    "payment_run_state": dict(PaymentRunState.choices),
    # a return claim's record keeps its reason as a code (``reason_label``)
    "return_claim_reason": dict(ReturnReason.choices),
    # A run's steps share their codes with a case's (approve): the history names them by their subject first.
    "payment_run_action": {
        "approve": gettext_lazy("Payment run approved"),
        "execute": gettext_lazy("Payment run executed"),
        "cancel": gettext_lazy("Payment run cancelled"),
    },
    "action": {
        "payment_plans_load": gettext_lazy("Tranche plans loaded"),
        "payment_run_create": gettext_lazy("Payment run drafted"),
        "return_claim_issue": gettext_lazy("Return claim issued"),
        "return_payment_record": gettext_lazy("Return payment recorded"),
        "fund_balance_import": gettext_lazy("Fund balances imported"),
    },
    "subject": {
        "payment_plan": gettext_lazy("Tranche plan"),
        "payment_run": gettext_lazy("Payment run"),
        "return_claim": gettext_lazy("Return claim"),
        "fund_balance": gettext_lazy("Fund balance"),
    },
}
