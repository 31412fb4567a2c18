"""The one write path for case state (docs/architecture.md#the-one-write-path).

``case_transition`` holds no step or procedure name: what an act writes
besides the case — its determination, its money, its letter — is what the
step declares (``steps.Step``, declared with the transition in ``flows/``).
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.fsm import NoTransition, TransitionConditionsUnmet

from calendars.eras import day_text
from grants.catalogue import ActLetter
from grants.errors import StaleCase
from grants.history import (
    history_append_statement,
    history_entry,
    history_record,
    history_record_append,
    history_records_append,
)
from grants.models import Case, HistoryEntry
from grants.procedures import definition_sends
from grants.rows import NEW_DETERMINATION_ID
from grants.services import (
    budget_ledger_approval_statement, budget_ledger_approved, budget_ledger_lock, budget_ledger_moved,
    budget_ledger_refresh, budget_ledger_touched,
)
from grants.selectors import case_get_for_actor, case_last_act_on, cases_get_for_actor_locked
from web.errors import DomainError, InvalidInput
from web.rows import (
    inserted, insert_statement, insert_under_statement, inserts_with_act, row_insert, row_update,
    shared_reads, statement_cursor, update_statement,
)

from .errors import TransitionNotAllowed, UnknownTransition
from .fields import OCCURRED_ON, clean_step_data
from .flows import flow_for
from .selectors import bulk_step_preview_for_actor
from .signals import case_transition_recording
from .steps import DeterminationAct, step_declared, step_of, step_state_pairs

AMOUNT_FIELDS = (
    "amount_consulted",
    "amount_presented",
    "amount_requested",
    "amount_determined",
    "amount_current",
    "amount_settled",
)


def _values(row: Model) -> dict:
    """A row's field values, to tell afterwards which of them an act changed."""
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def _changed(row: Model, before: dict) -> list[str]:
    return [name for name, value in before.items() if getattr(row, name) != value]


def _amounts(case: Case) -> dict:
    return {field.removeprefix("amount_"): getattr(case, field) for field in AMOUNT_FIELDS}


def _snapshot(case: Case) -> dict:
    return {
        "state": case.state,
        "version": case.version,
        "amounts": _amounts(case),
        "deadline": {
            "stated": case.deadline_stated.isoformat() if case.deadline_stated else None,
            "effective": case.deadline_effective.isoformat() if case.deadline_effective else None,
        },
        "submitted_on": case.submitted_on.isoformat() if case.submitted_on else None,
        "submitted_late": case.submitted_late,
        "prefecture_received_on": case.prefecture_received_on.isoformat() if case.prefecture_received_on else None,
        # a survey's figures by fiscal year (only cases that carry them: the other records stay as they were)
        **({"amounts_expected": dict(case.amounts_expected)} if case.amounts_expected else {}),
    }


def case_transition(
    *, case_id: int, name: str, actor, data: dict, expected_version: int, today: date | None = None
) -> Case:
    """Apply one act to a case: permission, version, conditions and data rules, then save and record it.

    The case, and the determination the step creates or moves on, are saved
    with only the fields the step changed; the step's payment effect and
    letter follow its declaration; one history record describes it all.
    """
    cleaned = _cleaned(name, data)
    if connection.vendor == "postgresql" and not connection.in_atomic_block and _one_statement(name):
        # An act of one statement (docs/architecture.md): read without the row lock, then one write that checks
        # the version and is a transaction of its own, sent once the act's reads and kept rows are done with (what
        # follows its commit at once, a checkpoint or a drain run at once, runs outside them). None: the act needs
        # more, and is played in a transaction. Inside a caller's transaction it is not taken: the act then goes
        # the transactional way, whose durable block refuses a caller's transaction around it, as for every act.
        with shared_reads(), inserts_with_act() as inserts:
            act = _act(
                case_id=case_id, name=name, actor=actor, cleaned=cleaned, expected_version=expected_version,
                today=today, inserts=inserts, alone=True,
            )
        if act is not None and _alone_written(act, inserts):
            return act.case
    # shared_reads: what the case's read brings with it (the closure days) is not read again
    # inserts_with_act: the new rows the act's effects make (its payable items) are stored with its record
    with transaction.atomic(durable=True), shared_reads(), inserts_with_act() as inserts:
        act = _act(
            case_id=case_id, name=name, actor=actor, cleaned=cleaned, expected_version=expected_version, today=today,
            inserts=inserts,
        )
        assert act is not None  # _act returns None only for an act alone
        _act_written(act, inserts)
        return act.case


def _one_statement(name: str) -> bool:
    """Whether the step's act may be one statement (``Step.one_statement``), and no procedure's transition of that
    name moves a case into or out of the states that commit nothing (the budget ledger's lock and refresh are
    statements of their own)."""
    return step_declared(name).step.one_statement and not any(
        budget_ledger_moved(source, target) for source, target in step_state_pairs(name)
    )


#: Cases acted on per commit by ``case_transition_bulk``: the commit (and on SQLite its fsync) is shared by
#: this many acts, and a refusal replays at most this many.
BULK_CHUNK = 200


@dataclass(frozen=True)
class BulkOutcome:
    """What ``case_transition_bulk`` did: the cases acted on, and each refused one with its error's code and message."""

    done: list[Case]
    refused: list[dict]


class _Refused(Exception):
    """A case of a chunk was refused: the chunk's transaction rolls back, and the chunk is played again without it."""

    def __init__(self, case_id: int, error: DomainError):
        self.case_id, self.error = case_id, error


def case_transition_bulk(
    *, name: str, actor, data: dict, cases: list[tuple[int, int]], chunk_size: int = BULK_CHUNK,
    today: date | None = None,
) -> BulkOutcome:
    """The same act on many cases (``(case id, version seen)`` pairs), ``chunk_size`` cases to a commit.

    Each case is acted on as ``case_transition`` acts on one: its lock, its
    version check, permission and conditions, its history record and its
    letter. A chunk commits whole or not at all: when a case is refused, the
    chunk rolls back and is played again without it, so a refused act writes
    nothing and the others still share one commit. Invalid ``data`` refuses
    every case at once (InvalidInput), before anything is read.
    """
    cleaned = _cleaned(name, data)
    done: list[Case] = []
    refused: list[dict] = []
    for start in range(0, len(cases), chunk_size):
        chunk = list(cases[start : start + chunk_size])
        while chunk:
            try:
                done += _bulk_chunk(chunk, name=name, actor=actor, cleaned=cleaned, today=today)
            except _Refused as exc:
                refused.append({"case_id": exc.case_id, "code": exc.error.code, "message": exc.error.message})
                chunk = [(case_id, version) for case_id, version in chunk if case_id != exc.case_id]
            else:
                break
    return BulkOutcome(done=done, refused=refused)


def case_transition_bulk_check(
    *, name: str, actor, data: dict, cases: list[tuple[int, int]], today: date | None = None
) -> dict[int, DomainError]:
    """The cases ``case_transition_bulk`` would refuse, each with its error, found without writing.

    Each act is decided as the bulk step decides it (``_act``: scope, version,
    permission, conditions, the fields and deadline, the letter worded), a
    chunk of ``BULK_CHUNK`` cases to a transaction rolled back at its end, so
    a preview tells what the step would refuse and why and holds the chunk's
    locks only as long as the step would. The approvals of the chunks before
    count against the budget as in the step. Invalid ``data`` raises
    InvalidInput, as the step does.
    """
    cleaned = _cleaned(name, data)
    refused: dict[int, DomainError] = {}
    budgets: dict = {}  # the chunks' approvals, which the step commits chunk by chunk
    for start in range(0, len(cases), BULK_CHUNK):
        with transaction.atomic():
            writes = _BulkWrites()  # what the acts would write is kept here and dropped
            writes.budgets = budgets
            for case_id, outcome in _chunk_decided(cases[start : start + BULK_CHUNK], name=name, actor=actor,
                                                   cleaned=cleaned, today=today, writes=writes):
                if isinstance(outcome, DomainError):
                    refused[case_id] = outcome
            transaction.set_rollback(True)
    return refused


def bulk_step_preview(
    *, actor, transition: str, fiscal_year: int, stream: str, procedure: str, part: str = "", data: dict,
    today: date | None = None,
) -> list[dict]:
    """The bulk page's preview: each case of the selection (``bulk_step_preview_for_actor``) and, for those whose
    state lets the step go, what the step would do with ``data`` (``case_transition_bulk_check``): ``ready`` only
    when it would go, else the ``reason`` and the ``fields`` the refusal names (a deadline to give), each with
    what it says of it (a list of text)."""
    rows = bulk_step_preview_for_actor(
        actor=actor, transition=transition, fiscal_year=fiscal_year, stream=stream, part=part, procedure=procedure
    )
    refused = case_transition_bulk_check(
        name=transition, actor=actor, data=data, today=today,
        cases=[(row["case"].pk, row["case"].version) for row in rows if row["ready"]],
    )
    for row in rows:
        row.setdefault("fields", {})
        error = refused.get(row["case"].pk)
        if error is not None:
            details = error.details if isinstance(error.details, dict) else {}
            # each field the refusal names with what it says of it (the details of other kinds are no field's)
            fields = {field: [str(problem) for problem in value] for field, value in details.items()
                      if isinstance(value, list) and value}
            problems = [problem for said in fields.values() for problem in said]
            row.update(ready=False, reason=" ".join(problems) or str(error.message), fields=fields)
    return rows


@transaction.atomic(durable=True)
def _bulk_chunk(chunk: list[tuple[int, int]], *, name: str, actor, cleaned: dict, today: date | None) -> list[Case]:
    """One chunk's acts in one transaction: its cases read and locked in one statement, each act decided as
    ``case_transition`` decides it (``_act``), then the chunk's rows, records and additions written together
    (``_BulkWrites``)."""
    writes = _BulkWrites()
    acted = []
    for case_id, outcome in _chunk_decided(chunk, name=name, actor=actor, cleaned=cleaned, today=today, writes=writes):
        if isinstance(outcome, DomainError):
            raise _Refused(case_id, outcome) from outcome
        acted.append(outcome)
    writes.write()
    return acted


def _chunk_decided(chunk: list[tuple[int, int]], *, name: str, actor, cleaned: dict, today: date | None,
                   writes: "_BulkWrites"):
    """Each act of a chunk decided as ``case_transition`` decides it (``_act``), its writes kept in ``writes``; the
    chunk's cases read and locked in one statement. Yields ``(case id, the case acted on or the DomainError
    refusing it)``, inside the caller's transaction."""
    found = cases_get_for_actor_locked(actor=actor, case_ids=[case_id for case_id, _version in chunk])
    with shared_reads():  # what every act reads alike (closure days, prefectures) is read once for the chunk
        for case_id, version in chunk:
            try:
                case = found[case_id]
                if isinstance(case, DomainError):
                    raise case
                act = _act(case_id=case_id, name=name, actor=actor, cleaned=cleaned, expected_version=version,
                           today=today, bulk=writes, case=case)
                writes.keep(act)
                yield case_id, act.case
            except DomainError as exc:
                yield case_id, exc


class _BulkWrites:
    """What a chunk's acts write, kept act by act and written at the chunk's end.

    The rows each act changed go out as one UPDATE per table and set of
    columns, run for every row (executemany); a case's UPDATE is guarded by
    the version its act read, and every row must be found. The records are
    appended in the acts' order, the chain hashed in one pass
    (``history_records_append``). Additions that store many at once
    (``ActAddition.with_records``) get all of the chunk's; the others each
    get their record.
    """

    def __init__(self):
        self.updates: dict[tuple, list[list]] = {}
        self.records: list[dict] = []
        self.additions: list[list] = []
        self.budgets: dict = {}  # ``CaseFlow.chunk_budgets``
        self.ledger: list = []  # the budget ledger's keys the acts changed (``budget_ledger_touched``)

    def keep(self, act: "_Act") -> None:
        for row, fields in act.saved:
            if not fields:
                continue
            sql, params = update_statement(row, fields)
            if isinstance(row, Case):  # the version the act read, which the act raised by one
                sql, params = f"{sql} AND version = %s", [*params, row.version - 1]
            self.updates.setdefault((type(row), sql), []).append(params)
        self.records.append(act.record)
        self.additions.append(act.additions)
        if act.ledger is not None:
            self.ledger.append(act.ledger)

    def write(self) -> None:
        with statement_cursor() as cursor:
            for (model, sql), rows in self.updates.items():
                cursor.executemany(sql, rows)
                if cursor.rowcount != len(rows):
                    self._refuse_stale(model, rows)
        if self.ledger:  # after the acts' rows, before the records' chain lock
            budget_ledger_lock(self.ledger)
            budget_ledger_refresh(self.ledger)
        entries = history_records_append(self.records)
        grouped: dict = {}
        for additions, entry in zip(self.additions, entries):
            for addition in additions:
                if addition.with_records is None:
                    if addition.row is not None:  # stored with its record, as a single act's is
                        setattr(addition.row, addition.record_field, entry)
                        row_insert(addition.row)
                    addition.with_record(entry)
                else:  # ``with_records`` stores the chunk's rows with them
                    grouped.setdefault(addition.with_records, []).append((addition, entry))
        for with_records, pairs in grouped.items():
            with_records(pairs)

    @staticmethod
    def _refuse_stale(model, rows: list[list]) -> None:
        """An UPDATE matched fewer rows than it had: the first case whose version moved is refused (the chunk is
        played again without it)."""
        if model is Case:
            read = {params[-2]: params[-1] for params in rows}  # id: the version its act read
            current = dict(Case.objects.filter(pk__in=read).values_list("pk", "version"))
            for case_id, version in read.items():
                if current.get(case_id) != version:
                    raise _Refused(case_id, StaleCase(details={"current_version": current.get(case_id),
                                                               "expected_version": version}))
        raise RuntimeError(f"case_transition_bulk: a {model._meta.label} row the chunk saves does not exist")


def _cleaned(name: str, data: dict) -> dict:
    """The act's fields, validated against its declaration; UnknownTransition or InvalidInput before anything is read."""
    declared = step_declared(name)
    if declared is None:
        raise UnknownTransition(details={"transition": name})
    # every step also takes the day a past act took place (``occurred_on``)
    return clean_step_data((*declared.step.fields, OCCURRED_ON), data)


@dataclass
class _Act:
    """An act decided by ``_act`` and not yet written: its case (the transition applied, the version raised),
    the state it left, each row it changed with the fields that changed, its history record
    (``history_record``'s values), what other apps add to it (``case_transition_recording``'s additions) and
    the budget ledger's key it moves (``budget_ledger_touched``; None when it moves none)."""

    case: Case
    source: str
    saved: list[tuple[Model, list[str]]]
    record: dict
    additions: list
    ledger: object | None

    def new_rows(self) -> list[tuple[Model, str]]:
        """The additions' rows stored under the act's record, each with the name of its foreign key to it."""
        return [(addition.row, addition.record_field) for addition in self.additions if addition.row is not None]

    def queries(self) -> list[tuple[str, tuple]]:
        """The additions' queries (``ActAddition.query``), which the act's write may run with it."""
        return [addition.query for addition in self.additions if addition.query is not None]


def _act(
    *, case_id: int, name: str, actor, cleaned: dict, expected_version: int, today: date | None,
    bulk: "_BulkWrites | None" = None, case: Case | None = None, inserts: list | None = None, alone: bool = False,
) -> _Act | None:
    """``case_transition``'s act decided, inside the caller's transaction: lock, checks, the transition, its
    effects and its record. The act's own write (its rows, record and additions) is left to the caller
    (``_act_written``, ``_alone_written``, ``_BulkWrites.keep``); what its effects write here (a determination
    whose id was not taken with the case, a revocation's payable items) the caller's transaction keeps or rolls
    back with it. Refusals are raised (DomainError).

    ``bulk``: one of the acts of ``case_transition_bulk`` (the receivers of
    ``case_transition_recording`` are told), whose case was read and locked
    with its chunk's (``case``). ``inserts``: the rows kept by
    ``web.rows.inserts_with_act``, written with the act's.

    ``alone`` (PostgreSQL, outside any transaction, a step whose declaration allows it: ``Step.one_statement``):
    the act to be written as one statement that is a transaction of its own (``_alone_written``): the case is
    read without its row lock. Returns None, having written nothing, when the act cannot be written so (the
    case's own procedure declares the step otherwise; it moves the case into or out of the states that commit
    nothing, and so the budget ledger; it creates a determination whose id was not taken with the case) — the
    caller then plays it in a transaction.
    """
    cleaned = dict(cleaned)  # a bulk act hands every case the same fields
    occurred_on = cleaned.pop("occurred_on", None)
    recorded_on = today or timezone.localdate()  # the act's day (``today`` in tests and the bench), taken once
    if case is None:
        declared = step_declared(name).step
        # a step that may move money locks the recipient with the case (payments serialise on it); a step that
        # creates a determination takes its id with the case (PostgreSQL: its INSERT then goes with the record's)
        case = case_get_for_actor(actor=actor, case_id=case_id, lock=True, version_guard=alone,
                                  lock_recipient=declared.payments is not None,
                                  new_determination=declared.determination == DeterminationAct.CREATES)
    if case.version != expected_version:
        raise StaleCase(details={"current_version": case.version, "expected_version": expected_version})
    if occurred_on is not None:
        occurred_on_check(case=case, occurred_on=occurred_on, recorded_on=recorded_on)
    # A past act is the act of its own day: the dates it defaults, its deadline checks and its letter take it.
    flow = flow_for(case, actor=actor, data=cleaned, today=occurred_on or recorded_on)
    if bulk is not None:
        flow.chunk_budgets = bulk.budgets  # the chunk's approvals are written at its end: they count each other
    method = getattr(flow, name, None)
    if method is None or not hasattr(method, "can_proceed") or not method.can_proceed(check_conditions=False):
        raise TransitionNotAllowed(details={"transition": name, "state": case.state})
    if not method.has_perm(actor):
        raise flow.refusal(name, actor)
    step = step_of(type(flow), name)
    source = case.state
    if alone and not step.one_statement:  # the case's own procedure declares the step otherwise
        return None
    before = _amounts(case)
    original = _values(case)
    moved = flow.determination_acted_on(step.determination)
    moved_original = _values(moved) if moved is not None else None
    try:
        method()
    except NoTransition:
        raise TransitionNotAllowed(details={"transition": name, "state": source}) from None
    except TransitionConditionsUnmet as exc:
        raise flow.unmet(getattr(exc.failed_condition, "__name__", "condition"), exc.unmet_message) from None
    case.version += 1
    occurred_at = case.updated_at = timezone.now()
    determination = flow.new_determination or moved
    if flow.new_determination is not None:
        reserved = case.__dict__.pop(NEW_DETERMINATION_ID, None)
        if reserved is not None and inserts is not None:
            # its id taken with the case's read: the record names it, and its INSERT goes in the act's write
            determination.pk = reserved
            inserts.insert(0, determination)
        elif alone:
            return None
        else:
            row_insert(determination)
    if step.payments is not None:
        step.payments(flow, determination)
    # What other apps add to the act (the letters app: the letter the step declares, described by the
    # act's record, stored under it).
    additions = [
        addition
        for _receiver, addition in case_transition_recording.send(
            sender=Case, case=case, transition=name, actor=actor, fields=flow.data,
            # the year's definition (as the case copied it) says which letters go out
            letter=step.letter if definition_sends(flow.definition, step.letter) else ActLetter.NONE,
            on=occurred_on or (recorded_on if today is None else timezone.localdate(occurred_at)),
            determination=determination,
            recorded_later=occurred_on is not None and occurred_on < recorded_on, recorded_on=recorded_on,
            bulk=bulk is not None,
        )
        if addition is not None
    ]
    record = history_record(
        actor=actor,
        action=name,
        occurred_at=occurred_at,
        subject_type="case",
        subject_id=case.pk,
        case=case,
        source=source,
        target=case.state,
        data={
            "procedure": case.procedure,
            "part": case.part,
            "fields": flow.data,
            "amounts_before": before,
            "amounts_after": _amounts(case),
            "determination": determination.pk if determination else None,
            "document_number": flow.data.get("document_number", ""),
            "reason": flow.data.get("reason", ""),
            "snapshot": _snapshot(case),
            **({"occurred_on": occurred_on.isoformat()} if occurred_on is not None else {}),
            **{key: value for addition in additions for key, value in addition.record.items()},
        },
    )
    saved = [(case, _changed(case, original))]
    if moved is not None:
        saved.append((moved, _changed(moved, moved_original)))
    # What the act changed that the budget ledger derives from (docs/money.md, "The budget ledger")
    ledger = budget_ledger_touched(
        case, state_before=source,
        determinations=saved[1:] + ([(flow.new_determination, None)] if flow.new_determination is not None else []),
    )
    # The pending drafts read with the case are those from before the act: whoever reads the case next (the
    # API's reply offers its next steps) reads them afresh.
    case.__dict__.pop("pending", None)
    if alone and ledger is not None:  # the budget ledger's lock and refresh are statements of their own
        return None
    return _Act(case=case, source=source, saved=saved, record=record, additions=additions, ledger=ledger)


def _act_written(act: _Act, inserts: list) -> None:
    """The write of an act decided in the caller's transaction, which holds the case's lock: its rows, record,
    additions and ``inserts``, and the budget ledger's key it moves."""
    rides = []
    if act.ledger is not None:
        budget_ledger_lock([act.ledger])  # before the record's chain lock (docs/architecture.md, "Lock order")
        # an approval's refresh of its key goes in the act's write, unless it was dated before the key's latest
        approved = (
            budget_ledger_approved(act.case, state_before=act.source, determinations=act.saved[1:])
            if connection.vendor == "postgresql" else None
        )
        if approved is not None:
            rides.append(budget_ledger_approval_statement(act.ledger, approved))
    entry, found, rode = _act_write(act.saved, act.record, act.new_rows(), act.queries(), inserts, rides)
    if act.ledger is not None and not (rode and rode[0]):
        budget_ledger_refresh([act.ledger])
    _with_record(act.additions, entry, found)


def _alone_written(act: _Act, inserts: list) -> bool:
    """The write of an act of one statement (``_act`` with ``alone``); False when the statement wrote nothing
    (the version moved, a query found no row), and the act is to be played in a transaction."""
    written = _act_write(act.saved, act.record, act.new_rows(), act.queries(), inserts, alone=True)
    if written is None:
        return False
    entry, found, _rode = written
    _with_record(act.additions, entry, found)
    return True


def _with_record(additions: list, entry: HistoryEntry, found: list | None) -> None:
    """Each addition's ``with_record``, with what its query found where the act's write ran it."""
    for addition in additions:
        if addition.query is not None and found is not None:
            addition.with_record(entry, found=found.pop(0))
        else:
            addition.with_record(entry)


def occurred_on_check(*, case: Case, occurred_on: date, recorded_on: date) -> None:
    """Dates run forward (docs/domain.md): a past act is not dated in the future, nor before the case's
    previous act."""
    if occurred_on > recorded_on:
        raise InvalidInput(details={"occurred_on": [_("An act cannot be dated in the future.")]})
    previous = case_last_act_on(case=case)
    if previous is not None and occurred_on < previous:
        raise InvalidInput(
            details={
                "occurred_on": [
                    _("An act cannot be dated before the case's previous act (%(day)s).") % {"day": day_text(previous)}
                ]
            }
        )


def _table(row: Model) -> str:
    return connection.ops.quote_name(row._meta.db_table)


def _key(row: Model) -> str:
    return connection.ops.quote_name(row._meta.pk.column)


def _act_write(
    rows: list[tuple[Model, list[str]]], record: dict, new_rows: list[tuple[Model, str]] = (),
    queries: list[tuple[str, tuple]] = (), inserts: list[Model] = (),
    rides: list[tuple[list[str], list, str]] = (), *, alone: bool = False,
) -> tuple[HistoryEntry, list | None, list] | None:
    """The transition service's combined write: the rows the act changed (its case, the determination it
    moved on), the act's history record (``history_record``'s values), and the new rows stored under that
    record (``new_rows``: each instance with the name of its foreign key to the record; the letters app's letter),
    and other new rows of the act (``inserts``: its payable items, the determination it creates when its id was
    taken with the case's read). Returns the record, what ``queries`` found (``ActAddition.query``; None where
    they were not run), and each of ``rides``' answers.

    ``rides``: other writes of the act as WITHs of their own (their SQL and parameters:
    ``grants.services.budget_ledger_approval_statement``), each with an expression the statement returns; on
    PostgreSQL only (elsewhere each answers 0, written by none).

    On PostgreSQL one statement: the UPDATEs as data-modifying WITHs ahead of
    the record's chained INSERT, which is joined with them, so a row that is
    gone stops the record, and the new rows' INSERTs are made once for the
    record (taking its id where they hang under it); the queries are WITHs too
    (one round trip where several would do the same). On SQLite, whose
    statements cost no round trip, the UPDATEs run one after the other, the
    history appends the record and the new rows follow; the queries are left
    to their additions. The caller holds the case's lock.

    ``alone`` (PostgreSQL; ``_act``'s act of one statement, which holds no lock): the case's UPDATE also checks
    the version the act read, that each query finds its row and that each other row the act updates is there,
    the other UPDATEs follow the case's, and the statement is a transaction of its own. Returns None when it
    wrote nothing (the version moved, a query found no row, another row is gone).
    """
    updates = [(row, fields) for row, fields in rows if fields]
    if connection.vendor != "postgresql":
        for row, fields in updates:
            row_update(row, fields)
        entry = history_record_append(record)
        for row, field in new_rows:
            setattr(row, field, entry)
            row_insert(row)
        for row in inserts:
            row_insert(row)
        return entry, None, [0] * len(rides)  # rides are PostgreSQL's: none was written
    # the queries first: an act alone writes only when each finds its row
    asked = tuple(f"asked{number}" for number in range(len(queries)))
    ctes = [f"{name} AS ({sql})" for name, (sql, _params) in zip(asked, queries)]
    params = [param for _sql, query_params in queries for param in query_params]
    names = tuple(f"saved{number}" for number in range(len(updates)))
    for name, (row, fields) in zip(names, updates):
        sql, row_params = update_statement(row, fields)
        if alone and name == names[0]:  # the case: as the act read it, each query's row found, each other row there
            if not isinstance(row, Case):
                raise RuntimeError("case_transition: an act alone writes its case first")
            others = [other for other, _fields in updates[1:]]
            sql = " AND ".join([
                f"{sql} AND version = %s", *(f"EXISTS (SELECT FROM {query})" for query in asked),
                *(f"EXISTS (SELECT FROM {_table(other)} WHERE {_key(other)} = %s)" for other in others),
            ])
            row_params = [*row_params, row.version - 1, *(other.pk for other in others)]
        elif alone:  # the others only with the case's
            sql = f"{sql} AND EXISTS (SELECT FROM {names[0]})"
        ctes.append(f"{name} AS ({sql} RETURNING 1)")
        params += row_params
    append_sql, append_params = history_append_statement(record, joined=names, alone=alone)
    params += append_params
    if new_rows or queries or inserts or rides:
        ctes.append(f"record AS ({append_sql})")
        added = []
        for number, row in enumerate(inserts):
            sql, row_params = insert_statement(row, after="record")
            ctes.append(f"ins{number} AS ({sql})")
            params += row_params
            if row.pk is None:  # the id the database gives it (a row whose id is taken already returns none)
                added.append(f"(SELECT * FROM ins{number})")
        for number, (row, field) in enumerate(new_rows):
            sql, row_params = insert_under_statement(row, field, under="record")
            ctes.append(f"new{number} AS ({sql})")
            params += row_params
            added.append(f"new{number}.id")
        added += [f"(SELECT * FROM {query} LIMIT 1)" for query in asked]  # a query's one value, or NULL
        for ride_ctes, ride_params, answer in rides:
            ctes += ride_ctes
            params += ride_params
            added.append(answer)
        tables = ["record", *(f"new{number}" for number in range(len(new_rows)))]
        append_sql = f"SELECT {', '.join(['record.id', 'record.prev_hash', 'record.hash', *added])} FROM {', '.join(tables)}"
    with statement_cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} {append_sql}" if ctes else append_sql, params)
        row = cursor.fetchone()
    if row is None:  # an UPDATE matched no row, so nothing was inserted
        if alone:
            return None
        raise RuntimeError("case_transition: a row the act saves does not exist")
    entry = history_entry(record, row[:3])
    given = [new for new in inserts if new.pk is not None]
    numbered = [new for new in inserts if new.pk is None]
    for new in given:
        inserted(new, None)
    for new, pk in zip(numbered, row[3 : 3 + len(numbered)]):
        inserted(new, pk)
    offset = 3 + len(numbered)
    for (new, field), pk in zip(new_rows, row[offset : offset + len(new_rows)]):
        setattr(new, field, entry)
        inserted(new, pk)
    answers = list(row[offset + len(new_rows) :])
    return entry, answers[: len(answers) - len(rides)], answers[len(answers) - len(rides) :]
