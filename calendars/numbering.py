"""Document numbers for outgoing letters: <prefix><MMDD>第<n>号, counted per day.

The prefix comes from settings (``BUREAU['document_prefix_ja']``), so a change
of the bureau's numbering scheme is configuration, not code.
"""

from datetime import date
from functools import cache

from django.conf import settings
from django.db import connection

from web.rows import Rider, scalar_carrying

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
