"""Return claims (返還): recording what a recipient pays back, and closing a claim once nothing is owed."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.access import authorize
from grants.history import history_append
from grants.limits import EARLIEST_DATE, LATEST_DATE
from web.errors import InvalidInput

from ..errors import ClaimClosed, Overpayment
from ..models import ReturnPayment
from ..selectors import return_claim_balance, return_claim_get_for_actor


@transaction.atomic(durable=True)
def return_claim_payment_record(
    *, actor, claim_id: int, amount: int, paid_on: date, reference: str = ""
) -> ReturnPayment:
    """Record money paid back on a claim, in date order up to today, never more than the principal and interest owed.

    ``reference`` is the receipt's reference (納付書番号, bank reference). The
    payment goes to the principal first (subsidy act art. 19(3)); interest on
    the part it pays stops on the day it is paid. A payment that leaves nothing
    owed closes the claim on its day; a closed claim takes no more payments.
    """
    claim = return_claim_get_for_actor(actor=actor, claim_id=claim_id, lock=True)
    authorize(
        actor, "payments.record_repayment", stream=claim.case.stream, prefecture=claim.recipient.prefecture_code,
        details={"claim": claim_id},
    )
    if claim.closed_on is not None:
        raise ClaimClosed(details={"claim": claim_id, "closed_on": claim.closed_on.isoformat()})
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(details={"amount": [_("Enter a whole number of yen.")]})
    if amount < 1:
        raise InvalidInput(details={"amount": [_("The amount paid back must be at least 1 yen.")]})
    if not EARLIEST_DATE <= paid_on <= LATEST_DATE:
        raise InvalidInput(
            details={
                "paid_on": [
                    _("Must be between %(earliest)s and %(latest)s.") % {"earliest": EARLIEST_DATE, "latest": LATEST_DATE}
                ]
            }
        )
    # Payments go in date order, so a mistyped future date would block every real payment after it.
    if paid_on > timezone.localdate():
        raise InvalidInput(details={"paid_on": [_("Must not be after today.")]})
    last = claim.payments.order_by("-paid_on").values_list("paid_on", flat=True).first()
    if paid_on < claim.noticed_on or (last is not None and paid_on < last):
        raise InvalidInput(
            details={"paid_on": [_("Payments are recorded in date order, from the claim's notice on.")]}
        )
    owed = return_claim_balance(claim=claim, as_of=paid_on).total_outstanding
    if amount > owed:
        raise Overpayment(details={"outstanding": owed, "amount": amount})
    reference = (reference or "").strip()
    if len(reference) > 100 or "\x00" in reference:
        raise InvalidInput(details={"reference": [_("At most 100 characters, no NUL.")]})
    payment = ReturnPayment(claim=claim, paid_on=paid_on, amount=amount, reference=reference, recorded_by=actor)
    payment.full_clean()
    payment.save()
    after = return_claim_balance(claim=claim, as_of=paid_on)
    if after.settled:
        claim.closed_on = paid_on
        claim.save(update_fields=["closed_on"])
    history_append(
        actor=actor,
        action="return_payment_record",
        subject_type="return_claim",
        subject_id=claim.pk,
        case=claim.case,
        data={
            "amount": amount,
            "paid_on": paid_on,
            "reference": reference,
            "outstanding_before": owed,
            "principal_outstanding": after.principal_outstanding,
            "interest_outstanding": after.interest_outstanding,
            "closed_on": claim.closed_on,
        },
    )
    return payment
