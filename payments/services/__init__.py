"""Writes on money (``<noun>_<verb>(*, actor, ...)``, docs/architecture.md#layers), re-exported from one place."""

from .claims import return_claim_payment_record
from .fund_balances import FundBalanceRow, fund_balance_import
from .items import (
    RETURN_DUE_BUSINESS_DAYS, PaymentConsequences, payment_items_issue, payment_items_revoke, payment_plan_rider,
)
from .plans import payment_plans_load_defaults
from .runs import (
    payment_run_approve,
    payment_run_cancel,
    payment_run_create,
    payment_run_execute,
    payment_run_transition,
)

__all__ = [
    "RETURN_DUE_BUSINESS_DAYS",
    "FundBalanceRow",
    "PaymentConsequences",
    "fund_balance_import",
    "payment_items_issue",
    "payment_items_revoke",
    "payment_plan_rider",
    "payment_plans_load_defaults",
    "payment_run_approve",
    "payment_run_cancel",
    "payment_run_create",
    "payment_run_execute",
    "payment_run_transition",
    "return_claim_payment_record",
]
