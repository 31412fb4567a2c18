"""Administrators' addressees of working letters: each prefecture's responsible division head, each edit in the history.

Working letters (依頼, 再依頼, 事務連絡) go to the division head named here
(e.g. 埼玉県福祉部地域包括ケア課長). Only the addressee line is edited here;
the rest of a recipient is reference data.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from grants.access import authorize, may
from grants.history import history_append
from grants.models import Recipient
from web.errors import InvalidInput

#: The placeholder the early data carried instead of a named division: never printed on a letter.
PLACEHOLDER = "主管部（局）長"


def addressee_problems(line: str) -> list[str]:
    """What is wrong with an addressee line (empty, a placeholder, too long); none when it is fine."""
    if not line:
        return [_("Name the division head letters go to.")]
    if PLACEHOLDER in line:
        return [_("Name the division head itself, not a placeholder such as 主管部（局）長.")]
    if len(line) > Recipient._meta.get_field("addressee_ja").max_length:
        return [_("This text is too long.")]
    return []


#: Administrators (and the system user): the letter-facing lines of recipients; their codes, names and
#: kinds come from the national list (``grants.local_governments``) and are never edited by hand.
EDIT_RECIPIENT = "grants.change_recipient"


def may_edit_addressees(user) -> bool:
    """Whether ``user`` may change recipients' addressee lines (``grants.change_recipient``)."""
    return may(user, EDIT_RECIPIENT)


@transaction.atomic
def recipient_addressee_save(*, actor, recipient_id: int, addressee_ja: str) -> Recipient:
    """Set the addressee line of a recipient's working letters; the record keeps the line before and after."""
    authorize(actor, EDIT_RECIPIENT)
    recipient = Recipient.objects.select_for_update().get(pk=recipient_id)
    line = (addressee_ja or "").strip()
    problems = addressee_problems(line)
    if problems:
        raise InvalidInput(details={"addressee_ja": problems})
    before = recipient.addressee_ja
    if before == line:
        return recipient
    recipient.addressee_ja = line
    recipient.save(update_fields=["addressee_ja"])
    history_append(
        actor=actor,
        action="recipient_addressee_update",
        subject_type="recipient",
        subject_id=recipient.code,
        recipient=recipient,
        data={"before": before, "after": line},
    )
    return recipient
