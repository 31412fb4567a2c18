"""Schedule reads: the versions of a year, the one in force, its deadline steps, the file export."""

import json
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import QuerySet

from calendars.business_days import ClosureCache, next_business_day_on_or_after
from calendars.windows import Precision
from grants.catalogue import procedure_list
from grants.models import ProcedureYear
from grants.procedures import definition_full
from web.rows import shared_read

from ..catalogue import step_part_matches, sub_procedure_of
from ..errors import ScheduleNotFound
from ..models import STATUS_PRECEDENCE, ScheduleHeader, ScheduleStatus, ScheduleStep, ScheduleVersion, StepKind
from ..schedule_format import render_document, version_data_from_model


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
    # An undated source sorts below a dated one on every database (PostgreSQL puts NULL first when descending).
    as_of = models.F("as_of").desc(nulls_last=True)
    return versions.order_by("fiscal_year", "-precedence", as_of, "-created_at", "-pk")


def schedule_version_in_force(*, fiscal_year: int) -> ScheduleVersion | None:
    """The version a fiscal year runs on: as run, else the latest revision, else the latest plan, with its steps.

    None when the year has no schedule (or only a "missing" marker): its
    deadlines are then undecided until someone enters one. Inside
    ``web.rows.shared_reads`` (an act) it is read once: a request's deadline
    and its letter's note of where the deadline came from ask for it alike.
    """
    return shared_read(
        ("schedule_version_in_force", fiscal_year),
        lambda: schedule_version_list(fiscal_year=fiscal_year).exclude(status=ScheduleStatus.MISSING).first(),
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
    steps = sorted(version.steps.all(), key=lambda step: (step.position, step.pk))  # read with the version
    for step in steps:
        if step.stream != stream or step.sub_procedure != sub or not step_part_matches(step.part, part):
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


@dataclass(frozen=True)
class ProcedureDefinition:
    """One procedure's definition in a fiscal year: the whole definition cases copy, and its revision (None
    before the year was set up)."""

    stream: str
    procedure: str
    sub_procedure: str
    definition: dict
    revision: int | None


def procedure_definition_list(*, fiscal_year: int) -> list[ProcedureDefinition]:
    """Every procedure a case can follow, with its definition of the fiscal year (docs/domain.md).

    The definition in force is the one the year's procedure data holds (written from the schedule in force
    on every change); a procedure the schedule does not mention has its own defaults.
    """
    stored: dict[tuple[str, str], tuple[dict, int]] = {}
    for stream, procedure, definition, revision in ProcedureYear.objects.filter(fiscal_year_id=fiscal_year).order_by(
        "stream", "procedure", "part"
    ).values_list("stream", "procedure", "definition", "revision"):
        stored.setdefault((stream, procedure), (definition, revision))
    rows = []
    for spec in procedure_list():
        if spec.schedule_procedure is None:
            continue
        definition, revision = stored.get((spec.stream, spec.code), ({}, None))
        rows.append(
            ProcedureDefinition(
                stream=spec.stream,
                procedure=spec.code,
                sub_procedure=spec.schedule_procedure,
                definition=definition_full(spec.stream, spec.code, definition),
                revision=revision,
            )
        )
    return rows
