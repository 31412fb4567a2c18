"""Letters: worded and recorded inside the act that sends them, rendered to PDF in the background.

Issuing is fast and transactional: the letter row and its history record
commit with the act (a transition, a reminder). Drawing the PDF is slow, so
a ``django.tasks`` task, the drain (``letters_drain``), does it once the act
has committed, for every letter still waiting; it also gives each letter its
document number, so the day's number sequence is only ever locked before the
history chain (as ``notify`` does) and never after it. How an act makes sure
a drain follows it: docs/architecture.md#after-commit.
"""

import hashlib
import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from calendars.numbering import document_number_issue
from grants.access import authorize
from grants.catalogue import ActLetter, ProcedureSpec, routes_via_prefecture
from grants.history import history_append
from grants.models import Case, CaseState, Determination, HistoryEntry, Recipient
from grants.roles import system_user
from grants.selectors import decision_in_force
from payments.selectors import return_claim_of_revocation
from schedules.selectors import schedule_deadline_step, schedule_version_in_force
from web.errors import InvalidInput
from web.rows import first_row, row_insert, rows_insert

from ..letter_texts import (
    LetterWording,
    concerns_item,
    contact_lines,
    determination_wording,
    notice_kind,
    presentation_wording,
    request_wording,
    return_order_wording,
    revocation_wording,
    sender_and_addressee,
)
from ..models import Letter, LetterBatch, LetterKind, LetterStatus
from ..pdf import render_letter
from ..selectors import letter_content, letter_list_for_actor
from ..tasks import letters_drain_task

SUBJECT = "letter"
logger = logging.getLogger(__name__)


def _default_wording(case: Case, kind: str) -> LetterWording:
    if kind == LetterKind.REQUEST:
        return request_wording(case, consultation=case.state == CaseState.CONSULTATION_REQUESTED)
    if kind in (LetterKind.DECISION_NOTICE, LetterKind.SETTLEMENT_NOTICE):
        return determination_wording(case, decision_in_force(case))
    raise ValueError(f"a {kind} letter needs its wording from the caller")


def _letter_build(
    *,
    case: Case,
    kind: str,
    actor,
    history_entry: HistoryEntry | None = None,
    wording: LetterWording | None = None,
    issued_on=None,
    document_number: str = "",
    batch: LetterBatch | None = None,
    basis: dict | None = None,
    recipient: Recipient | None = None,
) -> Letter:
    """A worded, checked, unsaved letter to the case's recipient (or to ``recipient``: a prefecture's request
    for its municipalities)."""
    wording = wording or _default_wording(case, kind)
    recipient = recipient or case.recipient
    routed = routes_via_prefecture(case.stream, recipient.kind)
    people = sender_and_addressee(kind, recipient, routed=routed)
    items = [list(item) for item in wording.items]
    concerns = concerns_item(kind, recipient, routed=routed)
    if concerns:
        items.insert(0, list(concerns))
    letter = Letter(
        case=case,
        history_entry=history_entry,
        kind=kind,
        document_number=document_number,
        issued_on=issued_on or timezone.localdate(),
        recipient=recipient,
        subject=wording.subject,
        content={
            **people,
            "subject": wording.subject,
            "body_paragraphs": list(wording.body_paragraphs),
            "items": items,
            "deadline_note": wording.deadline_note or None,
            "contact_lines": list(contact_lines(case)),
            "title_kind": kind,
        },
        deadline_stated=case.deadline_stated,
        deadline_effective=case.deadline_effective,
        basis=basis or {},
        batch=batch,
        created_by=actor,
    )
    letter.clean_fields(exclude=_UNCHECKED)
    return letter


#: The fields ``_letter_build`` checks (lengths SQLite does not enforce, choices, dates): those whose values come
#: from the caller or from data. What ``full_clean`` adds finds nothing on a new letter (no ``clean``; its only
#: unique field is its id), and the fields left out are the model's defaults (status, hash, file, dates of
#: rendering), the rows the caller hands over (whose references the INSERT checks) and the JSON built above from
#: text and numbers (checking it would encode the letter's content once more). The table's constraints are
#: enforced by the INSERT itself (validating them in Python costs a query each inside every request and notice).
_CHECKED = frozenset({"kind", "document_number", "issued_on", "subject", "deadline_stated", "deadline_effective"})
_UNCHECKED = frozenset(field.name for field in Letter._meta.fields) - _CHECKED


def letter_particulars(letter: Letter) -> dict:
    """What a record says about a letter it issues."""
    return {
        "case": letter.case_id,
        "kind": letter.kind,
        "subject": letter.subject,
        "issued_on": letter.issued_on,
        "document_number": letter.document_number,
        "deadline": {"stated": letter.deadline_stated, "effective": letter.deadline_effective},
        "batch": letter.batch_id,
        "basis": letter.basis,
    }


def _letter_store(letter: Letter) -> Letter:
    row_insert(letter)  # prepared INSERT: every request and notice runs it
    _drain_follows()
    return letter


@transaction.atomic(savepoint=False)
def letter_issue(*, case: Case, actor, history_entry: HistoryEntry | None = None, **particulars) -> Letter:
    """Word a letter to the case's recipient, store it and record it; its PDF follows after commit.

    ``particulars`` are ``_letter_build``'s: ``kind``, and optionally ``wording``
    (defaults to the request or the latest notice of the case; payment notices
    and reminders bring their own), ``issued_on``, ``document_number``
    (defaults to the next number of the issue day, given when the PDF is
    drawn), ``batch`` and ``basis``. ``history_entry`` is the record of the act
    that sends it.
    """
    letter = _letter_store(_letter_build(case=case, actor=actor, history_entry=history_entry, **particulars))
    letter_record(
        letter, action="letter_issue", actor=actor,
        data={**letter_particulars(letter), "trigger": history_entry.pk if history_entry else None},
    )
    return letter


def letter_record(letter: Letter, *, action: str, actor, data: dict) -> HistoryEntry:
    """A history record about a letter (its issue, its drawing), filed under its case's year, stream and
    recipient."""
    return history_append(
        actor=actor,
        action=action,
        subject_type=SUBJECT,
        subject_id=letter.pk,
        fiscal_year=letter.case.fiscal_year_id,
        stream=letter.case.stream,
        recipient=letter.recipient,
        data=data,
    )


_ASK = object()


def drain_ready_query() -> tuple[str, tuple] | None:
    """The query that finds and locks a READY drain (``_drain_follows``) for the transition service to run in the
    act's own write statement on PostgreSQL (``workflows.signals.ActAddition.query``); None where it would not.
    (On SQLite, asked in the RETURNING of the letter's INSERT, it cost more than on its own: 0.14 against 0.08 ms
    for the two, bench/RESULTS.md.)"""
    if connection.vendor != "postgresql" or not isinstance(letters_drain_task.get_backend(), DatabaseBackend):
        return None
    return _drain_ready_sql(connection.vendor)


def _drain_follows(ready=_ASK) -> None:
    """Make sure a drain runs after the act commits, to draw the letter it stores: call inside the act.

    ``ready``: what ``drain_ready_query`` found, run by the act already (a READY drain's id, now locked, or
    None); by default it is asked here.

    With the database queue (django-tasks-db), a drain task that is READY
    already will do, provided no worker claims it before the act commits: the
    act locks its row until then (``FOR UPDATE SKIP LOCKED``; the worker claims
    with the same, so it skips the row the act holds). When there is none, or
    another act holds it, the act queues one inside its own transaction (a
    transactional outbox: it commits or rolls back with the letter).
    On SQLite the act's write lock (``BEGIN IMMEDIATE``) does the same, as the
    worker's claim is a write. A queue that runs tasks at once (tests, the
    immediate backend) is called after the commit instead, so drawing never
    runs inside the act. The argument at length: docs/architecture.md#after-commit.
    """
    if isinstance(letters_drain_task.get_backend(), DatabaseBackend):
        if not (_drain_ready_locked() if ready is _ASK else ready is not None):
            letters_drain_task.enqueue()
    else:
        transaction.on_commit(letters_drain_task.enqueue)


def _drain_ready_locked() -> bool:
    """Lock a drain task still READY (none another transaction holds) until this transaction ends; whether one was."""
    return first_row(*_drain_ready_sql(connection.vendor)) is not None


@cache
def _drain_ready_sql(vendor: str) -> tuple[str, tuple]:
    """The query of ``_drain_ready_locked``, compiled by the ORM once per process: compiling it was most of its cost
    (0.5–0.8 ms of CPU an act, more than the task row it saves; bench/RESULTS.md).

    django-tasks-db's own ``ready()``: READY, and not deferred or due by now; "now" is the moment it is compiled,
    so it finds a subset of the drains the worker takes for ready (a drain is never deferred), which is what the
    act needs: one the worker will run.
    """
    ready = DBTaskResult.objects.ready().filter(
        task_path=letters_drain_task.module_path,
        backend_name=letters_drain_task.backend,
        queue_name=letters_drain_task.queue_name,
    )
    query = ready.order_by().select_for_update(skip_locked=True).values_list("pk", flat=True)[:1].query
    # the ORM compiles a locking read only inside a transaction (an act of one statement asks outside one, on
    # PostgreSQL, where psycopg sends BEGIN only before a statement); inside a transaction the block, without a
    # savepoint, sends nothing either: it only compiles
    with transaction.atomic(savepoint=False):
        return query.sql_with_params()


def _helper_queue() -> None:
    """Queue a drain unless one is READY already (a drain that wants a helper)."""
    with transaction.atomic():
        _drain_follows()


def letters_drain_queue() -> int:
    """Queue a drain of the letters still waiting, for an operator (``manage.py render_letters``, after a worker
    died in the middle of one); how many wait."""
    waiting = Letter.objects.filter(status=LetterStatus.PENDING).count()
    letters_drain_task.enqueue()
    return waiting


def _request_basis(case: Case, *, consultation: bool, fields: dict) -> dict:
    """Where a request's deadline came from: the officer, a schedule step, or nowhere yet (未定)."""
    if fields.get("deadline"):
        return {"deadline": "officer"}
    step = schedule_deadline_step(
        fiscal_year=case.fiscal_year_id, stream=case.stream, part=case.part, procedure=case.procedure, consultation=consultation
    )
    if step is None:
        version = schedule_version_in_force(fiscal_year=case.fiscal_year_id)
        return {"deadline": "undecided", "schedule": version.key if version else None}
    return {
        "deadline": "schedule",
        "schedule": step.version.key,
        "step": step.path,
        "date_text_ja": step.date_text_ja,
    }


def _request_letter(*, consultation: bool):
    def build(*, case: Case, actor, fields: dict, on, determination: Determination | None) -> Letter:
        return _letter_build(
            case=case,
            kind=LetterKind.REQUEST,
            actor=actor,
            wording=request_wording(case, consultation=consultation),
            issued_on=on,  # dated the day of the act
            basis=_request_basis(case, consultation=consultation, fields=fields),
        )

    return build


def _notice_letter(*, case: Case, actor, fields: dict, on, determination: Determination | None) -> Letter:
    return _letter_build(
        case=case,
        kind=notice_kind(determination),
        actor=actor,
        wording=determination_wording(case, determination),
        issued_on=determination.notified_on,
        document_number=determination.document_number,
        basis={"determination": determination.pk},
    )


def _presentation_letter(*, case: Case, actor, fields: dict, on, determination: Determination | None) -> Letter:
    return _letter_build(
        case=case,
        kind=LetterKind.PRESENTATION,
        actor=actor,
        wording=presentation_wording(case),
        issued_on=fields.get("date") or on,
    )


def _revocation_letter(*, case: Case, actor, fields: dict, on, determination: Determination | None) -> Letter:
    """取消通知 of the revocation the step notifies: dated its effective date, numbered with its document
    number, naming the return claim it opened (if any)."""
    claim = return_claim_of_revocation(case=case)
    return _letter_build(
        case=case,
        kind=LetterKind.REVOCATION_NOTICE,
        actor=actor,
        wording=revocation_wording(
            case, reason=determination.reason, basis=determination.legal_basis,
            effective_on=determination.effective_on, claim=claim,
        ),
        issued_on=determination.notified_on,
        document_number=determination.document_number,
        basis={"revocation": True, "determination": determination.pk, "return_claim": claim.pk if claim else None},
    )


@dataclass(frozen=True)
class ActLetterWording:
    """How the letter a step declares is built, and which words of its procedure's spec it prints."""

    build: Callable[..., Letter]
    needs: tuple[str, ...]  # ``ProcedureSpec`` wording fields the letter prints


#: The letter of every ``ActLetter`` a step may declare (``ActLetter.NONE``: the step sends none).
ACT_LETTERS: dict[str, ActLetterWording] = {
    ActLetter.REQUEST: ActLetterWording(_request_letter(consultation=False), ("request_topic",)),
    ActLetter.CONSULTATION_REQUEST: ActLetterWording(_request_letter(consultation=True), ("consultation_topic",)),
    ActLetter.NOTICE: ActLetterWording(_notice_letter, ("notice_topic", "request_topic")),
    ActLetter.PRESENTATION: ActLetterWording(_presentation_letter, ("presentation_topic",)),
    ActLetter.REVOCATION: ActLetterWording(_revocation_letter, ()),
}


def act_letter_wording_missing(spec: ProcedureSpec, letter: str) -> list[str]:
    """What a procedure lacks to word the letter a step of it declares (empty when nothing is)."""
    if letter == ActLetter.NONE:
        return []
    if letter not in ACT_LETTERS:
        return [f"the letter {letter!r}, which has no wording"]
    return [f"{need} (for its {letter} letter)" for need in ACT_LETTERS[letter].needs if not getattr(spec, need)]


def letter_for_step(
    *, case: Case, letter: str, actor, fields: dict, on, determination: Determination | None = None
) -> Letter | None:
    """The letter an act sends, as its step declares it (``ActLetter``), worded but not yet stored; None for none.

    The act's own record describes it (``letter_particulars``) and
    the transition service stores it with that record: one act, one
    record. ``on``: the day of the act; ``determination``: the one the act wrote or moved on.
    """
    if letter == ActLetter.NONE:
        return None
    return ACT_LETTERS[letter].build(case=case, actor=actor, fields=fields, on=on, determination=determination)


def return_order_issue(*, claim, actor) -> Letter:
    """返還命令 for a claim, issued with the act that ordered the return, dated the day of the order."""
    return letter_issue(
        case=claim.case,
        actor=actor,
        kind=LetterKind.RETURN_ORDER,
        wording=return_order_wording(claim),
        issued_on=claim.noticed_on,
        basis={"return_claim": claim.pk},
    )


def letter_stored_with_act(letter: Letter, *, ready=_ASK) -> Letter:
    """A letter from ``letter_for_step`` that the transition service stored with the record of the act that
    sends it (``workflows.signals.ActAddition.row``): its PDF follows (the drain draws it). ``ready``: what
    ``drain_ready_query`` found in the act's statement, if the service ran it."""
    _drain_follows(ready)
    return letter


def letters_issue_with_acts(pairs: list[tuple[Letter, HistoryEntry]]) -> list[Letter]:
    """Store letters from ``letter_for_step`` under their acts' records, many at once (a bulk step's chunk): one
    INSERT; the drain draws them."""
    letters = []
    for letter, entry in pairs:
        letter.history_entry = entry
        letters.append(letter)
    rows_insert(letters)  # prepared, as ``row_insert`` for one
    _drain_follows()
    return letters


#: Letters a drain numbers, draws, stores and records together: the numbering's and the record's commits are
#: paid once for that many letters.
RENDER_BATCH = 8


class LettersNotDrawn(RuntimeError):
    """A drain drew what it could, but these letters could not be drawn (their errors are logged)."""

    def __init__(self, letter_ids: list[int], drawn: int):
        self.letter_ids, self.drawn = letter_ids, drawn
        super().__init__(
            f"letter(s) {', '.join(map(str, letter_ids))} could not be drawn and still wait "
            f"(see the log; render_letters or the next drain tries again); {drawn} other letter(s) drawn"
        )


def letters_drain() -> int:
    """Number, draw, store and record the letters still waiting, oldest first, RENDER_BATCH at a time, until none
    waits; returns how many this run drew.

    On PostgreSQL a batch skips the letters another worker holds (``SKIP
    LOCKED``), so two drains share the work; a drain whose first batch was
    drawn and stored, and which finds more than a batch still waiting, queues
    another (unless one is READY) for a second worker to help. Only after a
    batch stored: drains that draw nothing (a database error, every letter
    broken) never queue one another. A letter that cannot be drawn is left
    waiting, logged, and not tried again in this run; the others are still
    drawn, and then the drain fails with ``LettersNotDrawn`` naming it, for
    the operator to see (``render_letters`` or the next drain tries it again). A letter this run
    numbered but found held by another worker when drawing is left to that
    worker. So each batch takes letters no batch of this run took and left
    waiting: the run ends, if acts stop storing letters.
    """
    drawn, failed, left = 0, [], set()
    while numbered := _number(exclude=left):
        stored, broken = _draw_and_store(numbered)
        if stored and not drawn and _helper_wanted(exclude=left | set(numbered)):
            _helper_queue()
        drawn += len(stored)
        failed += broken
        left.update(pk for pk in numbered if pk not in stored)
    if failed:
        raise LettersNotDrawn(sorted(failed), drawn)
    return drawn


def _helper_wanted(*, exclude: set[int]) -> bool:
    """Whether a second worker could help: more than a batch still waits (leaving out ``exclude``), on a database
    queue whose workers skip the letters another holds (on SQLite two drains would draw the same letters, of which
    one stores them)."""
    waiting = Letter.objects.filter(status=LetterStatus.PENDING).exclude(pk__in=exclude)
    return (
        isinstance(letters_drain_task.get_backend(), DatabaseBackend)
        and connection.features.has_select_for_update_skip_locked
        and waiting[: RENDER_BATCH + 1].count() > RENDER_BATCH
    )


def letter_render(*, letter_id: int) -> Letter:
    """Number the one letter if needed, draw its PDF, store it with its SHA-256 and record that.

    Safe to run twice or from two workers: a rendered letter is left alone; if
    another worker holds the letter, this waits, and finds it drawn when that
    worker commits. A letter that cannot be drawn raises. The drain
    (``letters_drain``) draws the letters acts queue; this draws one on demand.
    """
    numbered = _number(letter_id=letter_id)
    stored, _broken = _draw_and_store(numbered, wait_for=letter_id)
    return stored.get(letter_id) or Letter.objects.select_related("case", "recipient").get(pk=letter_id)


def _locked(queryset, *, skip_locked: bool = False):
    # The letters' rows only, NO KEY: this may wait for the day's numbers behind a notice that waits for the
    # chain (docs/architecture.md#the-history-chain, "Lock order"), and must not hold up foreign-key checks.
    return queryset.select_for_update(of=("self",), no_key=True, skip_locked=skip_locked).select_related(
        "case", "recipient"
    )


def _number(*, letter_id: int | None = None, exclude=()) -> list[int]:
    """Give letters still waiting their document numbers, in one transaction; the ids of those still waiting.

    The one letter ``letter_id``, waiting for it if another worker holds it; or
    else up to RENDER_BATCH letters waiting, oldest first, none another worker
    holds and none in ``exclude``.
    """
    with transaction.atomic():
        if letter_id is not None:
            letters = [_locked(Letter.objects.filter(pk=letter_id)).get()]
        else:
            waiting = Letter.objects.filter(status=LetterStatus.PENDING).exclude(pk__in=exclude).order_by("pk")
            letters = list(_locked(waiting, skip_locked=True)[:RENDER_BATCH])
        letters = [letter for letter in letters if letter.status == LetterStatus.PENDING]
        for letter in letters:
            if not letter.document_number:
                letter.document_number = document_number_issue(on=letter.issued_on)
                letter.save(update_fields=["document_number"])
    return [letter.pk for letter in letters]


def _draw_and_store(letter_ids: list[int], *, wait_for: int | None = None) -> tuple[dict[int, Letter], list[int]]:
    """Draw the numbered letters still waiting, store their files, and record them in one transaction.

    Where the database can lock rows and skip locked ones (PostgreSQL), the
    letters stay locked while drawn, so two workers never draw the same
    letter: those another worker holds are skipped, except ``wait_for``, which
    is waited for. Elsewhere (SQLite: one writer at a time) they are drawn
    before the write transaction, not while holding it, and only those still
    waiting when it starts are stored. A letter that cannot be drawn is logged
    and left waiting, the others are still stored; ``wait_for`` raises instead.
    Returns the letters stored, by id, and the ids of those that could not be drawn.
    """
    if not letter_ids:
        return {}, []
    holds_rows = connection.features.has_select_for_update_skip_locked
    files: list[str] = []
    broken: list[int] = []
    try:
        with transaction.atomic() if holds_rows else nullcontext():
            waiting = Letter.objects.filter(pk__in=letter_ids, status=LetterStatus.PENDING).order_by("pk")
            if holds_rows:
                letters = list(_locked(waiting, skip_locked=wait_for is None))
            else:
                letters = list(waiting.select_related("case", "recipient"))
            drawn = []
            for letter in letters:
                try:
                    pdf = render_letter(letter_content(letter))
                except Exception:
                    if letter.pk == wait_for:
                        raise
                    logger.exception("letter %s could not be drawn; it still waits", letter.pk)
                    broken.append(letter.pk)
                    continue
                name = default_storage.save(f"letters/{letter.issued_on:%Y/%m}/letter-{letter.pk}.pdf", ContentFile(pdf))
                files.append(name)
                drawn.append((letter, name, hashlib.sha256(pdf).hexdigest()))
            stored = _store(drawn)
    except BaseException:
        for name in files:
            default_storage.delete(name)
        raise
    for letter, name, _digest in drawn:
        if letter.pk not in stored:
            default_storage.delete(name)
    return stored, broken


@transaction.atomic(savepoint=False)
def _store(drawn: list[tuple[Letter, str, str]]) -> dict[int, Letter]:
    """Mark the drawn letters still waiting as rendered, with their files and hashes, and record each."""
    if not drawn:
        return {}
    waiting = set(
        Letter.objects.filter(pk__in=[letter.pk for letter, _, _ in drawn], status=LetterStatus.PENDING)
        .values_list("pk", flat=True)
    )
    now, actor = timezone.now(), system_user()
    stored = {}
    for letter, name, digest in drawn:
        if letter.pk in waiting:
            letter.pdf, letter.sha256, letter.status, letter.rendered_at = name, digest, LetterStatus.RENDERED, now
            stored[letter.pk] = letter
    Letter.objects.bulk_update(stored.values(), ["pdf", "sha256", "status", "rendered_at"])
    for letter in stored.values():
        letter_record(
            letter, action="letter_render", actor=actor,
            data={
                "case": letter.case_id, "document_number": letter.document_number,
                "sha256": letter.sha256, "file": letter.pdf.name,
            },
        )
    return stored


@transaction.atomic
def letter_batch_create(*, actor, letter_ids: list[int], title: str) -> LetterBatch:
    """Group letters the actor may read into a batch (``letters.batch_letters``): one letter per recipient,
    each in one batch only."""
    authorize(actor, "letters.batch_letters")
    wanted = set(letter_ids)
    letters = list(letter_list_for_actor(actor=actor).select_for_update(of=("self",)).filter(pk__in=wanted))
    problems = []
    missing = wanted - {letter.pk for letter in letters}
    if missing:
        problems.append(f"Unknown or out-of-scope letters: {sorted(missing)}.")
    problems += [f"Letter {letter.pk} is already in batch {letter.batch_id}." for letter in letters if letter.batch_id]
    recipients = [letter.recipient_id for letter in letters]
    if len(recipients) != len(set(recipients)):
        problems.append("A batch holds one letter per recipient.")
    if not wanted:
        problems.append("Name at least one letter.")
    if problems:
        raise InvalidInput(details={"letters": problems})
    batch = LetterBatch.objects.create(title=title, created_by=actor)
    Letter.objects.filter(pk__in=wanted).update(batch=batch)
    history_append(
        actor=actor,
        action="letter_batch_create",
        subject_type="letter_batch",
        subject_id=batch.pk,
        data={"title": title, "letters": sorted(wanted)},
    )
    return batch
