"""The schedule file format (``schedules/data/schedules.yaml``) to and from plain data.

A document has ``meta`` and ``streams`` (a description of the file, kept
verbatim) and ``schedules``: versions of one fiscal year each, holding
``streams → sub_procedures → steps``. Parsing checks everything a database
row will need and reports every problem at once, keyed by its path in the
file (``schedules[1].streams.medical_care_fund.sub_procedures.…``). Rendering
writes the same structure back; what the columns do not hold travels in the
``extra``/``outline`` attributes, so an import followed by an export loses
nothing.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import yaml

from calendars.eras import fiscal_year_label
from calendars.windows import Precision, window_problems
from grants.catalogue import stream_codes
from grants.procedures import definition_problems
from grants.limits import EARLIEST_DATE, FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR, LATEST_DATE

from .errors import ScheduleInvalid
from .models import ScheduleStatus, ScheduleStep, ScheduleVersion, StepActor, StepKind, StepPart

# Key order of the written file. Attributes not listed follow in alphabetical
# order, so the output is the same on every database.
VERSION_HEAD = ("id", "fiscal_year", "era_ja", "status", "as_of", "source_doc")
VERSION_EXTRA_ORDER = ("note", "attribution_note")
STREAM_EXTRA_ORDER = ("note", "outreach")
SUB_PROCEDURE_EXTRA_ORDER = ("settles_fiscal_year", "reports_on_fiscal_year", "definition")
STEP_ORDER = (
    "key", "label_ja", "label_en", "actor", "actor_basis", "counterpart", "part", "date_text_ja",
    "date_from", "date_to", "precision", "year_inferred", "kind",
    "guard", "tranche", "tranche_pct", "tranche_base", "tranche_rule_ja", "tranche_rule_candidates", "notes",
)  # fmt: skip
STEP_COLUMNS = (
    "key", "label_ja", "label_en", "actor", "part", "date_text_ja", "date_from", "date_to", "precision", "kind", "source",
)  # fmt: skip
REQUIRED_STEP_KEYS = ("key", "label_ja", "kind", "actor", "precision")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class StepData:
    stream: str
    sub_procedure: str
    key: str
    label_ja: str
    label_en: str
    kind: str
    actor: str
    part: str
    precision: str
    date_from: date | None
    date_to: date | None
    date_text_ja: str
    source: str
    extra: dict = field(default_factory=dict)

    def columns(self) -> dict:
        return {name: getattr(self, name) for name in ("stream", "sub_procedure", *STEP_COLUMNS, "extra")}

    @property
    def path(self) -> str:
        return f"{self.stream}/{self.sub_procedure}/{self.key}"


@dataclass
class VersionData:
    key: str
    fiscal_year: int
    status: str
    as_of: date | None
    source_doc: str
    extra: dict
    outline: list
    steps: list[StepData]


@dataclass
class DocumentData:
    header: dict | None  # {"meta": …, "streams": …} when the document has them
    versions: list[VersionData]


class _Problems:
    def __init__(self):
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.by_path.setdefault(path, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_path:
            raise ScheduleInvalid(details=self.by_path)


def _date(value, path: str, problems: _Problems) -> date | None:
    if value is None:
        return None
    day = None
    if isinstance(value, date) and not isinstance(value, datetime):  # YAML reads 2025-07-10 as a date already
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
    if day is None:
        problems.add(path, "Not a date (YYYY-MM-DD).")
    elif not EARLIEST_DATE <= day <= LATEST_DATE:
        problems.add(path, f"A date from {EARLIEST_DATE.year} to {LATEST_DATE.year}.")
    return day


# A schedule file is a few tens of kilobytes, nested about a dozen levels, and
# names no anchors. Anything beyond these bounds is refused before it is built:
# an alias bomb (a few hundred bytes of ``&a [*b, *b, ...]`` expanding to
# gigabytes) or a body nested deep enough to exhaust the parser.
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_DOCUMENT_DEPTH = 32


class _DocumentLoader(yaml.SafeLoader):
    """Safe YAML without anchors or aliases and at most ``MAX_DOCUMENT_DEPTH`` levels deep.

    A day that does not exist (2026-02-29) stays text, so the check names its place.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (& and *) are not allowed in a schedule file", event.start_mark
            )
        if self._depth >= MAX_DOCUMENT_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DOCUMENT_DEPTH} levels deep", event.start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_DocumentLoader.add_constructor("tag:yaml.org,2002:timestamp", _DocumentLoader.construct_yaml_timestamp)


class _DocumentDumper(yaml.SafeDumper):
    """Writes a value met twice in full, never as an anchor and alias the loader would refuse."""

    def ignore_aliases(self, data):
        return True


def load_document(text: str):
    """The data of a schedule file's text, for ``parse_document``; yaml.YAMLError when the text is not YAML.

    Text longer than ``MAX_DOCUMENT_BYTES``, anchors and aliases, and nesting
    deeper than ``MAX_DOCUMENT_DEPTH`` are refused as YAMLError too.
    PyYAML's safe loader fails with a bare ValueError on a value it cannot
    build (a day that does not exist, ``!!int twenty``); those become
    YAMLError here, except days, which stay text and are reported as such.
    """
    if len(text) > MAX_DOCUMENT_BYTES:
        raise yaml.YAMLError(f"a schedule document is at most {MAX_DOCUMENT_BYTES} bytes")
    try:
        return yaml.load(text, Loader=_DocumentLoader)
    except (ValueError, RecursionError) as exc:  # RecursionError: nesting deeper than the reader can follow
        raise yaml.YAMLError(str(exc) or type(exc).__name__) from exc


def dump_document(data) -> str:
    """A schedule document as YAML text in the file's layout, which ``load_document`` reads back."""
    return yaml.dump(data, Dumper=_DocumentDumper, allow_unicode=True, sort_keys=False, width=120)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _text(value, path: str, problems: _Problems, *, required: bool = False, max_length: int | None = None) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(path, "Required text." if required else "Must be text.")
        return ""
    if "\x00" in value:
        problems.add(path, "Text may not contain the NUL character.")
    if max_length is not None and len(value) > max_length:
        problems.add(path, f"At most {max_length} characters.")
    return value


def _slug(value, path: str, problems: _Problems, *, max_length: int) -> str:
    """A key of the file (a schedule's id, a sub-procedure, a step): required, lower-case, short enough."""
    text = _text(value, path, problems, required=True, max_length=max_length)
    if text and not SLUG.match(text):
        problems.add(path, "Use lower-case letters, digits, '_' and '-'.")
    return text


def _json_value(value, path: str, problems: _Problems):
    """Attributes kept in JSON must be JSON values: a date would come back as text, and no database keeps NaN or NUL."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):  # ValueError: NaN or infinity, or a value that contains itself
        problems.add(path, "Only text, numbers, true/false, lists and maps can be kept here.")
        return value
    if "\\u0000" in text:
        problems.add(path, "Text may not contain the NUL character.")
    return value


def _choice(value, choices, path: str, problems: _Problems) -> str:
    if value not in choices:
        problems.add(path, f"Unknown value {value!r}; expected one of {', '.join(c or '(empty)' for c in choices)}.")
    return value if isinstance(value, str) else ""


def _parse_step(raw, *, stream: str, sub_procedure: str, path: str, problems: _Problems) -> StepData | None:
    if not isinstance(raw, dict):
        problems.add(path, "A step is a map.")
        return None
    for name in REQUIRED_STEP_KEYS:
        if name not in raw:
            problems.add(f"{path}.{name}", "Required.")

    def text(name: str, *, required: bool = False) -> str:
        max_length = _max_length(ScheduleStep, name)
        return _text(raw.get(name), f"{path}.{name}", problems, required=required, max_length=max_length)

    step = StepData(
        stream=stream,
        sub_procedure=sub_procedure,
        key=_slug(raw.get("key"), f"{path}.key", problems, max_length=_max_length(ScheduleStep, "key")),
        label_ja=text("label_ja", required=True),
        label_en=text("label_en"),
        kind=_choice(raw.get("kind"), StepKind.values, f"{path}.kind", problems),
        actor=_choice(raw.get("actor"), StepActor.values, f"{path}.actor", problems),
        part=_choice(raw.get("part", ""), StepPart.values, f"{path}.part", problems),
        precision=_choice(raw.get("precision"), Precision.values, f"{path}.precision", problems),
        date_from=_date(raw.get("date_from"), f"{path}.date_from", problems),
        date_to=_date(raw.get("date_to"), f"{path}.date_to", problems),
        date_text_ja=text("date_text_ja"),
        source=text("source"),
        extra={
            name: _json_value(value, f"{path}.{name}", problems)
            for name, value in raw.items()
            if name not in STEP_COLUMNS
        },
    )
    unreadable = any(raw.get(name) is not None and getattr(step, name) is None for name in ("date_from", "date_to"))
    if step.precision in Precision.values and not unreadable:  # an unreadable day is reported once, as itself
        for message in window_problems(step.precision, step.date_from, step.date_to):
            problems.add(f"{path}.precision", message)
    return step


def _attributes(raw: dict, skip: str, path: str, problems: _Problems) -> dict:
    return {name: _json_value(value, f"{path}.{name}", problems) for name, value in raw.items() if name != skip}


def _parse_version(raw, path: str, problems: _Problems) -> VersionData | None:
    if not isinstance(raw, dict):
        problems.add(path, "A schedule is a map.")
        return None
    key = _slug(raw.get("id"), f"{path}.id", problems, max_length=_max_length(ScheduleVersion, "key"))
    fiscal_year = raw.get("fiscal_year")
    if not isinstance(fiscal_year, int) or isinstance(fiscal_year, bool) or not FIRST_FISCAL_YEAR <= fiscal_year <= LAST_FISCAL_YEAR:
        problems.add(f"{path}.fiscal_year", f"A fiscal year from {FIRST_FISCAL_YEAR} to {LAST_FISCAL_YEAR}, e.g. 2025.")
        fiscal_year = 0
    elif "era_ja" in raw and raw["era_ja"] != fiscal_year_label(fiscal_year):
        problems.add(f"{path}.era_ja", f"Fiscal year {fiscal_year} is {fiscal_year_label(fiscal_year)}.")
    streams = raw.get("streams", {})
    if not isinstance(streams, dict):
        problems.add(f"{path}.streams", "A map of streams.")
        streams = {}
    outline, steps = [], []
    for stream, stream_raw in streams.items():
        stream_path = f"{path}.streams.{stream}"
        _choice(stream, stream_codes(), stream_path, problems)
        if not isinstance(stream_raw, dict) or not isinstance(stream_raw.get("sub_procedures", {}), dict):
            problems.add(stream_path, "A stream holds a map of sub_procedures.")
            continue
        subs = []
        for sub, sub_raw in stream_raw.get("sub_procedures", {}).items():
            sub_path = f"{stream_path}.sub_procedures.{sub}"
            _slug(sub, sub_path, problems, max_length=_max_length(ScheduleStep, "sub_procedure"))
            if not isinstance(sub_raw, dict) or not isinstance(sub_raw.get("steps", []), list):
                problems.add(sub_path, "A sub-procedure holds a list of steps.")
                continue
            attributes = _attributes(sub_raw, "steps", sub_path, problems)
            if "definition" in attributes:
                for name, texts in definition_problems(attributes["definition"]).items():
                    for text in texts:
                        problems.add(f"{sub_path}.definition{'.' + name if name else ''}", text)
            subs.append({"key": sub, "attributes": attributes})
            seen: set[str] = set()
            for index, step_raw in enumerate(sub_raw.get("steps", [])):
                step = _parse_step(
                    step_raw, stream=stream, sub_procedure=sub, path=f"{sub_path}.steps[{index}]", problems=problems
                )
                if step is None:
                    continue
                if step.key in seen:
                    problems.add(f"{sub_path}.steps[{index}].key", f"Step {step.key!r} appears twice.")
                seen.add(step.key)
                steps.append(step)
        outline.append(
            {"stream": stream, "attributes": _attributes(stream_raw, "sub_procedures", stream_path, problems), "sub_procedures": subs}
        )
    return VersionData(
        key=key,
        fiscal_year=fiscal_year,
        status=_choice(raw.get("status"), ScheduleStatus.values, f"{path}.status", problems),
        as_of=_date(raw.get("as_of"), f"{path}.as_of", problems),
        source_doc=_text(
            raw.get("source_doc"), f"{path}.source_doc", problems, max_length=_max_length(ScheduleVersion, "source_doc")
        ),
        extra={
            name: _json_value(value, f"{path}.{name}", problems)
            for name, value in raw.items()
            if name not in (*VERSION_HEAD, "streams")
        },
        outline=outline,
        steps=steps,
    )


def parse_document(raw) -> DocumentData:
    """Check a loaded YAML/JSON document and turn it into plain data; ScheduleInvalid lists every problem."""
    problems = _Problems()
    if not isinstance(raw, dict) or not isinstance(raw.get("schedules"), list) or not raw["schedules"]:
        problems.add("schedules", "The document needs a list of schedules.")
        problems.raise_if_any()
    header = None
    if "meta" in raw or "streams" in raw:
        header = {name: _json_value(raw.get(name), name, problems) for name in ("meta", "streams") if name in raw}
    versions = [v for index, item in enumerate(raw["schedules"]) if (v := _parse_version(item, f"schedules[{index}]", problems))]
    keys = [version.key for version in versions]
    for key in {key for key in keys if keys.count(key) > 1}:
        problems.add("schedules", f"Schedule id {key!r} appears twice.")
    problems.raise_if_any()
    return DocumentData(header=header, versions=versions)


# ---------------------------------------------------------------- writing


def _ordered(attributes: dict, order: tuple[str, ...]) -> dict:
    known = [name for name in order if name in attributes]
    return {name: attributes[name] for name in [*known, *sorted(set(attributes) - set(known))]}


def _step_dict(step: StepData) -> dict:
    values = {**step.extra, **{name: getattr(step, name) for name in STEP_COLUMNS}}
    if not step.part:
        del values["part"]
    source = values.pop("source")
    return {**_ordered(values, STEP_ORDER), "source": source}


def render_version(version: VersionData) -> dict:
    """One schedule as the file writes it; steps outside the outline are added after it."""
    steps_by_sub: dict[tuple[str, str], list[StepData]] = {}
    for step in version.steps:
        steps_by_sub.setdefault((step.stream, step.sub_procedure), []).append(step)
    outline = [
        {**item, "sub_procedures": list(item["sub_procedures"])} for item in version.outline
    ]
    for stream, sub in steps_by_sub:
        entry = next((item for item in outline if item["stream"] == stream), None)
        if entry is None:
            entry = {"stream": stream, "attributes": {}, "sub_procedures": []}
            outline.append(entry)
        if all(item["key"] != sub for item in entry["sub_procedures"]):
            entry["sub_procedures"].append({"key": sub, "attributes": {}})
    streams = {}
    for item in outline:
        subs = {
            sub["key"]: {
                **_ordered(sub["attributes"], SUB_PROCEDURE_EXTRA_ORDER),
                "steps": [_step_dict(step) for step in steps_by_sub.get((item["stream"], sub["key"]), [])],
            }
            for sub in item["sub_procedures"]
        }
        streams[item["stream"]] = {**_ordered(item["attributes"], STREAM_EXTRA_ORDER), "sub_procedures": subs}
    return {
        "id": version.key,
        "fiscal_year": version.fiscal_year,
        "era_ja": fiscal_year_label(version.fiscal_year),
        "status": version.status,
        "as_of": version.as_of,
        "source_doc": version.source_doc,
        **_ordered(version.extra, VERSION_EXTRA_ORDER),
        "streams": streams,
    }


def render_document(header: dict | None, versions: list[VersionData]) -> dict:
    """A whole file: the header sections, then the schedules in the order given."""
    return {**(header or {}), "schedules": [render_version(version) for version in versions]}


def version_data_from_model(version) -> VersionData:
    """A stored version as plain data, steps in their stored order."""
    return VersionData(
        key=version.key,
        fiscal_year=version.fiscal_year,
        status=version.status,
        as_of=version.as_of,
        source_doc=version.source_doc,
        extra=version.extra,
        outline=version.outline,
        steps=[
            StepData(**{name: getattr(step, name) for name in ("stream", "sub_procedure", *STEP_COLUMNS, "extra")})
            for step in sorted(version.steps.all(), key=lambda step: (step.position, step.pk))
        ],
    )
