"""Reads with scope applied (``grants.access``). Views never filter for permission themselves."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from web.errors import DomainError, InvalidInput
from web.rows import first_row, rows_of, rows_select, scalar, shared_read
from web.typing import plain, search_key

from .access import READ_CASE, authorize, scope_q
from .procedures import definition_full
from .catalogue import UNCOMMITTING_KINDS, DeterminationKind, procedure_get, procedure_list, stream_list
from .errors import CaseNotFound
from .local_governments import search_kana, search_text
from .models import (
    AWAITING_RECIPIENT_STATES,
    DECISION_IN_FORCE_STATES,
    GRANT_REVOKED_STATES,
    REVOCATION_UNDER_WAY_STATES,
    BudgetCommitment,
    BudgetLedger,
    BudgetNotice,
    Case,
    CaseState,
    Determination,
    FiscalYear,
    HistoryEntry,
    ProcedureYear,
    Recipient,
    RecipientKind,
)
from .rows import (
    PENDING_ORDER,
    PENDING_Q,
    PENDING_WHERE,
    PREFECTURE_OF_ORDER,
    PREFECTURE_OF_WHERE,
    PREFECTURE_ON_FILE,
    case_fetch_for_update,
    cases_fetch_for_update,
)


def case_list_for_actor(
    *,
    actor,
    fiscal_year: int | None = None,
    stream: str | None = None,
    part: str | None = None,
    procedure: str | None = None,
    recipient: str | None = None,
    recipient_search: str | None = None,
    prefecture: str | None = None,
    state: str | None = None,
    officer: str | None = None,
    overdue_on: date | None = None,
    search: str | None = None,
) -> QuerySet[Case]:
    """Cases the actor may read, filtered; sorted by effective deadline (none last).

    ``recipient`` is a code; ``recipient_search`` what a person typed (``recipient_search_q``).
    ``search`` finds a case by its recipient (``recipient_search_q``), by its number (``292`` or
    ``#292``) or by a determination's document number, in part.
    """
    cases = (
        Case.objects.filter(scope_q(actor)).select_related("recipient", "officer")
    )
    if search:
        cases = cases.filter(case_search_q(search))
    if fiscal_year is not None:
        cases = cases.filter(fiscal_year_id=fiscal_year)
    if stream:
        cases = cases.filter(stream=stream)
    if part is not None:
        cases = cases.filter(part=part)
    if procedure:
        cases = cases.filter(procedure=procedure)
    if recipient:
        cases = cases.filter(recipient__code=recipient)
    if recipient_search:
        cases = cases.filter(recipient__in=Recipient.objects.filter(recipient_search_q(recipient_search)))
    if prefecture:
        cases = cases.filter(recipient__prefecture_code=prefecture)
    if state:
        cases = cases.filter(state=state)
    if officer:
        cases = cases.filter(officer__username=officer)
    if overdue_on is not None:
        cases = cases.filter(case_overdue_q(on=overdue_on))
    return cases.order_by(F("deadline_effective").asc(nulls_last=True), "pk")


def recipients_matching(text: str) -> QuerySet[Recipient]:
    """Recipients whose name, reading or code matches what a person typed (``recipient_search_q``)."""
    return Recipient.objects.filter(recipient_search_q(text))


def case_search_q(text: str) -> Q:
    """The cases ``text`` names (see ``case_list_for_actor``); full-width input is read as ASCII."""
    key = search_key(text)
    match = Q(recipient__in=recipients_matching(text)) | Q(
        pk__in=Determination.objects.filter(document_number__icontains=plain(text)).values("case_id")
    )
    number = key.removeprefix("#")
    if number.isdecimal() and len(number) <= 18:
        match |= Q(pk=int(number))
    return match


def case_overdue_q(*, on: date) -> Q:
    """Overdue: the recipient still owes papers after the effective deadline (papers in review are not overdue)."""
    return Q(state__in=[state.value for state in AWAITING_RECIPIENT_STATES], deadline_effective__lt=on)


def case_get_for_actor(
    *, actor, case_id: int, lock: bool = False, lock_recipient: bool = False, new_determination: bool = False,
    version_guard: bool = False,
) -> Case:
    """One case the actor may read, with its recipient and officer; CaseNotFound or OutOfScope otherwise.

    ``lock`` (inside an act's transaction) locks the case row, through the prepared
    statement of ``grants.rows`` since every transition runs it; ``lock_recipient`` its recipient's too;
    ``new_determination`` takes the id of the determination the act creates with it (``case_fetch_for_update``);
    ``version_guard`` (with ``lock``): the act's read without the row lock, for an act whose one write statement
    checks the case's version instead.
    """
    if version_guard and (lock_recipient or not lock):
        raise ValueError("case_get_for_actor: version_guard is the act's read (lock=True) without any row lock")
    if lock:
        case = (
            case_fetch_for_update(
                case_id, lock_recipient=lock_recipient, new_determination=new_determination, row_lock=not version_guard
            )
            if isinstance(case_id, int) else None
        )
    else:
        try:
            case = Case.objects.select_related("recipient", "officer").get(pk=case_id)  # officer: letters' contact
        except (Case.DoesNotExist, ValueError, TypeError):
            case = None
    return _case_readable(actor, case_id, case)


def _case_readable(actor, case_id, case: Case | None) -> Case:
    if case is None:
        raise CaseNotFound(details={"case": case_id})
    prefecture = case.recipient.prefecture_code
    authorize(actor, READ_CASE, stream=case.stream, prefecture=prefecture, details={"case": case_id})
    return case


def cases_get_for_actor_locked(*, actor, case_ids: list) -> dict:
    """``case_get_for_actor(lock=True)`` for many cases in one read: by id, each case the actor may read, or the
    error ``case_get_for_actor`` would raise for it (CaseNotFound, OutOfScope)."""
    found = cases_fetch_for_update([case_id for case_id in case_ids if isinstance(case_id, int)])
    outcome = {}
    for case_id in case_ids:
        try:
            outcome[case_id] = _case_readable(actor, case_id, found.get(case_id) if isinstance(case_id, int) else None)
        except DomainError as exc:
            outcome[case_id] = exc
    return outcome


def fiscal_year_on_file(*, year: int, field: str = "fiscal_year") -> FiscalYear:
    """The fiscal year, set up; otherwise InvalidInput naming ``field`` (the input the year came from)."""
    try:
        return FiscalYear.objects.get(pk=year)
    except (FiscalYear.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(details={field: [_("Fiscal year %(year)s is not set up.") % {"year": year}]}) from None


def fiscal_year_list() -> list[int]:
    """The fiscal years on file (their April years), oldest first."""
    return list(FiscalYear.objects.order_by("year").values_list("year", flat=True))


def recipient_search_q(text: str) -> Q:
    """Recipients whose name, reading or code matches what a person typed.

    The name (Japanese or English) contains the text; the reading contains it
    in katakana (hiragana, katakana, half or full width all match: ながれやま,
    ナガレヤマ and ﾅｶﾞﾚﾔﾏ find 流山市); a code starts with it (two digits: the
    prefecture itself, not all it holds), or was it before the official codes
    (``former_code``). Names spelt with ヶ match a ケ typed for it and the other
    way round (鎌ケ谷市, 鶴ヶ島市).
    """
    typed = search_text(text)
    if not typed:
        return Q()
    names = {typed, typed.replace("ヶ", "ケ"), typed.replace("ケ", "ヶ")}
    by_code = Q(code=typed) if len(typed) <= 2 else Q(code__startswith=typed)
    query = by_code | Q(former_code=typed) | Q(name_en__icontains=typed)
    query |= Q(name_kana__contains=search_kana(text))
    for name in names:
        query |= Q(name_ja__contains=name)
    return query


def prefecture_on_file(recipient: Recipient) -> Recipient | None:
    """The prefecture (master data) a recipient belongs to, or None when it is not on file.

    Read once per recipient instance: a letter's addressee and its 経由 line, and a bulk request's covering
    letter, ask about the same recipient within one act. An act's case read brings it with the case
    (``grants.rows``); otherwise it is read here, once per ``web.rows.shared_reads`` for a bulk step's chunk.
    """
    if PREFECTURE_ON_FILE not in recipient.__dict__:
        found = shared_read(
            ("prefecture", recipient.prefecture_code),
            lambda: rows_select(
                Recipient, f"{PREFECTURE_OF_WHERE.format(t='t')} AND t.code = %s", [recipient.prefecture_code],
                order_by=PREFECTURE_OF_ORDER.format(t="t"),
            ),
        )
        recipient.__dict__[PREFECTURE_ON_FILE] = found[0] if found else None
    return recipient.__dict__[PREFECTURE_ON_FILE]


def prefecture_by_code() -> dict[str, Recipient]:
    """Every prefecture on file by its JIS code (47 rows), to name the prefecture of a page of recipients."""
    return {prefecture.code: prefecture for prefecture in Recipient.objects.filter(kind=RecipientKind.PREFECTURE)}


def recipient_list(
    *,
    kind: str | None = None,
    prefecture: str | None = None,
    q: str | None = None,
    code: str | None = None,
    active: bool | None = None,
) -> QuerySet[Recipient]:
    """Recipients, optionally by kind, prefecture (JIS code), search text (``recipient_search_q``),
    exact code, and whether they take cases (``RecipientQuerySet.active``)."""
    recipients = Recipient.objects.all()
    if kind:
        recipients = recipients.filter(kind=kind)
    if prefecture:
        recipients = recipients.filter(prefecture_code=prefecture)
    if q:
        recipients = recipients.filter(recipient_search_q(q))
    if code:
        recipients = recipients.filter(code=code)
    if active is not None:
        recipients = recipients.active() if active else recipients.inactive()
    return recipients.order_by("prefecture_code", "kind", "code")


@dataclass(frozen=True)
class GrantStanding:
    """Where a fiscal year's grant stands (its initial decision and its change): ``amount`` as last notified while
    a decision of it is in force (``grant_amount_as_last_notified``; None when none is); ``revoked`` once a
    decision of it was revoked (its revocation notified: nothing of the grant stands, the revocation's return
    settles it); ``revoking`` while a revocation of it is drafted or approved, not yet notified."""

    amount: int | None
    revoked: bool
    revoking: bool


def grant_standing(*, fiscal_year: int, stream: str, part: str, recipient_id: int) -> GrantStanding:
    """A recipient's grant of a fiscal year, stream and part (``GrantStanding``): one query of its cases."""
    grant = [spec.code for spec in procedure_list(stream) if spec.sets_grant]
    cases = Case.objects.filter(
        fiscal_year_id=fiscal_year, stream=stream, part=part, recipient_id=recipient_id, procedure__in=grant
    ).values_list("procedure", "state", "amount_current")
    notified, states = {}, set()
    for procedure, state, amount in cases:
        states.add(state)
        if state in DECISION_IN_FORCE_STATES and amount is not None:
            notified[procedure] = amount
    return GrantStanding(
        amount=grant_amount_as_last_notified(notified, stream),
        revoked=bool(states & GRANT_REVOKED_STATES),
        revoking=bool(states & REVOCATION_UNDER_WAY_STATES),
    )


def grant_current_amount(*, fiscal_year: int, stream: str, part: str, recipient_id: int) -> int | None:
    """The amount of a fiscal year's grant as last notified (change over initial), or None."""
    return grant_standing(fiscal_year=fiscal_year, stream=stream, part=part, recipient_id=recipient_id).amount


def grant_amount_as_last_notified(amounts: dict[str, int | None], stream: str) -> int | None:
    """Of a grant's notified amounts by procedure, the change's if there is one, else the decision's."""
    kinds = {procedure_get(stream, procedure).determination: amount for procedure, amount in amounts.items()}
    changed = kinds.get(DeterminationKind.CHANGE)
    return changed if changed is not None else kinds.get(DeterminationKind.DECISION)


@dataclass(frozen=True)
class BudgetPosition:
    """A stream, part and fiscal year's budget-obligation notices against what its approved decisions commit.

    ``committed``: what approved decisions and changes commit now (each
    recipient's grant at its latest approved amount; a change replaces the
    amount it changes). ``with_pending``: the same with the pending draft
    approved. The notices are a ceiling on the year's commitments.
    """

    ceiling: int
    committed: int
    with_pending: int

    @property
    def remaining(self) -> int:
        return self.ceiling - self.committed

    @property
    def left_after_pending(self) -> int:
        return self.ceiling - self.with_pending

    @property
    def shortfall(self) -> int:
        return max(self.with_pending - self.ceiling, 0)

    @property
    def covered(self) -> bool:
        return self.with_pending <= self.ceiling


def _commitment_key(recipient_id: int, stream: str, procedure: str) -> tuple:
    """One recipient's grant: the initial decision and its changes share a key; the adjustment grant is its own."""
    return (recipient_id, "" if procedure_get(stream, procedure).sets_grant else procedure)


@dataclass
class BudgetCommitments:
    """A stream, part and fiscal year's notices (``ceiling``) and what its approved decisions commit: each
    recipient's grant at its latest approved amount (``latest``, by commitment key)."""

    ceiling: int
    latest: dict[tuple, int]

    def position(self, pending: Determination | None = None) -> BudgetPosition:
        """The position with ``pending`` (a draft awaiting approval, so not among the approved) approved."""
        return _position(self.ceiling, sum(self.latest.values()), pending, lambda key: self.latest.get(key, 0))

    def approved(self, pending: Determination) -> None:
        """Count ``pending`` as approved (a bulk approval's earlier acts, not yet written, for its later ones)."""
        if commits(pending):
            self.latest[budget_key_of(pending.case)] = pending.amount


def commits(pending: Determination | None) -> bool:
    """Whether approving ``pending`` commits money: settlements and revocations commit nothing."""
    return pending is not None and pending.kind not in UNCOMMITTING_KINDS


def budget_position_from(*, ceiling: int, committed: int, pending: Determination, replaced: int) -> BudgetPosition:
    """The position of a ceiling, a committed total and ``pending``, whose key commits ``replaced`` now (the budget
    ledger's figures, read under its lock by ``grants.services.budget_position_serialised``)."""
    return _position(ceiling, committed, pending, lambda _key: replaced)


def _position(ceiling: int, committed: int, pending: Determination | None, replaced: Callable[[tuple], int]) -> BudgetPosition:
    """The one rule of a budget position (docs/money.md): approving ``pending`` replaces what its commitment key
    commits now (``replaced(key)``, its latest approved amount) with its own amount."""
    with_pending = committed - replaced(budget_key_of(pending.case)) + pending.amount if commits(pending) else committed
    return BudgetPosition(ceiling=ceiling, committed=committed, with_pending=with_pending)


def budget_commitments(*, fiscal_year: int, stream: str, part: str) -> BudgetCommitments:
    """Two queries for a stream, part and fiscal year: its notices' total and its approved decisions (docs/money.md).

    Settlements commit nothing new (they can only lower or confirm), a
    revocation's draft commits nothing either, and a revoked or withdrawn case
    commits nothing. The database picks each
    commitment key's latest approval (``_latest_sql``, which ``budget_position``
    sums in the same way).
    """
    year = (fiscal_year, stream, part)
    return budget_commitments_of([year])[year]


def budget_commitments_of(years: Iterable[tuple[int, str, str]]) -> dict[tuple[int, str, str], BudgetCommitments]:
    """``budget_commitments`` of each ``(fiscal year, stream, part)`` in one statement however many there are (the
    approval queue's page): a union of, for each year, its notices' sum (``budget_notice_sum_sql``, the row whose
    recipient is NULL) and its keys' latest approvals (``_year_latest_sql``)."""
    years = list(dict.fromkeys(years))
    if not years:
        return {}
    selects, params = [], []
    for number, (fiscal_year, stream, part) in enumerate(years):
        sql, year_params = budget_year_latest_query(fiscal_year=fiscal_year, stream=stream, part=part)
        selects.append(f"SELECT {number} AS year_number, recipient_id, grant_key, amount FROM ({sql}) year{number}")
        selects.append(f"SELECT {number}, NULL, NULL, ({budget_notice_sum_sql()})")
        params += [*year_params, fiscal_year, stream, part]
    ceilings: dict[tuple, int] = {}
    latest: dict[tuple, dict] = {year: {} for year in years}
    for number, recipient_id, key, amount in rows_of(" UNION ALL ".join(selects), params):
        if recipient_id is None:  # PostgreSQL's SUM of bigint is numeric
            ceilings[years[number]] = int(amount)
        else:
            latest[years[number]][(recipient_id, key)] = int(amount)
    return {year: BudgetCommitments(ceiling=ceilings[year], latest=latest[year]) for year in years}


def budget_position(*, fiscal_year: int, stream: str, part: str, pending: Determination | None = None) -> BudgetPosition:
    """Ceiling, committed total and what the pending draft (a decision or change) would leave (docs/money.md).

    ``budget_commitments(...).position(pending)`` in one statement that returns
    three sums, not a row per commitment: prepared, every approval runs it
    (docs/architecture.md#sql-written-by-hand). ``pending`` may be approved
    already: it is left out of what is committed.
    """
    grant = _grant_procedures(stream)
    recipient_id, key = budget_key_of(pending.case) if commits(pending) else (None, "")
    ceiling, committed, replaced = first_row(
        _budget_position_sql(len(grant)),
        [
            fiscal_year, stream, part,  # the notices
            recipient_id, key,  # what the draft replaces
            *_latest_params(grant, fiscal_year, stream, part, leaving_out=pending.pk if pending is not None else 0),
        ],
    )
    # PostgreSQL's SUM of bigint is numeric
    return _position(int(ceiling), int(committed), pending, lambda _key: int(replaced))


def _grant_procedures(stream: str) -> tuple[str, ...]:
    return tuple(spec.code for spec in procedure_list(stream) if spec.sets_grant)


def budget_notice_sum_sql() -> str:
    """The notices' sum of a stream, part and fiscal year (its parameters: the year, the stream, the part)."""
    table = BudgetNotice._meta.db_table
    return f"SELECT COALESCE(SUM(amount), 0) FROM {table} WHERE fiscal_year_id = %s AND stream = %s AND part = %s"


#: The states of a case whose determinations commit nothing (withdrawn before notice, or revoked).
UNCOMMITTING_STATES = (CaseState.REVOKED, CaseState.WITHDRAWN)


def _latest_params(
    grant: tuple[str, ...], fiscal_year: int, stream: str, part: str, *, leaving_out: int,
    key: tuple[int, tuple[str, ...]] | None = None,
) -> list:
    # ids start at 1: leaving out 0 leaves out none
    params = [*grant, fiscal_year, stream, part, *sorted(UNCOMMITTING_KINDS), *UNCOMMITTING_STATES, leaving_out]
    if key is not None:  # one recipient's cases of the key's procedures (``_latest_sql(key_procedures=...)``)
        recipient_id, procedures = key
        params += [recipient_id, *procedures]
    return params


#: A key's latest approval: the latest ``approved_at``, then the highest id (docs/money.md, "The budget ledger").
#: The window of ``_latest_sql`` orders by these columns; ``later_than_sql`` compares by them.
LATEST_BY = ("approved_at", "id")


def later_than_sql(alias: str) -> str:
    """SQL true when the determination ``alias`` comes after the one whose ``LATEST_BY`` values are its parameters
    (``later_than_params``), by the order of a key's latest."""
    return f"({', '.join(f'{alias}.{column}' for column in LATEST_BY)}) > ({', '.join(['%s'] * len(LATEST_BY))})"


def later_than_params(determination: Determination) -> list:
    """``later_than_sql``'s parameters for a determination."""
    return [
        field.get_db_prep_value(getattr(determination, field.attname), connection)
        for field in (Determination._meta.get_field(name) for name in LATEST_BY)
    ]


def _latest_sql(grant_procedures: int, key_procedures: int = 0) -> str:
    """Approved decisions and changes (``_latest_params``) with their commitment key; ``newest = 1``: each key's latest.

    The one definition of what a key commits (docs/money.md, "The budget ledger"). ``key_procedures``: only one
    key's rows, one recipient's cases of that many procedures (the key's), read through the case's unique index.
    """
    determinations, cases = Determination._meta.db_table, Case._meta.db_table
    # ``_commitment_key`` in SQL: the recipient, and "" for a grant's decision and changes, else the procedure.
    key = (
        f"CASE WHEN c.procedure IN ({', '.join(['%s'] * grant_procedures)}) THEN '' ELSE c.procedure END"
        if grant_procedures
        else "c.procedure"
    )
    one_key = (
        f" AND c.recipient_id = %s AND c.procedure IN ({', '.join(['%s'] * key_procedures)})" if key_procedures else ""
    )
    return (
        "SELECT id, amount, recipient_id, grant_key, ROW_NUMBER() OVER "
        f"(PARTITION BY recipient_id, grant_key ORDER BY {', '.join(f'{column} DESC' for column in LATEST_BY)}) AS newest "
        f"FROM (SELECT d.id, d.amount, d.approved_at, c.recipient_id, {key} AS grant_key "
        f"FROM {determinations} d JOIN {cases} c ON c.id = d.case_id "
        "WHERE c.fiscal_year_id = %s AND c.stream = %s AND c.part = %s AND d.approved_at IS NOT NULL "
        f"AND d.kind NOT IN ({', '.join(['%s'] * len(UNCOMMITTING_KINDS))}) "
        f"AND c.state NOT IN ({', '.join(['%s'] * len(UNCOMMITTING_STATES))}) "
        f"AND d.id <> %s{one_key}) approved"
    )


@cache
def _year_latest_sql(grant_procedures: int) -> str:
    return f"SELECT recipient_id, grant_key, id, amount FROM ({_latest_sql(grant_procedures)}) latest WHERE newest = 1"


@cache
def _key_latest_sql(grant_procedures: int, key_procedures: int) -> str:
    return f"SELECT id, amount FROM ({_latest_sql(grant_procedures, key_procedures)}) latest WHERE newest = 1"


def budget_year_latest_query(*, fiscal_year: int, stream: str, part: str) -> tuple[str, list]:
    """The SQL and parameters of every commitment key's latest approval of a stream, part and fiscal year:
    rows of ``(recipient id, grant key, determination id, amount)`` (``_latest_sql``; the ledger's rebuild)."""
    grant = _grant_procedures(stream)
    return _year_latest_sql(len(grant)), _latest_params(grant, fiscal_year, stream, part, leaving_out=0)


def budget_key_latest_query(*, fiscal_year: int, stream: str, part: str, recipient_id: int, grant_key: str) -> tuple[str, list]:
    """The SQL and parameters of one commitment key's latest approval: one row ``(determination id, amount)``, or
    none when the key commits nothing (``_latest_sql`` restricted to the key; the ledger's refresh)."""
    grant = _grant_procedures(stream)
    procedures = grant if grant_key == "" else (grant_key,)
    key = (recipient_id, procedures)
    return (
        _key_latest_sql(len(grant), len(procedures)),
        _latest_params(grant, fiscal_year, stream, part, leaving_out=0, key=key),
    )


def budget_key_of(case: Case) -> tuple[int, str]:
    """The commitment key of a case's determinations: its recipient and its grant key (``_commitment_key``)."""
    return _commitment_key(case.recipient_id, case.stream, case.procedure)


def budget_position_of_ledger(*, fiscal_year: int, stream: str, part: str, pending: Determination) -> BudgetPosition:
    """``budget_position`` for a draft awaiting approval, from the budget ledger (``BudgetLedger``,
    ``BudgetCommitment``) instead of the year's approvals: the notices' sum, the year's ``committed`` and what the
    draft's key commits now, in one statement whatever the size of the year (docs/money.md, "The budget ledger").

    ``pending`` is not approved (the ledger counts what is). The caller holds the year's budget lock
    (``grants.services.budget_checks_serialised``), which every write of the ledger takes first; an approval
    takes it and reads this in one statement (``grants.services.budget_position_serialised``).
    """
    recipient_id, key = budget_key_of(pending.case) if commits(pending) else (0, "")
    ceiling, committed, replaced = first_row(
        _ledger_position_sql(), [fiscal_year, stream, part, fiscal_year, stream, part, fiscal_year, stream, part, recipient_id, key]
    )
    # PostgreSQL's SUM of bigint is numeric
    return _position(int(ceiling), int(committed), pending, lambda _key: int(replaced))


@cache
def _ledger_position_sql() -> str:
    ledger, commitments = BudgetLedger._meta.db_table, BudgetCommitment._meta.db_table
    year = "fiscal_year_id = %s AND stream = %s AND part = %s"
    return (
        f"SELECT ({budget_notice_sum_sql()}), "
        f"COALESCE((SELECT committed FROM {ledger} WHERE {year}), 0), "
        f"COALESCE((SELECT amount FROM {commitments} WHERE {year} AND recipient_id = %s AND grant_key = %s), 0)"
    )


@cache
def _budget_position_sql(grant_procedures: int) -> str:
    """The notices' sum, the committed sum and the latest amount of one key (``budget_position``'s parameters)."""
    return (
        f"SELECT ({budget_notice_sum_sql()}), COALESCE(SUM(amount), 0), "
        "COALESCE(SUM(CASE WHEN recipient_id = %s AND grant_key = %s THEN amount ELSE 0 END), 0) "
        f"FROM ({_latest_sql(grant_procedures)}) latest WHERE newest = 1"
    )


def budget_notice_total(*, fiscal_year: int, stream: str, part: str) -> int:
    """Sum of the budget-obligation notices recorded for a stream, part and fiscal year."""
    # prepared: every notices page runs it; PostgreSQL's SUM of bigint is numeric
    return int(scalar(budget_notice_sum_sql(), [fiscal_year, stream, part]))


def procedure_year_definition(*, fiscal_year: int, stream: str, part: str, procedure: str) -> tuple[dict, int | None]:
    """The procedure's definition in force for a fiscal year and its revision (the procedure's defaults
    and None when the year's schedule has not defined it)."""
    row = (
        ProcedureYear.objects.filter(fiscal_year_id=fiscal_year, stream=stream, part=part, procedure=procedure)
        .values_list("definition", "revision")
        .first()
    )
    definition, revision = row if row else ({}, None)
    return definition_full(stream, procedure, definition), revision


def history_entry_day(entry: HistoryEntry) -> date:
    """The day a recorded act took place: its ``occurred_on`` when entered later, else the day it was recorded."""
    day = (entry.data or {}).get("occurred_on")
    return date.fromisoformat(day) if day else timezone.localtime(entry.occurred_at).date()


def case_last_act_on(*, case: Case) -> date | None:
    """The day the case's latest act took place (None before its first act).

    Its acts are the records whose subject is the case: a letter drawn, an
    inquiry recorded or a return claim issued about it are records of their
    own subjects, and a past act is not dated against them. Opening the case
    counts only when it was opened as of a past day: a case opened today to
    enter its paper history takes acts of any earlier day.
    """
    acts = HistoryEntry.objects.filter(case=case, subject_type="case")
    for entry in acts.order_by("-pk").only("action", "occurred_at", "data"):
        if entry.action != "create" or "occurred_on" in (entry.data or {}):
            return history_entry_day(entry)
    return None


def determination_pending(*, case_id: int) -> Determination | None:
    """The case's determination drafted and not yet notified or sent back (newest first)."""
    found = rows_select(
        Determination, f"t.case_id = %s AND {PENDING_WHERE.format(t='t')}", [case_id], order_by=PENDING_ORDER.format(t="t")
    )
    return found[0] if found else None


def determination_sent_back(*, case_id: int) -> Determination | None:
    """The case's latest determination when a supervisor sent it back and its drafter has not withdrawn it."""
    last = Determination.objects.filter(case_id=case_id).order_by("-drafted_at", "-pk").first()
    if last is None or not last.sent_back_reason or last.withdrawn_at is not None or last.notified_on is not None:
        return None
    return last


def notified_fiscal_year_latest_for_actor(*, actor) -> int | None:
    """The latest fiscal year with a notified case in the actor's scope (None before the first notice)."""
    return (
        Case.objects.filter(scope_q(actor), state__in=[state.value for state in DECISION_IN_FORCE_STATES])
        .order_by("-fiscal_year_id")
        .values_list("fiscal_year_id", flat=True)
        .first()
    )


@dataclass(frozen=True)
class BudgetLine:
    """One stream and part of a fiscal year on the budget notices page: its notices and its position."""

    stream: str
    part: str
    notices: list
    position: BudgetPosition


def budget_notice_overview_for_actor(*, actor, fiscal_year: int) -> list[BudgetLine]:
    """Every stream and part the bureau decides, for ``fiscal_year``: the budget-obligation notices recorded
    (oldest first), the year's ceiling, what approved decisions commit and what remains (``budget_position``).

    A bureau-wide overview of money: for those who read cases bureau-wide (PermissionDenied otherwise).
    """
    authorize(actor, READ_CASE)
    authorize(actor, "grants.work_bureau_wide")
    notices = BudgetNotice.objects.filter(fiscal_year_id=fiscal_year).select_related("recorded_by")
    by_line: dict[tuple[str, str], list] = {}
    for notice in notices.order_by("received_on", "pk"):
        by_line.setdefault((notice.stream, notice.part), []).append(notice)
    return [
        BudgetLine(
            stream=info.code,
            part=part,
            notices=by_line.get((info.code, part), []),
            position=budget_position(fiscal_year=fiscal_year, stream=info.code, part=part),
        )
        for info in stream_list()
        if info.bureau_decides
        for part in info.part_codes
    ]


def decision_in_force(case: Case) -> Determination | None:
    """The case's decision in force: its latest notified determination, revocations aside (what a notice
    restates, a revocation revokes and a revocation's return is reckoned against)."""
    return (
        case.determinations.filter(notified_on__isnull=False)
        .exclude(kind=DeterminationKind.REVOCATION)
        .order_by("-notified_on", "-pk")
        .first()
    )
