"""The one reading of a day written as YYYY-MM-DD, shared by the web forms' date fields
(``web.forms.PlainDateField``), the API's (``grants.api_fields.CalendarDateField``) and the steps' date fields
(``workflows.fields``): a day written as a date that the calendar does not have (2026-02-30, 2025-13-01) is
named as such, not refused as badly written."""

import re
from datetime import date

from django.utils.translation import gettext as _

_WRITTEN_AS_A_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", flags=re.ASCII)


def calendar_date(text: str) -> date | None:
    """The day ``text`` writes as YYYY-MM-DD; None when it is not written so (the caller says how to write
    one); a ValueError naming it when it is written so but the calendar has no such day."""
    text = text.strip()
    if _WRITTEN_AS_A_DAY.fullmatch(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("%(day)s is not a date in the calendar.") % {"day": text}) from None
