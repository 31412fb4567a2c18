"""Document numbers for outgoing letters: <prefix><MMDD>第<n>号, counted per day.

The prefix comes from settings (``BUREAU['document_prefix_ja']``), so a change
of the bureau's numbering scheme is configuration, not code.
"""

from datetime import date

from django.conf import settings
from django.db import transaction

from .models import DocumentSequence


def document_number_issue(*, on: date) -> str:
    """The next free document number of a day; call inside the act's transaction."""
    with transaction.atomic():
        sequence, _ = DocumentSequence.objects.select_for_update().get_or_create(day=on)
        sequence.last_serial += 1
        sequence.save(update_fields=["last_serial"])
    prefix = settings.BUREAU["document_prefix_ja"]
    return f"{prefix}{on:%m%d}第{sequence.last_serial}号"
