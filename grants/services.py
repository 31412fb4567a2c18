"""Writes on domain data that are not state transitions."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from web.errors import InvalidInput
from web.rows import first_row, rows_of, shared_read, shared_seed, statement_cursor

from .access import authorize
from .catalogue import is_valid_combination, procedure_get, stream_get
from .errors import DuplicateCase
from .history import history_append
from .limits import EARLIEST_DATE, FIRST_FISCAL_YEAR, LATEST_DATE, MAX_YEN
from .models import BudgetCommitment, BudgetLedger, BudgetNotice, Case, Determination, FiscalYear, ProcedureYear, Recipient, Scope, bureau_prefectures
from .procedures import definition_full, definition_problems
from .recipients import check_digit_problem
from .selectors import (
    UNCOMMITTING_STATES,
    BudgetPosition,
    budget_notice_sum_sql,
    budget_position_from,
    budget_position_of_ledger,
    budget_key_latest_query,
    budget_key_of,
    budget_year_latest_query,
    commits,
    fiscal_year_on_file,
    later_than_params,
    later_than_sql,
    procedure_year_definition,
)

def _settled_year(stream: str, procedure: str, fiscal_year: int, settles: int | None) -> int | None:
    """The fiscal year a settlement settles (default: the nearest it may, as its spec says); None for others."""
    spec = procedure_get(stream, procedure)
    if not spec.settles:
        if settles is not None:
            raise InvalidInput(details={"settles_fiscal_year": [_("Only a settlement settles an earlier fiscal year.")]})
        return None
    least, most = spec.settles_years_back
    settles = fiscal_year - least if settles is None else settles
    back = fiscal_year - settles
    if back < least or (most is not None and back > most) or settles < FIRST_FISCAL_YEAR:
        if least == most:
            rule = _("A %(procedure)s settles a fiscal year %(least)s year(s) before %(year)s.")
        else:
            rule = _("A %(procedure)s settles a fiscal year at least %(least)s year(s) before %(year)s.")
        raise InvalidInput(
            details={"settles_fiscal_year": [rule % {"procedure": procedure, "least": least, "year": fiscal_year}]}
        )
    return settles


def _recipient_taking_cases(code: str) -> Recipient:
    """The recipient of a new case: on file, in a prefecture the bureau serves, not retired (InvalidInput otherwise)."""
    problem = check_digit_problem(code)
    if problem:
        raise InvalidInput(details={"recipient": [problem]})
    try:
        recipient = Recipient.objects.get(code=code)
    except Recipient.DoesNotExist:
        raise InvalidInput(details={"recipient": [_("Unknown recipient code %(code)r.") % {"code": code}]}) from None
    if recipient.retired_on is not None:
        message = _("%(name)s (%(code)s) left the national list on %(day)s and takes no new cases.")
        raise InvalidInput(details={"recipient": [message % {"name": recipient.name_ja, "code": code, "day": recipient.retired_on}]})
    if not recipient.is_active:
        message = _("%(name)s (%(code)s) is in a prefecture this bureau does not serve.")
        raise InvalidInput(details={"recipient": [message % {"name": recipient.name_ja, "code": code}]})
    return recipient


@transaction.atomic
def case_create(
    *,
    actor,
    fiscal_year: int,
    stream: str,
    part: str,
    procedure: str,
    recipient_code: str,
    settles_fiscal_year: int | None = None,
    occurred_on: date | None = None,
) -> Case:
    """Open a case in ``planned`` (``grants.act_on_case`` within the actor's scope), one per procedure-year
    and recipient."""
    authorize(actor, "grants.act_on_case")
    part = part or ""
    if not is_valid_combination(stream, part, procedure):
        raise InvalidInput(
            details={
                "procedure": [
                    _("%(stream)s/%(part)s has no procedure %(procedure)r.")
                    % {"stream": stream, "part": part or "-", "procedure": procedure}
                ]
            }
        )
    year = fiscal_year_on_file(year=fiscal_year)
    recipient = _recipient_taking_cases(recipient_code)
    if recipient.kind not in stream_get(stream).recipient_kinds:
        raise InvalidInput(
            details={
                "recipient": [
                    _("A %(kind)s is not a recipient of %(stream)s.") % {"kind": recipient.kind, "stream": stream}
                ]
            }
        )
    authorize(actor, "grants.act_on_case", stream=stream, prefecture=recipient.prefecture_code)
    settles_fiscal_year = _settled_year(stream, procedure, year.year, settles_fiscal_year)
    if occurred_on is not None and not EARLIEST_DATE <= occurred_on <= timezone.localdate():
        raise InvalidInput(details={"occurred_on": [_("A case cannot be opened on a day in the future.")]})
    # The case keeps its year's definition as it stands now, whatever a later edit of the schedule says.
    definition, revision = procedure_year_definition(
        fiscal_year=year.year, stream=stream, part=part, procedure=procedure
    )
    try:
        with transaction.atomic():
            case = Case.objects.create(
                fiscal_year=year,
                stream=stream,
                part=part,
                procedure=procedure,
                recipient=recipient,
                settles_fiscal_year=settles_fiscal_year,
                officer=actor,
                definition=definition,
                definition_revision=revision,
            )
    except IntegrityError:
        raise DuplicateCase() from None
    history_append(
        actor=actor,
        action="create",
        subject_type="case",
        subject_id=case.pk,
        case=case,
        target=case.state,
        data={
            "procedure": procedure,
            "part": part,
            "settles_fiscal_year": settles_fiscal_year,
            "definition": definition,
            "definition_revision": revision,
            # a case opened for a past act (paper history) began on that act's day
            **({"occurred_on": occurred_on.isoformat()} if occurred_on is not None else {}),
        },
    )
    return case


def procedure_year_define(*, actor, fiscal_year: int, stream: str, procedure: str, definition: dict, schedule: str) -> bool:
    """Write a procedure's definition of a fiscal year (every part of its stream), from the schedule in force.

    Called by the schedules app whenever the year's schedule changes, inside
    its transaction; a changed definition raises the revision and writes one
    history record with both shapes. Cases already open keep their copy.
    Returns whether anything changed.
    """
    authorize(actor, "schedules.edit_schedule")
    problems = definition_problems(definition)
    if problems:
        raise InvalidInput(details={f"definition.{name}" if name else "definition": texts for name, texts in problems.items()})
    full = definition_full(stream, procedure, definition)
    year, _created = FiscalYear.objects.get_or_create(year=fiscal_year)  # a rolled-forward year is set up with its plan
    changed = False
    for part in stream_get(stream).part_codes:
        row, created = ProcedureYear.objects.select_for_update().get_or_create(
            fiscal_year=year, stream=stream, part=part, procedure=procedure,
            defaults={"definition": full, "schedule": schedule},
        )
        before = None if created else row.definition
        if before == full:
            continue
        if not created:
            row.definition, row.schedule, row.revision = full, schedule, row.revision + 1
            row.save(update_fields=["definition", "schedule", "revision"])
        changed = True
        history_append(
            actor=actor,
            action="procedure_definition",
            subject_type="procedure_year",
            subject_id=str(row.pk),
            fiscal_year=fiscal_year,
            stream=stream,
            data={"procedure": procedure, "part": part, "schedule": schedule, "before": before, "after": full, "revision": row.revision},
        )
    return changed


@transaction.atomic
def budget_notice_record(
    *, actor, fiscal_year: int, stream: str, part: str, amount: int, received_on: date, reference: str
) -> BudgetNotice:
    """Record the ministry's budget-obligation notice (``grants.record_budget_notice``: supervisors)."""
    authorize(actor, "grants.record_budget_notice")
    part = part or ""
    info = stream_get(stream)
    if info is None or part not in info.part_codes:
        raise InvalidInput(
            details={"stream": [_("Unknown stream/part %(stream)s/%(part)s.") % {"stream": stream, "part": part or "-"}]}
        )
    if not info.bureau_decides:
        raise InvalidInput(details={"stream": [_("The ministry decides this stream; it takes no budget notice here.")]})
    if not isinstance(amount, int) or not 0 < amount <= MAX_YEN:
        raise InvalidInput(
            details={"amount": [_("Must be a whole number of yen from 1 to %(most)s.") % {"most": f"{MAX_YEN:,}"}]}
        )
    if not EARLIEST_DATE <= received_on <= LATEST_DATE:
        raise InvalidInput(
            details={
                "received_on": [
                    _("Must be between %(earliest)s and %(latest)s.") % {"earliest": EARLIEST_DATE, "latest": LATEST_DATE}
                ]
            }
        )
    reference = reference.strip()
    if not reference:
        raise InvalidInput(details={"reference": [_("Required.")]})
    notice = BudgetNotice.objects.create(
        fiscal_year=fiscal_year_on_file(year=fiscal_year),
        stream=stream,
        part=part,
        amount=amount,
        received_on=received_on,
        reference=reference,
        recorded_by=actor,
    )
    history_append(
        actor=actor,
        action="budget_notice_record",
        subject_type="budget_notice",
        subject_id=notice.pk,
        fiscal_year=fiscal_year,
        stream=stream,
        data={"part": part, "amount": amount, "received_on": received_on.isoformat(), "reference": reference},
    )
    return notice



def budget_checks_serialised(*, fiscal_year: int, stream: str, part: str) -> None:
    """Make the budget checks and ledger writes of one fiscal year's stream and part take turns until this
    transaction ends.

    An approval reads what the others committed (docs/money.md, "The budget
    ceiling"). On PostgreSQL, under READ COMMITTED, two approvals at once would
    each miss the other and could together pass the ceiling: a transaction
    advisory lock named after the year, stream and part serialises them, taken
    after the case's lock (docs/architecture.md, "Lock order"); every write of
    the budget ledger takes it too, so a statement after it reads the ledger as
    the last holder left it. SQLite's IMMEDIATE write lock already serialises
    every act.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        key = _lock_key(fiscal_year, stream, part)
        # once per act, or per chunk of a bulk approval (``web.rows.shared_reads``): the lock is held to COMMIT
        shared_read(("lock", key), lambda: first_row(_LOCK, [key]))


def budget_position_serialised(*, fiscal_year: int, stream: str, part: str, pending: Determination) -> BudgetPosition:
    """``budget_checks_serialised`` and then ``budget_position_of_ledger``: an approval's check, for a draft
    awaiting approval.

    On PostgreSQL in one statement as a rule: the year's ledger row is locked
    (written first when there is none) and returns its ``committed`` as the
    last approval left it, while the notices and the draft's key are read as
    the statement found them before it waited. Both agree unless the year's
    ledger moved while it waited (its ``revision``, raised by every write of
    ``committed``, tells): then the lock is held and the position is read again.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return budget_position_of_ledger(fiscal_year=fiscal_year, stream=stream, part=part, pending=pending)
    recipient_id, key = budget_key_of(pending.case)
    year = [fiscal_year, stream, part]
    lock = _lock_key(fiscal_year, stream, part)
    committed, revision, seen, ceiling, replaced = first_row(
        _LOCKED_POSITION, [*year, lock, *year, *year, *year, recipient_id, key]
    )
    shared_seed(("lock", lock), lambda: None)  # held: the act's ledger refresh does not take it again
    if seen != revision and not (seen is None and revision == 0):  # the ledger moved while the statement waited
        return budget_position_of_ledger(fiscal_year=fiscal_year, stream=stream, part=part, pending=pending)
    return budget_position_from(ceiling=int(ceiling), committed=int(committed), pending=pending, replaced=int(replaced))


def _lock_key(fiscal_year: int, stream: str, part: str) -> str:
    return f"budget:{fiscal_year}:{stream}:{part}"


# -- the budget ledger (docs/money.md, "The budget ledger") ---------------------------------------------------
#: A determination's fields the rule of what a key commits reads (``grants.selectors._latest_sql``).
LEDGER_DETERMINATION_FIELDS = frozenset({"approved_at", "kind", "amount", "case_id"})


@dataclass(frozen=True)
class LedgerKey:
    """One commitment key of the budget ledger: a stream, part and fiscal year's recipient and grant key."""

    fiscal_year: int
    stream: str
    part: str
    recipient_id: int
    grant_key: str

    @property
    def year(self) -> tuple[int, str, str]:
        return (self.fiscal_year, self.stream, self.part)


def budget_ledger_key(case: Case) -> LedgerKey:
    """The ledger key a case's determinations count under."""
    recipient_id, grant_key = budget_key_of(case)
    return LedgerKey(case.fiscal_year_id, case.stream, case.part, recipient_id, grant_key)


def budget_ledger_moved(state_before: str, state_after: str) -> bool:
    """Whether a case going from one state to the other changes its budget ledger key by that alone: it moves into
    or out of the states that commit nothing (``UNCOMMITTING_STATES``)."""
    return (state_before in UNCOMMITTING_STATES) != (state_after in UNCOMMITTING_STATES)


def budget_ledger_touched(
    case: Case, *, state_before: str, determinations: list[tuple[Determination, list[str] | None]]
) -> LedgerKey | None:
    """The ledger key an act's writes change, or None: decided from what the act changed, not from its name.

    ``determinations``: the case's determinations the act saved, each with the fields it changed (None: inserted).
    A case moving into or out of the states that commit nothing (``UNCOMMITTING_STATES``) changes its key; so
    does a determination that commits (``commits``), approved now or before, whose approval, kind or amount the
    act wrote.
    """
    if budget_ledger_moved(state_before, case.state):
        return budget_ledger_key(case)
    for determination, changed in determinations:
        if changed is None:  # inserted: it counts from its approval
            fields, approved = LEDGER_DETERMINATION_FIELDS, determination.approved_at is not None
        else:
            fields = LEDGER_DETERMINATION_FIELDS.intersection(changed)
            approved = determination.approved_at is not None or "approved_at" in fields
        if fields and approved and (commits(determination) or "kind" in fields):
            return budget_ledger_key(case)
    return None


def budget_ledger_approved(
    case: Case, *, state_before: str, determinations: list[tuple[Determination, list[str] | None]]
) -> Determination | None:
    """The determination an act approved, when writing its approval is all the act changed of what the budget
    ledger reads (``budget_ledger_touched``): the case stays out of the states that commit nothing, and one saved
    determination that commits had its ``approved_at`` written (not its case). None otherwise.

    Its key's refresh can then go in the act's write (``budget_ledger_approval_statement``).
    """
    if state_before in UNCOMMITTING_STATES or case.state in UNCOMMITTING_STATES:
        return None
    moved = []
    for determination, changed in determinations:
        if changed is None:  # inserted: it counts only if approved already
            if determination.approved_at is not None:
                return None
            continue
        fields = LEDGER_DETERMINATION_FIELDS.intersection(changed)
        if fields:
            moved.append((determination, fields))
    if len(moved) != 1:
        return None
    determination, fields = moved[0]
    if "approved_at" not in fields or "case_id" in fields or determination.approved_at is None:
        return None
    return determination if commits(determination) else None


def budget_ledger_approval_statement(key: LedgerKey, approved: Determination) -> tuple[list[str], list, str]:
    """PostgreSQL: ``budget_ledger_refresh`` of an approval's key (``budget_ledger_approved``) as part of the act's
    one write statement: common table expressions (named ``ledger_...``), their parameters in order, and an
    expression for the statement's result that is 1 when they wrote the key and 0 when they left it alone.

    The key's row holds its latest approval (the ledger's invariant, kept under the year's budget lock, which the
    act holds since its check). By the one rule of a key's latest (``grants.selectors._latest_sql``) the approval
    takes the key's place unless what the row holds comes after it (``later_than_sql``): then its row is
    upserted with the approval and its amount, and the year's ``committed`` moves by the difference from the row
    as the statement found it (its snapshot: before the act's own writes). Otherwise (an approval dated before
    the key's latest) nothing is written here and the caller refreshes the key as any act does.
    """
    where = [key.fiscal_year, key.stream, key.part, key.recipient_id, key.grant_key]
    amount = approved.amount
    sql = list(_approval_sql())
    params = [*later_than_params(approved), *where, *where, approved.pk, amount, *key.year, amount, amount]
    return sql, params, "(SELECT count(*) FROM ledger_go)"


@cache
def _approval_sql() -> tuple[str, ...]:
    determinations = Determination._meta.db_table
    key_where = " AND ".join(f"k.{part}" for part in _KEY_WHERE.split(" AND "))
    return (
        f"ledger_key AS (SELECT k.amount, {later_than_sql('d')} AS later FROM {_COMMITMENTS} k "
        f"LEFT JOIN {determinations} d ON d.id = k.determination_id WHERE {key_where})",
        "ledger_go AS (SELECT COALESCE((SELECT amount FROM ledger_key), 0) AS before "
        "WHERE NOT EXISTS (SELECT 1 FROM ledger_key WHERE later))",
        f"ledger_kept AS ({_KEY_UPSERT} SELECT %s, %s, %s, %s, %s, %s, %s FROM ledger_go {_KEY_CONFLICT} RETURNING 1)",
        f"ledger_year AS ({_YEAR_INSERT} SELECT %s, %s, %s, %s - before, 1 FROM ledger_go WHERE %s - before <> 0 "
        f"{_YEAR_CONFLICT} RETURNING 1)",
    )


def budget_ledger_lock(keys) -> None:
    """Take the budget lock of each key's year (``budget_checks_serialised``), in one order, before the act's
    record: every write of the ledger holds it, so each reads the ledger as the last one left it."""
    for fiscal_year, stream, part in sorted({key.year for key in keys}):
        budget_checks_serialised(fiscal_year=fiscal_year, stream=stream, part=part)


def budget_ledger_refresh(keys) -> None:
    """Bring each key's ``BudgetCommitment`` and its year's ``BudgetLedger.committed`` up to what is on file,
    inside the caller's transaction, after its writes and under ``budget_ledger_lock``.

    Each key is read by the one rule of what a key commits, restricted to the key (``budget_key_latest_query``:
    the key's own rows, not the year's); its row is written, or deleted when it commits nothing, and the
    difference is added to its year's ``committed``. On PostgreSQL one statement a key; elsewhere, where a
    statement costs no round trip, a few.
    """
    for key in sorted(set(keys), key=lambda key: (*key.year, key.recipient_id, key.grant_key)):
        latest_sql, latest_params = budget_key_latest_query(
            fiscal_year=key.fiscal_year, stream=key.stream, part=key.part, recipient_id=key.recipient_id,
            grant_key=key.grant_key,
        )
        where = [key.fiscal_year, key.stream, key.part, key.recipient_id, key.grant_key]
        if connection.vendor == "postgresql":
            with statement_cursor() as cursor:
                cursor.execute(_refresh_sql(latest_sql), [*latest_params, *where, *where, *where, *key.year])
            continue
        determination_id, amount, before = first_row(_key_read_sql(latest_sql), [*latest_params, *where])
        with statement_cursor() as cursor:
            if determination_id is None:
                cursor.execute(f"DELETE FROM {_COMMITMENTS} WHERE {_KEY_WHERE}", where)
            else:
                cursor.execute(
                    f"{_KEY_UPSERT} VALUES (%s, %s, %s, %s, %s, %s, %s) {_KEY_CONFLICT}", [*where, determination_id, amount]
                )
            if (amount or 0) != (before or 0):
                cursor.execute(_YEAR_ADD, [*key.year, (amount or 0) - (before or 0)])


def budget_ledger_rebuild(*, fiscal_year: int | None = None) -> int:
    """Write the budget ledger afresh from what is on file, for one fiscal year or all: for loaders that write
    determinations and cases directly (``bench/national.py``'s ten years, the migration that made the ledger).

    Every stream and part of the year (or years) is read by the one rule of what a key commits
    (``budget_year_latest_query``) under its budget lock. Returns the number of keys written. A fiscal year that
    is not set up is refused (InvalidInput), not rebuilt as empty.
    """
    if fiscal_year is not None:
        fiscal_year_on_file(year=fiscal_year)
    years = Case.objects.all() if fiscal_year is None else Case.objects.filter(fiscal_year_id=fiscal_year)
    lines = sorted(set(years.values_list("fiscal_year_id", "stream", "part")))
    which, which_params = ("", []) if fiscal_year is None else (" WHERE fiscal_year_id = %s", [fiscal_year])
    written = 0
    with transaction.atomic(), statement_cursor() as cursor:
        for year, stream, part in lines:
            budget_checks_serialised(fiscal_year=year, stream=stream, part=part)
        cursor.execute(f"DELETE FROM {_COMMITMENTS}{which}", which_params)
        cursor.execute(f"UPDATE {_LEDGER} SET committed = 0, revision = revision + 1{which}", which_params)
        for year, stream, part in lines:
            sql, params = budget_year_latest_query(fiscal_year=year, stream=stream, part=part)
            rows = [[year, stream, part, *row] for row in rows_of(sql, params)]
            if rows:
                cursor.executemany(f"{_KEY_UPSERT} VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
            total = sum(int(row[-1]) for row in rows)
            if total:
                cursor.execute(_YEAR_ADD, [year, stream, part, total])
            written += len(rows)
    return written


_COMMITMENTS, _LEDGER = BudgetCommitment._meta.db_table, BudgetLedger._meta.db_table
_KEY_WHERE = "fiscal_year_id = %s AND stream = %s AND part = %s AND recipient_id = %s AND grant_key = %s"
_KEY_UPSERT = (
    f"INSERT INTO {_COMMITMENTS} (fiscal_year_id, stream, part, recipient_id, grant_key, determination_id, amount)"
)
_KEY_CONFLICT = (
    "ON CONFLICT (fiscal_year_id, stream, part, recipient_id, grant_key) "
    "DO UPDATE SET determination_id = excluded.determination_id, amount = excluded.amount"
)
#: A year's ``committed`` moved by an amount (its row made when there is none); every such write raises its revision.
_YEAR_INSERT = f"INSERT INTO {_LEDGER} (fiscal_year_id, stream, part, committed, revision)"
_YEAR_CONFLICT = (
    f"ON CONFLICT (fiscal_year_id, stream, part) DO UPDATE SET committed = {_LEDGER}.committed + excluded.committed, "
    f"revision = {_LEDGER}.revision + 1"
)
_YEAR_ADD = f"{_YEAR_INSERT} VALUES (%s, %s, %s, %s, 1) {_YEAR_CONFLICT}"
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"
#: PostgreSQL, an approval's check: the year's budget lock (``_LOCK``), then its ledger row written when there is
#: none and updated to itself otherwise, which returns the row as the last holder of the lock left it (an
#: INSERT ... ON CONFLICT DO UPDATE acts on the newest row, whatever the statement's snapshot); then the row's
#: revision, the notices' sum and the draft key's amount as the statement's snapshot has them.
_LOCKED_POSITION = (
    f"{_YEAR_INSERT} SELECT %s, %s, %s, 0, 0 FROM ({_LOCK}) locked "
    f"ON CONFLICT (fiscal_year_id, stream, part) DO UPDATE SET revision = {_LEDGER}.revision "
    "RETURNING committed, revision, "
    f"(SELECT revision FROM {_LEDGER} WHERE fiscal_year_id = %s AND stream = %s AND part = %s), "
    f"({budget_notice_sum_sql()}), "
    f"COALESCE((SELECT amount FROM {_COMMITMENTS} WHERE {_KEY_WHERE}), 0)"
)


@cache
def _key_read_sql(latest_sql: str) -> str:
    """A key's latest approval (determination id and amount, NULL when none) and its row's amount as it stands."""
    return (
        f"WITH latest AS ({latest_sql}) SELECT (SELECT id FROM latest), (SELECT amount FROM latest), "
        f"(SELECT amount FROM {_COMMITMENTS} WHERE {_KEY_WHERE})"
    )


@cache
def _refresh_sql(latest_sql: str) -> str:
    """PostgreSQL: a key's refresh in one statement. The WITHs all read the database as it stood when the
    statement began (the key's row before it is written); the key's row is upserted or deleted and the year's
    ``committed`` moves by the difference (its row is written only when there is one)."""
    return (
        f"WITH latest AS ({latest_sql}), "
        f"before AS (SELECT amount FROM {_COMMITMENTS} WHERE {_KEY_WHERE}), "
        f"kept AS ({_KEY_UPSERT} SELECT %s, %s, %s, %s, %s, id, amount FROM latest {_KEY_CONFLICT} RETURNING 1), "
        f"gone AS (DELETE FROM {_COMMITMENTS} WHERE {_KEY_WHERE} AND NOT EXISTS (SELECT 1 FROM latest) RETURNING 1) "
        f"{_YEAR_INSERT} SELECT %s, %s, %s, moved, 1 FROM (SELECT COALESCE((SELECT amount FROM latest), 0) "
        "- COALESCE((SELECT amount FROM before), 0) AS moved) difference WHERE moved <> 0 "
        f"{_YEAR_CONFLICT}"
    )


#: What a user may do beside their scope rows: the account's flags, their groups (roles) and own permissions.
USER_FLAGS = ("is_active", "is_staff", "is_superuser")


def _access_of(user) -> dict:
    permissions = user.user_permissions.select_related("content_type")
    return {
        **{flag: getattr(user, flag) for flag in USER_FLAGS},
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions),
    }


@transaction.atomic
def user_save(*, actor, user, groups=None, permissions=None):
    """Save an account and, when given, its groups (roles) and own permissions (``auth.add_user`` /
    ``auth.change_user``: administrators). The history records what the user may do before and after
    (flags, groups, permissions) whenever that changes; names and addresses alone are not recorded."""
    authorize(actor, "auth.change_user" if user.pk else "auth.add_user")
    before = None
    if user.pk:
        before = _access_of(type(user).objects.select_for_update().get(pk=user.pk))
    user.save()
    if groups is not None:
        user.groups.set(groups)
    if permissions is not None:
        user.user_permissions.set(permissions)
    after = _access_of(user)
    if before != after:
        history_append(
            actor=actor,
            action="user_create" if before is None else "user_access_update",
            subject_type="user",
            subject_id=user.pk,
            data={"user": user.username, "before": before, "after": after},
        )
    return user


def _group_access(group) -> dict:
    permissions = group.permissions.select_related("content_type")
    return {
        "name": group.name,
        "permissions": sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions),
    }


@transaction.atomic
def group_save(*, actor, group, permissions=None):
    """Save a group (a role) and, when given, its permissions (``auth.add_group`` / ``auth.change_group``:
    administrators); the history records its name and permissions before and after when they change."""
    authorize(actor, "auth.change_group" if group.pk else "auth.add_group")
    before = _group_access(type(group).objects.select_for_update().get(pk=group.pk)) if group.pk else None
    group.save()
    if permissions is not None:
        group.permissions.set(permissions)
    after = _group_access(group)
    if before != after:
        history_append(
            actor=actor,
            action="group_create" if before is None else "group_update",
            subject_type="group",
            subject_id=group.pk,
            data={"before": before, "after": after},
        )
    return group


@transaction.atomic
def group_delete(*, actor, group) -> None:
    """Remove a group (``auth.delete_group``); the history keeps its permissions and who was in it."""
    authorize(actor, "auth.delete_group")
    members = sorted(group.user_set.values_list("username", flat=True))
    history_append(
        actor=actor,
        action="group_delete",
        subject_type="group",
        subject_id=group.pk,
        data={"deleted": _group_access(group), "members": members},
    )
    group.delete()


def _scope_record(*, actor, scope: Scope, act: str, data: dict) -> None:
    history_append(
        actor=actor,
        action=f"scope_{act}",
        subject_type="scope",
        subject_id=scope.pk,
        stream=scope.stream,
        data={"user": scope.user.username, "stream": scope.stream, "prefecture": scope.prefecture_code, **data},
    )


@transaction.atomic
def scope_save(*, actor, scope: Scope) -> Scope:
    """Limit a user to a stream in a prefecture, or change such a row (``grants.add_scope`` /
    ``grants.change_scope``: administrators); the history records who may now read and act where."""
    authorize(actor, "grants.change_scope" if scope.pk else "grants.add_scope")
    before = Scope.objects.select_for_update().filter(pk=scope.pk).values("stream", "prefecture_code").first()
    scope.full_clean()
    if scope.prefecture_code not in bureau_prefectures():
        raise ValidationError({"prefecture_code": _("Choose one of the prefectures the bureau serves.")})
    scope.save()
    _scope_record(actor=actor, scope=scope, act="update" if before else "create", data={"before": before})
    return scope


@transaction.atomic
def scope_delete(*, actor, scope: Scope) -> None:
    """Remove a scope row (``grants.delete_scope``); a user left without rows reads and acts nowhere
    unless their role works bureau-wide. The history keeps what the row said."""
    authorize(actor, "grants.delete_scope")
    _scope_record(actor=actor, scope=scope, act="delete", data={})
    scope.delete()
