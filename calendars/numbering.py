"""Document numbers for outgoing letters: <prefix><MMDD>第<n>号, counted per day.

The prefix comes from settings (``BUREAU['document_prefix_ja']``), so a change
of the bureau's numbering scheme is configuration, not code.
"""

import re
import unicodedata
from datetime import date
from functools import cache

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from web.errors import InvalidInput
from web.rows import Rider, scalar_carrying

from .eras import day_text
from .models import DocumentSequence


def document_number_issue(*, on: date, rider: Rider | None = None) -> str:
    """The next free document number of a day; call inside the act's transaction.

    ``rider``: a read of the act that goes in the same statement (``web.rows.scalar_carrying``; a notice's tranche
    plan). The statement may wait for the day's row: the read sees the database as it was before that wait."""
    # One statement whether or not the day has a row yet (prepared: every notice runs it). The row it writes stays
    # locked to COMMIT, so concurrent issuers get consecutive serials; two first issuers of a day do not both
    # insert (ON CONFLICT waits for the other and then counts on).
    serial = scalar_carrying(_issue_sql(connection.vendor), [on], rider)
    prefix = settings.BUREAU["document_prefix_ja"]
    return f"{prefix}{on.month:02d}{on.day:02d}第{serial}号"


@cache
def _issue_sql(vendor: str) -> str:
    table = connection.ops.quote_name(DocumentSequence._meta.db_table)
    return (
        f"INSERT INTO {table} (day, last_serial) VALUES (%s, 1) "
        f"ON CONFLICT (day) DO UPDATE SET last_serial = {table}.last_serial + 1 RETURNING last_serial"
    )


#: The highest serial a day's number may carry when given by hand (the count issues far fewer: a typo beyond it
#: would stop the day's count, or skip thousands of numbers).
MAX_SERIAL = 9_999


def document_number_typed(number: str) -> str:
    """A number as typed, in the form the register keeps it: full-width digits and letters as half-width (NFKC),
    spaces around it removed."""
    return unicodedata.normalize("NFKC", number).strip()


def document_number_claim(*, number: str, on: date) -> None:
    """A number given by hand to a letter of day ``on`` (a notice entered from paper, a number from the bureau's
    register; ``document_number_typed`` first), inside the act's transaction. In the bureau's own form
    (``<prefix><MMDD>第<n>号``) its MMDD must be ``on``'s and its ``n`` at most ``MAX_SERIAL``, else InvalidInput
    naming ``document_number``; and the day's count moves up to its ``n``, so the numbers issued after it go on
    from there and never give it again. A number in another form is taken as it is."""
    own = re.fullmatch(re.escape(settings.BUREAU["document_prefix_ja"]) + r"([0-9]{2})([0-9]{2})第([0-9]+)号", number)
    if own is None:
        return
    month, day, serial = (int(part) for part in own.groups())
    if not 1 <= serial <= MAX_SERIAL:
        message = _("%(number)s: a day's numbers go up to %(most)s.") % {"number": number, "most": f"{MAX_SERIAL:,}"}
        raise InvalidInput(message, details={"document_number": [message]})
    if (month, day) != (on.month, on.day):
        message = _("%(number)s is numbered for %(month)d/%(day)d, not for the letter's day (%(on)s).") % {
            "number": number, "month": month, "day": day, "on": day_text(on),
        }
        raise InvalidInput(message, details={"document_number": [message]})
    # the day's row, then its count raised to the serial (the UPDATE takes the row's lock, as issuing does)
    DocumentSequence.objects.get_or_create(day=on)
    DocumentSequence.objects.filter(day=on, last_serial__lt=serial).update(last_serial=serial)
