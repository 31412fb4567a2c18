"""The deadline a request fixes on a case (docs/domain.md#deadlines-and-roll-forward)."""

from datetime import date

from calendars.business_days import Deadline, deadline_from
from calendars.windows import window_deadline_day

from .selectors import schedule_deadline_step


def deadline_for_request(
    *, fiscal_year: int, stream: str, part: str, procedure: str, consultation: bool, override: date | None
) -> Deadline | None:
    """The stated and effective deadline of a request.

    An officer's date wins; otherwise the schedule in force gives it: the last
    business day of the deadline step's window. Either way a stated day on
    which the offices are closed moves to the next business day (art. 2).
    ``None`` means undecided (未定): the schedule has no dated deadline for
    this request, so the case has none and no reminder goes out.
    """
    if override is not None:
        return deadline_from(override)
    step = schedule_deadline_step(
        fiscal_year=fiscal_year, stream=stream, part=part, procedure=procedure, consultation=consultation
    )
    stated = window_deadline_day(step.precision, step.date_from, step.date_to) if step else None
    return deadline_from(stated) if stated else None
