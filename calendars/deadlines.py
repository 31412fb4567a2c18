"""The deadline a request fixes on a case (design §4)."""

from datetime import date

from .business_days import Deadline, deadline_from


def deadline_for_request(
    *, fiscal_year: int, stream: str, part: str, procedure: str, consultation: bool, override: date | None
) -> Deadline | None:
    """The stated and effective deadline of a request.

    An officer's date wins; otherwise the schedule step of the procedure gives
    it. ``None`` means undecided (未定): the case has no deadline and no
    reminder is sent.
    """
    if override is not None:
        return deadline_from(override)
    return None
