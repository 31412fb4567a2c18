"""The deadline calendar: case deadlines in the actor's scope and the schedule steps in force."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, Count, ExpressionWrapper

from calendars.business_days import ClosureCache, deadline_from, next_business_day_on_or_after
from calendars.eras import era_date
from calendars.fiscal import fiscal_year_of
from calendars.windows import UNDECIDED_JA, Precision, window_deadline_day, window_text_ja
from grants.access import streams_in_scope
from grants.catalogue import procedure_label_ja
from grants.models import AWAITING_RECIPIENT_STATES, DEADLINE_SPENT_STATES, OPEN_STATES, Case
from grants.selectors import case_list_for_actor, case_overdue_q

from ..catalogue import case_procedure_of, step_part_matches
from ..models import ScheduleStep, StepKind
from .schedules import schedule_version_in_force

_AWAITING = [state.value for state in AWAITING_RECIPIENT_STATES]
# open cases whose deadline still stands (a presented consultation's is spent)
_DUE = [state.value for state in OPEN_STATES - DEADLINE_SPENT_STATES]


@dataclass(frozen=True)
class CalendarEntry:
    """One thing on the deadline calendar: a case's deadline or a schedule step.

    ``starts``/``ends`` are the days it covers (both None when undecided);
    ``stated``/``effective`` are set for deadlines and for exact days, where
    the effective day is the stated one rolled forward to a business day.
    """

    kind: str  # "case_deadline" or "schedule_step"
    title_ja: str
    date_text_ja: str
    fiscal_year: int
    stream: str
    part: str
    procedure: str | None
    starts: date | None = None
    ends: date | None = None
    stated: date | None = None
    effective: date | None = None
    overdue: bool = False
    case: Case | None = None
    step: ScheduleStep | None = None

    @property
    def is_window(self) -> bool:
        """A schedule step shown by the days it covers (a month, 上旬, a range…), not by one day it falls due."""
        return self.kind == "schedule_step" and self.effective is None and self.starts is not None

    @property
    def sort_key(self) -> tuple:
        return (self.effective or self.ends or self.starts or date.max, self.kind, self.title_ja)


@dataclass(frozen=True)
class DeadlineGroup:
    """The case deadlines of one procedure falling due on one day: how many, and how many of them are overdue."""

    day: date
    stream: str
    part: str
    procedure: str
    count: int
    overdue: int


@dataclass(frozen=True)
class Calendar:
    start: date
    end: date
    entries: list[CalendarEntry]
    undecided: list[CalendarEntry]
    groups: list[DeadlineGroup] = field(default_factory=list)


def _case_entry(case: Case) -> CalendarEntry:
    """A case's deadline; ``case.is_overdue`` is annotated by ``calendar_for_actor``."""
    label = procedure_label_ja(case.stream, case.part, case.procedure)
    text = UNDECIDED_JA if case.deadline_effective is None else era_date(case.deadline_effective, weekday=True)
    return CalendarEntry(
        kind="case_deadline",
        title_ja=f"{case.recipient.name_ja}　{label}　提出期限",
        date_text_ja=text,
        fiscal_year=case.fiscal_year_id,
        stream=case.stream,
        part=case.part,
        procedure=case.procedure,
        starts=case.deadline_effective,
        ends=case.deadline_effective,
        stated=case.deadline_stated,
        effective=case.deadline_effective,
        overdue=bool(case.is_overdue),  # NULL (no deadline) is not overdue
        case=case,
    )


def _step_entry(step: ScheduleStep, fiscal_year: int, closures: ClosureCache) -> CalendarEntry:
    stated = effective = None
    if step.precision == Precision.EXACT:
        stated, effective = step.date_to, next_business_day_on_or_after(step.date_to, extra_closures=closures)
    elif step.kind == StepKind.DEADLINE:
        day = window_deadline_day(step.precision, step.date_from, step.date_to, extra_closures=closures)
        if day is not None:
            stated, effective = deadline_from(day, extra_closures=closures)
    return CalendarEntry(
        kind="schedule_step",
        title_ja=step.label_ja,
        date_text_ja=window_text_ja(step.precision, step.date_from, step.date_to),
        fiscal_year=fiscal_year,
        stream=step.stream,
        part=step.part,
        procedure=case_procedure_of(step.stream, step.sub_procedure),
        starts=step.date_from or step.date_to,
        ends=step.date_to or step.date_from,
        stated=stated,
        effective=effective,
        step=step,
    )


def _in_range(entry: CalendarEntry, start: date, end: date) -> bool:
    """A deadline or exact day on the day it falls due (as a case's deadline); else a window that overlaps the range.

    An open window shows only on its one known day.
    """
    if entry.effective is not None:
        return start <= entry.effective <= end
    return entry.starts is not None and entry.starts <= end and entry.ends >= start


def calendar_for_actor(
    *,
    actor,
    start: date,
    end: date,
    today: date,
    fiscal_year: int | None = None,
    stream: str | None = None,
    part: str | None = None,
    prefecture: str | None = None,
    officer: str | None = None,
    grouped: bool = False,
) -> Calendar:
    """Deadlines of the cases the actor may read and the schedule steps in force, from ``start`` to ``end``.

    Schedule steps are the bureau's, so only the actor's streams (``grants.access.streams_in_scope``) and the
    fiscal-year, stream and part filters apply to them (a step for no particular part matches every part).
    Cases still waiting for papers without a fixed deadline, and undecided
    schedule steps, are listed apart as 未定.

    ``grouped`` (the month view) counts the case deadlines in the database instead of
    listing them: ``groups`` holds one ``DeadlineGroup`` per day, stream, part and
    procedure, and ``entries`` the schedule steps only, so a month where every
    municipality's papers fall due on one day reads a few rows, not thousands.
    """
    cases = case_list_for_actor(
        actor=actor, fiscal_year=fiscal_year, stream=stream, part=part, prefecture=prefecture, officer=officer
    ).annotate(is_overdue=ExpressionWrapper(case_overdue_q(on=today), output_field=BooleanField()))
    due = cases.filter(state__in=_DUE, deadline_effective__gte=start, deadline_effective__lte=end)
    groups = _deadline_groups(due, today) if grouped else []
    entries = [] if grouped else [_case_entry(case) for case in due]
    years = range(fiscal_year_of(start) - 1, fiscal_year_of(end) + 1)  # a year's steps can fall in the next
    undecided = [
        _case_entry(case)
        for case in cases.filter(
            state__in=_AWAITING, deadline_effective__isnull=True, fiscal_year_id__gte=years[1], fiscal_year_id__lte=years[-1]
        )
    ]
    closures = ClosureCache()
    readable = streams_in_scope(actor)
    for year in years:
        version = None if fiscal_year not in (None, year) else schedule_version_in_force(fiscal_year=year)
        if version is None:
            continue
        for step in version.steps.all():
            if (
                (readable is not None and step.stream not in readable)
                or (stream and step.stream != stream)
                or (part is not None and not step_part_matches(step.part, part))
            ):
                continue
            if step.precision == Precision.UNDECIDED:
                if year in years[1:]:
                    undecided.append(_step_entry(step, year, closures))
            elif _in_range(entry := _step_entry(step, year, closures), start, end):
                entries.append(entry)
    return Calendar(
        start=start,
        end=end,
        entries=sorted(entries, key=lambda entry: entry.sort_key),
        undecided=sorted(undecided, key=lambda entry: (entry.fiscal_year, entry.kind, entry.title_ja)),
        groups=groups,
    )


def _deadline_groups(cases, today: date) -> list[DeadlineGroup]:
    """``cases`` counted per effective deadline, stream, part and procedure, with the overdue among them."""
    rows = (
        cases.order_by()
        .values("deadline_effective", "stream", "part", "procedure")
        .annotate(count=Count("pk"), overdue=Count("pk", filter=case_overdue_q(on=today)))
        .order_by("deadline_effective", "stream", "part", "procedure")
    )
    return [
        DeadlineGroup(
            day=row["deadline_effective"], stream=row["stream"], part=row["part"], procedure=row["procedure"],
            count=row["count"], overdue=row["overdue"],
        )
        for row in rows
    ]
