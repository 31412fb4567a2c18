"""Reads of calendar data: schedules in force, the deadline calendar, letters (with scope)."""

import json
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery

from grants.catalogue import procedure_label_ja
from grants.errors import OutOfScope
from grants.models import AWAITING_RECIPIENT_STATES, OPEN_STATES, Case
from grants.roles import case_scope_q
from grants.selectors import case_get_for_actor, case_list_for_actor

from .business_days import (
    ClosureCache,
    add_business_days,
    deadline_from,
    is_business_day,
    next_business_day_on_or_after,
)
from .catalogue import case_procedure_of, step_part_matches, sub_procedure_of
from .eras import era_date
from .errors import LetterBatchNotFound, LetterNotFound, LetterNotRendered, ScheduleNotFound
from .fiscal import fiscal_year_of
from .models import (
    STATUS_PRECEDENCE,
    Letter,
    LetterBatch,
    LetterKind,
    LetterStatus,
    Reminder,
    ReminderRule,
    ScheduleHeader,
    ScheduleStatus,
    ScheduleStep,
    ScheduleVersion,
    StepKind,
)
from .pdf import merge_pdfs, zip_pdfs
from .schedule_format import render_document, version_data_from_model
from .windows import Precision, window_deadline_day

UNDECIDED_JA = "未定"
_AWAITING = [state.value for state in AWAITING_RECIPIENT_STATES]
_OPEN = [state.value for state in OPEN_STATES]


# ---------------------------------------------------------------- schedules


def schedule_version_list(*, fiscal_year: int | None = None) -> QuerySet[ScheduleVersion]:
    """Schedule versions with their steps, in force first within each fiscal year."""
    precedence = models.Case(
        *[models.When(status=status, then=models.Value(rank)) for status, rank in STATUS_PRECEDENCE.items()],
        default=models.Value(0),
        output_field=models.IntegerField(),
    )
    versions = ScheduleVersion.objects.annotate(precedence=precedence).prefetch_related("steps")
    if fiscal_year is not None:
        versions = versions.filter(fiscal_year=fiscal_year)
    return versions.order_by("fiscal_year", "-precedence", "-as_of", "-created_at", "-pk")


def schedule_version_in_force(*, fiscal_year: int) -> ScheduleVersion | None:
    """The version a fiscal year runs on: as run, else the latest revision, else the latest plan.

    None when the year has no schedule (or only a "missing" marker): its
    deadlines are then undecided until someone enters one.
    """
    return (
        schedule_version_list(fiscal_year=fiscal_year)
        .exclude(status=ScheduleStatus.MISSING)
        .first()
    )


def schedule_deadline_step(
    *, fiscal_year: int, stream: str, part: str, procedure: str, consultation: bool
) -> ScheduleStep | None:
    """The schedule's submission deadline for a request of this procedure, or None.

    A procedure's steps fall into rounds, each opened by a ``request`` step
    (FY2025 community support: 事前協議依頼 … 〆切, then 申請依頼 … 〆切). A
    pre-consultation answers the first round, an application the last; the
    round's first ``deadline`` step is the one.
    """
    version = schedule_version_in_force(fiscal_year=fiscal_year)
    sub = sub_procedure_of(stream, procedure)
    if version is None or sub is None:
        return None
    rounds: list[list[ScheduleStep]] = [[]]
    for step in version.steps.filter(stream=stream, sub_procedure=sub).order_by("position", "pk"):
        if not step_part_matches(step.part, part):
            continue
        if step.kind == StepKind.REQUEST and rounds[-1]:
            rounds.append([])
        rounds[-1].append(step)
    chosen = rounds[0] if consultation else rounds[-1]
    return next((step for step in chosen if step.kind == StepKind.DEADLINE), None)


def schedule_document(*, fiscal_year: int | None = None) -> dict:
    """The schedules of a fiscal year (of every year when None) in the file's format, ready to write.

    The header sections are those of the last imported file.
    """
    versions = ScheduleVersion.objects.prefetch_related("steps").order_by("fiscal_year", "pk")
    if fiscal_year is not None:
        versions = versions.filter(fiscal_year=fiscal_year)
        if not versions:
            raise ScheduleNotFound(details={"fiscal_year": fiscal_year})
    header = ScheduleHeader.objects.first()
    return render_document(json.loads(header.text) if header else None, [version_data_from_model(v) for v in versions])


def schedule_closed_exact_days(*, version: ScheduleVersion) -> list[tuple[ScheduleStep, date]]:
    """The version's exact days on which the offices are closed, each with the business day it rolls to."""
    closures = ClosureCache()
    rolled = []
    for step in version.steps.filter(precision=Precision.EXACT).order_by("date_to", "position"):
        effective = next_business_day_on_or_after(step.date_to, extra_closures=closures)
        if effective != step.date_to:
            rolled.append((step, effective))
    return rolled


# ---------------------------------------------------------------- the calendar


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
    def sort_key(self) -> tuple:
        return (self.effective or self.ends or self.starts or date.max, self.kind, self.title_ja)


@dataclass(frozen=True)
class Calendar:
    start: date
    end: date
    entries: list[CalendarEntry]
    undecided: list[CalendarEntry]


def _case_entry(case: Case, today: date) -> CalendarEntry:
    label = procedure_label_ja(case.stream, case.part, case.procedure)
    if case.deadline_effective is None:
        text, overdue = UNDECIDED_JA, False
    else:
        text = era_date(case.deadline_effective, weekday=True)
        overdue = case.state in _AWAITING and case.deadline_effective < today
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
        overdue=overdue,
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
        date_text_ja=step.date_text_ja or (UNDECIDED_JA if step.precision == Precision.UNDECIDED else ""),
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


def _step_in_range(step: ScheduleStep, start: date, end: date) -> bool:
    """Windows that overlap the range; an open window shows only on its one known day."""
    low, high = step.date_from or step.date_to, step.date_to or step.date_from
    return low is not None and low <= end and high >= start


def calendar_for_actor(
    *,
    actor,
    start: date,
    end: date,
    today: date,
    stream: str | None = None,
    prefecture: str | None = None,
    officer: str | None = None,
) -> Calendar:
    """Deadlines of the cases the actor may read and the schedule steps in force, from ``start`` to ``end``.

    Schedule steps are the bureau's, so only the stream filter applies to
    them. Cases still waiting for papers without a fixed deadline, and
    undecided schedule steps, are listed apart as 未定.
    """
    cases = case_list_for_actor(actor=actor, stream=stream, prefecture=prefecture, officer=officer)
    entries = [
        _case_entry(case, today)
        for case in cases.filter(state__in=_OPEN, deadline_effective__gte=start, deadline_effective__lte=end)
    ]
    years = range(fiscal_year_of(start) - 1, fiscal_year_of(end) + 1)  # a year's steps can fall in the next
    undecided = [
        _case_entry(case, today)
        for case in cases.filter(
            state__in=_AWAITING, deadline_effective__isnull=True, fiscal_year_id__gte=years[1], fiscal_year_id__lte=years[-1]
        )
    ]
    closures = ClosureCache()
    for year in years:
        version = schedule_version_in_force(fiscal_year=year)
        if version is None:
            continue
        for step in version.steps.all():
            if stream and step.stream != stream:
                continue
            if step.precision == Precision.UNDECIDED and year in years[1:]:
                undecided.append(_step_entry(step, year, closures))
            elif _step_in_range(step, start, end):
                entries.append(_step_entry(step, year, closures))
    return Calendar(
        start=start,
        end=end,
        entries=sorted(entries, key=lambda entry: entry.sort_key),
        undecided=sorted(undecided, key=lambda entry: (entry.fiscal_year, entry.kind, entry.title_ja)),
    )


# ---------------------------------------------------------------- letters


def letter_list_for_actor(*, actor, case_id: int | None = None) -> QuerySet[Letter]:
    """Letters of the cases the actor may read, newest first; for one case when ``case_id`` is given."""
    letters = Letter.objects.filter(case_scope_q(actor, prefix="case__")).select_related("recipient", "case", "batch")
    if case_id is not None:
        case = case_get_for_actor(actor=actor, case_id=case_id)
        letters = letters.filter(case=case)
    return letters.order_by("-issued_on", "-pk")


def letter_get_for_actor(*, actor, letter_id: int) -> Letter:
    """One letter; LetterNotFound, or OutOfScope when its case is outside the actor's scope."""
    try:
        letter = Letter.objects.select_related("recipient").get(pk=letter_id)
    except (Letter.DoesNotExist, ValueError, TypeError):
        raise LetterNotFound(details={"letter": letter_id}) from None
    case_get_for_actor(actor=actor, case_id=letter.case_id)
    return letter


def letter_batch_get_for_actor(*, actor, batch_id: int) -> LetterBatch:
    """One batch whose every letter the actor may read (a partial batch would mislead): 404 or 403 otherwise."""
    try:
        batch = LetterBatch.objects.get(pk=batch_id)
    except (LetterBatch.DoesNotExist, ValueError, TypeError):
        raise LetterBatchNotFound(details={"batch": batch_id}) from None
    if batch.letters.exclude(Q(case_scope_q(actor, prefix="case__"))).exists():
        raise OutOfScope(details={"batch": batch_id})
    return batch


def letter_batch_letters(*, batch: LetterBatch) -> QuerySet[Letter]:
    """The letters of a batch in a stable order: by prefecture and recipient code."""
    return batch.letters.select_related("recipient").order_by("recipient__prefecture_code", "recipient__code", "pk")


def letter_pdf_read(*, letter: Letter) -> bytes:
    """The stored PDF of a letter; LetterNotRendered while the background task has not drawn it."""
    if letter.status != LetterStatus.RENDERED:
        raise LetterNotRendered(details={"letter": letter.pk})
    with letter.pdf.open("rb") as stored:
        return stored.read()


def _batch_files(batch: LetterBatch) -> list[tuple[str, bytes]]:
    letters = list(letter_batch_letters(batch=batch))
    pending = [letter.pk for letter in letters if letter.status != LetterStatus.RENDERED]
    if pending:
        raise LetterNotRendered(details={"letters": pending})
    return [
        (f"{letter.recipient.code}_{letter.recipient.name_ja}.pdf".replace("/", "-"), letter_pdf_read(letter=letter))
        for letter in letters
    ]


def letter_batch_pdf_read(*, batch: LetterBatch) -> bytes:
    """The batch's letters as one PDF, for printing in one go."""
    return merge_pdfs([pdf for _, pdf in _batch_files(batch)])


def letter_batch_zip_read(*, batch: LetterBatch) -> bytes:
    """The batch's letters as a ZIP of one PDF per recipient."""
    return zip_pdfs(_batch_files(batch))


# ---------------------------------------------------------------- reminders


@dataclass(frozen=True)
class ReminderCandidate:
    case_id: int
    rule_id: int
    rule_code: str
    deadline_effective: date
    due_on: date


def reminder_candidates(*, on: date) -> list[ReminderCandidate]:
    """The reminders to produce on ``on``: per case still owing papers, the latest rule whose day has come.

    Earlier rules whose day has passed are not sent late (a catch-up after a
    missed run sends the one that is current), nor is a rule whose day came
    before the request letter itself went out. Reminders go out on business
    days only, so a run on a closed day finds nothing. Already produced
    reminders are left out here; the unique constraint on ``Reminder`` is what
    guarantees it when runs overlap.
    """
    closures = ClosureCache()
    rules = list(ReminderRule.objects.filter(is_active=True).order_by("offset_business_days"))
    if not rules or not is_business_day(on, extra_closures=closures):
        return []
    horizon = add_business_days(on, -rules[0].offset_business_days, extra_closures=closures)
    requested_on = (
        Letter.objects.filter(case=OuterRef("pk"), kind=LetterKind.REQUEST).order_by("-issued_on").values("issued_on")[:1]
    )
    cases = (
        Case.objects.filter(state__in=_AWAITING, deadline_effective__lte=horizon)
        .annotate(requested_on=Subquery(requested_on))
        .order_by("deadline_effective", "pk")
        .values_list("pk", "deadline_effective", "requested_on")
    )
    produced = set(
        Reminder.objects.filter(case__state__in=_AWAITING, case__deadline_effective__lte=horizon).values_list(
            "case_id", "rule_id", "deadline_effective"
        )
    )
    due_days: dict[tuple[date, int], date] = {}
    candidates = []
    for case_id, deadline, requested in cases:
        current = None
        for rule in rules:  # ascending offsets, so ascending days
            key = (deadline, rule.offset_business_days)
            if key not in due_days:
                due_days[key] = add_business_days(deadline, rule.offset_business_days, extra_closures=closures)
            if due_days[key] > on:
                break
            current = rule
        if current is None:
            continue
        due_on = due_days[(deadline, current.offset_business_days)]
        if (requested and due_on <= requested) or (case_id, current.pk, deadline) in produced:
            continue
        candidates.append(ReminderCandidate(case_id, current.pk, current.code, deadline, due_on))
    return candidates
