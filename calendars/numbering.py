"""Document numbers for outgoing letters: <prefix><MMDD>第<n>号, counted per day.

The prefix comes from settings (``BUREAU['document_prefix_ja']``), so a change
of the bureau's numbering scheme is configuration, not code.
"""

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction

from web.rows import scalar

from .models import DocumentSequence


def document_number_issue(*, on: date) -> str:
    """The next free document number of a day; call inside the act's transaction."""
    # The UPDATE takes the row lock, so concurrent issuers get consecutive serials (prepared: every notice runs it).
    table = DocumentSequence._meta.db_table
    bump = f"UPDATE {table} SET last_serial = last_serial + 1 WHERE day = %s RETURNING last_serial"
    serial = scalar(bump, [on])
    if serial is None:
        try:
            with transaction.atomic():
                DocumentSequence.objects.create(day=on, last_serial=1)
            serial = 1
        except IntegrityError:  # another issuer created the day's row first
            serial = scalar(bump, [on])
    prefix = settings.BUREAU["document_prefix_ja"]
    return f"{prefix}{on:%m%d}第{serial}号"
