"""Errors of the payment services, with the API code and status each maps to."""

from django.utils.translation import gettext_lazy as _

from grants.errors import OutOfScope
from web.errors import Conflict, InvalidInput, NotFound, PermissionDenied

RUN_EMPTY_MESSAGE = _("The run has no items left to pay.")
#: Formatted with the run's date.
RUN_NOT_DUE_MESSAGE = _("A payment run is not executed before its date ({run_on}).")
#: Formatted with prefecture (name and code), the two fiscal years and both amounts.
DISCONTINUITY_MESSAGE = _(
    "{prefecture}: the closing balance of FY{year} ({closing:,} yen) differs from the opening balance "
    "of FY{next_year} ({opening:,} yen)."
)
#: Formatted with prefecture (name and code), the fiscal year and both amounts.
ARITHMETIC_MESSAGE = _(
    "{prefecture} FY{year}: opening + contributions + interest − spending is {expected:,} yen, "
    "but the closing balance is {closing:,} yen."
)


class PaymentRunNotFound(NotFound):
    code = "payment_run_not_found"
    default_message = _("No such payment run.")


class ReturnClaimNotFound(NotFound):
    code = "return_claim_not_found"
    default_message = _("No such return claim.")


class UnknownRunTransition(NotFound):
    code = "unknown_transition"
    default_message = _("A payment run has no step of that name.")


class RunTransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    default_message = _("This step is not possible from the payment run's current state.")


class RunConditionUnmet(Conflict):
    code = "condition_unmet"
    default_message = _("A condition for this step is not met.")


class RunFourEyesViolation(PermissionDenied):
    code = "four_eyes"
    default_message = _("The person who drafted a payment run cannot approve it.")


class RunExecutorIsApprover(PermissionDenied):
    code = "four_eyes"
    default_message = _("The person who approved a payment run cannot execute it.")


class RunOutOfScope(OutOfScope):
    """A run's step acts on every item of the run: it is for someone whose scope covers them all."""

    default_message = _(
        "This payment run holds items outside the streams and prefectures assigned to you; "
        "its steps act on every item, so they are for someone whose scope covers them all."
    )


class EmptyRunNotYours(OutOfScope):
    default_message = _("A payment run with no items is for the person who drafted it or a bureau-wide user.")


class RunNotDue(Conflict):
    code = "run_not_due"
    default_message = _("A payment run is not executed before its date.")


class NothingToPay(Conflict):
    code = "nothing_to_pay"
    default_message = _("No unpaid payment item is due by this date.")


class ItemAlreadyPaid(Conflict):
    code = "already_paid"
    default_message = _("An item of this run has already been paid by another run.")


class Overpayment(InvalidInput):
    code = "overpayment"
    default_message = _("This payment is more than the claim's outstanding principal and interest.")


class ClaimClosed(Conflict):
    code = "claim_closed"
    default_message = _("This return claim is closed: nothing is owed on it.")


class FundBalanceDiscontinuity(InvalidInput):
    code = "fund_balance_discontinuity"


class FundBalanceArithmetic(InvalidInput):
    code = "fund_balance_arithmetic"
