"""Writes on schedules: import, supervisors' edits, roll-forward into a new year.

Every change writes one history record (subject ``schedule``, the version's
id); a save that changes nothing writes nothing. These services run inside
the admin's own transaction too, so they are plain ``atomic`` blocks.
"""

import json
import re
from dataclasses import replace

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from calendars.eras import shift_era_years
from calendars.windows import shift_window_day
from grants.access import authorize, may
from grants.history import history_append
from grants.procedures import definition_problems
from grants.services import procedure_year_define
from grants.limits import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR
from web.errors import InvalidInput

from ..errors import ScheduleInvalid, ScheduleNotFound, ScheduleVersionExists
from ..catalogue import case_procedure_of
from ..models import ScheduleHeader, ScheduleStatus, ScheduleStep, ScheduleVersion
from ..schedule_format import StepData, VersionData, parse_document, render_version, version_data_from_model
from ..selectors import schedule_version_in_force
from .edits import edit_save

SUBJECT = "schedule"
STEP_FIELDS = (
    "stream", "sub_procedure", "position", "key", "label_ja", "label_en", "kind", "actor", "part",
    "precision", "date_from", "date_to", "date_text_ja", "source", "extra",
)  # fmt: skip
VERSION_FIELDS = ("fiscal_year", "status", "as_of", "source_doc", "outline", "extra")
# Attributes of a sub-procedure that name a fiscal year and move with the schedule.
YEAR_ATTRIBUTES = ("settles_fiscal_year", "reports_on_fiscal_year")
_FY_MENTION = re.compile(r"\bFY(\d{4})\b")


def may_edit_schedules(user) -> bool:
    """``schedules.edit_schedule``: supervisors, and the system user for operators at the command line."""
    return may(user, "schedules.edit_schedule")


def schedule_editor_require(*, actor) -> None:
    """PermissionDenied unless the actor may edit schedules; the API asks before it reads a document."""
    authorize(actor, "schedules.edit_schedule")


def _record(*, actor, version: ScheduleVersion, action: str, data: dict) -> None:
    history_append(
        actor=actor,
        action=action,
        subject_type=SUBJECT,
        subject_id=version.key,
        fiscal_year=version.fiscal_year,
        data={"version": version.key, **data},
    )


def _step_paths(steps: list[StepData]) -> dict[str, StepData]:
    return {step.path: step for step in steps}


def _changes(before: VersionData | None, after: VersionData) -> dict:
    """What an import or roll-forward changed, step by step (by stream/sub-procedure/key)."""
    old, new = _step_paths(before.steps if before else []), _step_paths(after.steps)
    return {
        "created": before is None,
        "fiscal_year": after.fiscal_year,
        "status": after.status,
        "steps": len(after.steps),
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "changed": sorted(path for path in set(old) & set(new) if old[path] != new[path]),
    }


def _version_store(*, actor, data: VersionData, action: str, record: dict | None = None) -> ScheduleVersion:
    version = ScheduleVersion.objects.select_for_update().filter(key=data.key).first()
    if version is not None and version.fiscal_year != data.fiscal_year:
        # Replacing by id must never move another year's schedule (a concurrent import created it since the check).
        raise ScheduleVersionExists(details={"id": data.key, "fiscal_year": version.fiscal_year})
    before = version_data_from_model(version) if version else None
    if before == data:
        return version
    version = version or ScheduleVersion(key=data.key)
    for name in VERSION_FIELDS:
        setattr(version, name, getattr(data, name))
    version.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:  # a concurrent import or roll-forward created this id first (a double-submitted form)
        raise ScheduleVersionExists(details={"id": data.key}) from None
    version.steps.all().delete()
    ScheduleStep.objects.bulk_create(
        [ScheduleStep(version=version, position=index, **step.columns()) for index, step in enumerate(data.steps)]
    )
    _record(actor=actor, version=version, action=action, data={**_changes(before, data), **(record or {})})
    definitions_sync(actor=actor, fiscal_year=version.fiscal_year)
    return version


def definitions_sync(*, actor, fiscal_year: int) -> None:
    """Write the procedure definitions of the year's schedule in force (each sub-procedure's ``definition``)
    as the year's procedure data; a sub-procedure without one gives its procedure the procedure's defaults."""
    version = schedule_version_in_force(fiscal_year=fiscal_year)
    if version is None:
        return
    for item in version.outline:
        for sub in item["sub_procedures"]:
            procedure = case_procedure_of(item["stream"], sub["key"])
            if procedure is None:
                continue
            procedure_year_define(
                actor=actor,
                fiscal_year=fiscal_year,
                stream=item["stream"],
                procedure=procedure,
                definition=sub["attributes"].get("definition") or {},
                schedule=version.key,
            )


@transaction.atomic
def schedule_definition_save(*, actor, version: ScheduleVersion, stream: str, sub_procedure: str, definition: dict):
    """Edit one sub-procedure's procedure definition in a schedule version (audited like any schedule edit)."""
    schedule_editor_require(actor=actor)
    problems = definition_problems(definition)
    if problems:
        raise ScheduleInvalid(
            details={f"definition.{name}" if name else "definition": texts for name, texts in problems.items()}
        )
    if case_procedure_of(stream, sub_procedure) is None:
        raise InvalidInput(details={"sub_procedure": [_("No case follows this sub-procedure.")]})
    outline = json.loads(json.dumps(version.outline))
    entry = next((item for item in outline if item["stream"] == stream), None)
    if entry is None:
        entry = {"stream": stream, "attributes": {}, "sub_procedures": []}
        outline.append(entry)
    sub = next((item for item in entry["sub_procedures"] if item["key"] == sub_procedure), None)
    if sub is None:
        sub = {"key": sub_procedure, "attributes": {}}
        entry["sub_procedures"].append(sub)
    before = sub["attributes"].get("definition")
    if before == definition:
        return version
    sub["attributes"]["definition"] = definition
    version.outline = outline
    version.save(update_fields=["outline", "updated_at"])
    _record(
        actor=actor,
        version=version,
        action="schedule_definition",
        data={"sub_procedure": f"{stream}/{sub_procedure}", "before": before, "after": definition},
    )
    definitions_sync(actor=actor, fiscal_year=version.fiscal_year)
    return version


def _refuse_other_years_versions(versions: list[VersionData]) -> None:
    """A version id already held by another fiscal year is an error at its place: an import replaces, never moves.

    The rows found are locked, so their year cannot change before the import writes.
    """
    years = dict(
        ScheduleVersion.objects.select_for_update()
        .filter(key__in=[data.key for data in versions])
        .values_list("key", "fiscal_year")
    )
    problems = {
        f"schedules[{index}].id": [
            f"Schedule id {data.key!r} belongs to fiscal year {years[data.key]}, not {data.fiscal_year}; "
            "give this version its own id."
        ]
        for index, data in enumerate(versions)
        if data.key in years and years[data.key] != data.fiscal_year
    }
    if problems:
        raise ScheduleInvalid(details=problems)


@transaction.atomic
def schedule_import(*, actor, document: dict, fiscal_year: int | None = None) -> list[ScheduleVersion]:
    """Create or replace, by id, the schedule versions of a document (the YAML file's format).

    With ``fiscal_year`` every version must belong to that year. An id that
    already names a version of another year is refused, so importing one
    year's schedule never replaces or moves another's. The document's
    ``meta``/``streams`` sections are kept for the export.
    """
    schedule_editor_require(actor=actor)
    parsed = parse_document(document)
    if fiscal_year is not None:
        others = [version.key for version in parsed.versions if version.fiscal_year != fiscal_year]
        if others:
            raise ScheduleInvalid(details={"schedules": [f"Not fiscal year {fiscal_year}: {', '.join(others)}."]})
    _refuse_other_years_versions(parsed.versions)
    if parsed.header is not None:
        text = json.dumps(parsed.header, ensure_ascii=False)
        latest = ScheduleHeader.objects.first()
        if latest is None or latest.text != text:
            ScheduleHeader.objects.create(text=text)
    return [_version_store(actor=actor, data=data, action="schedule_import") for data in parsed.versions]


def _save_edit(*, actor, row, fields, version: ScheduleVersion, action: str, data: dict | None = None):
    """Save an edited version or step and record what changed; an unchanged row writes nothing."""

    def record(suffix: str, changes: dict) -> None:
        _record(actor=actor, version=version, action=f"{action}_{suffix}", data={**(data or {}), **changes})

    return edit_save(row=row, fields=fields, record=record)


@transaction.atomic
def schedule_version_save(*, actor, version: ScheduleVersion) -> ScheduleVersion:
    """Save a supervisor's edit of a version's own attributes (status, source, notes)."""
    schedule_editor_require(actor=actor)
    saved = _save_edit(actor=actor, row=version, fields=VERSION_FIELDS, version=version, action="schedule_version")
    definitions_sync(actor=actor, fiscal_year=saved.fiscal_year)
    return saved


@transaction.atomic
def schedule_version_delete(*, actor, version: ScheduleVersion) -> None:
    """Delete a version; its record keeps the whole version as the file would write it."""
    schedule_editor_require(actor=actor)
    snapshot = render_version(version_data_from_model(version))
    _record(actor=actor, version=version, action="schedule_version_delete", data={"deleted": snapshot})
    version.delete()
    definitions_sync(actor=actor, fiscal_year=version.fiscal_year)


@transaction.atomic
def schedule_step_save(*, actor, step: ScheduleStep) -> ScheduleStep:
    """Save a supervisor's edit of one step, new or changed; the window must be consistent."""
    schedule_editor_require(actor=actor)
    return _save_edit(
        actor=actor, row=step, fields=STEP_FIELDS, version=step.version, action="schedule_step", data={"step": step.path}
    )


@transaction.atomic
def schedule_step_delete(*, actor, step: ScheduleStep) -> None:
    """Delete one step; its record keeps what the step said."""
    schedule_editor_require(actor=actor)
    deleted = {name: getattr(step, name) for name in STEP_FIELDS}
    _record(actor=actor, version=step.version, action="schedule_step_delete", data={"step": step.path, "deleted": deleted})
    step.delete()


def _shift_step(step: StepData, years: int) -> StepData:
    return replace(
        step,
        date_from=shift_window_day(step.precision, step.date_from, years),
        date_to=shift_window_day(step.precision, step.date_to, years),
        date_text_ja=shift_era_years(step.date_text_ja, years),
        label_ja=shift_era_years(step.label_ja, years),
        label_en=_FY_MENTION.sub(lambda match: f"FY{int(match[1]) + years}", step.label_en),
    )


def _shift_outline(outline: list, years: int) -> list:
    def shift(attributes: dict) -> dict:
        return {
            name: value + years if name in YEAR_ATTRIBUTES and isinstance(value, int) else value
            for name, value in attributes.items()
        }

    return [
        {**item, "sub_procedures": [{**sub, "attributes": shift(sub["attributes"])} for sub in item["sub_procedures"]]}
        for item in outline
    ]


@transaction.atomic
def schedule_rollforward(*, actor, from_year: int, to_year: int) -> ScheduleVersion:
    """Start a later fiscal year's plan from the schedule in force of an earlier one.

    Every dated step moves by the years between: an exact day keeps its month
    and day (even when that day is now a holiday: the calendar shows the
    business day it rolls to), windows keep their part of the month, era
    years in the wording move with them. Undecided steps stay undecided.
    """
    schedule_editor_require(actor=actor)
    if not all(FIRST_FISCAL_YEAR <= year <= LAST_FISCAL_YEAR for year in (from_year, to_year)):
        raise InvalidInput(details={"fiscal_year": [_("Fiscal years run from 2019 (令和元年度) to 2100.")]})
    if to_year <= from_year:
        raise InvalidInput(details={"to_year": [_("Roll forward into a later fiscal year.")]})
    source = schedule_version_in_force(fiscal_year=from_year)
    if source is None:
        raise ScheduleNotFound(details={"fiscal_year": from_year})
    key = f"fy{to_year}-plan"
    if ScheduleVersion.objects.filter(key=key).exists():
        raise ScheduleVersionExists(details={"id": key})
    years = to_year - from_year
    data = version_data_from_model(source)
    rolled = VersionData(
        key=key,
        fiscal_year=to_year,
        status=ScheduleStatus.PLAN,
        as_of=None,
        source_doc=data.source_doc,
        extra={**data.extra, "note": f"Rolled forward from {source.key}; dates moved by {years} year(s)."},
        outline=_shift_outline(data.outline, years),
        steps=[_shift_step(step, years) for step in data.steps],
    )
    return _version_store(actor=actor, data=rolled, action="schedule_rollforward", record={"rolled_from": source.key})
