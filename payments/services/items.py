"""What a notice or a revocation does to the money: payable items, withdrawals and return claims.

``workflows.services.case_transition`` calls these inside the transaction of
the act (``notify``, ``revoke``), so a case's state and its money commit or roll
back together. The claims' due dates are counted in business days (``calendars``).

The rule, for every notified determination: the procedure-year's tranche plan
says how much the grant is now owed (shares of the notified amount, of the
increase, or the notified amount less what was issued). An increase becomes
payable items. A decrease withdraws items not yet approved for payment, latest
due first. Returns arise only where the subsidy act puts them (art. 18, see
``docs/money.md``): a change below what was paid stops there, and the
overpayment is carried to the settlement, which pays or reclaims settled −
issued; only a settlement below what was issued, or a revocation, turns what
was paid (or approved to be) into a return claim.
"""

from dataclasses import dataclass, field
from functools import cache
from datetime import date
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q, Sum

from calendars.business_days import add_business_days
from grants.catalogue import procedure_get, stream_get
from grants.history import history_append
from grants.models import Case, Determination, Recipient
from grants.rows import recipient_lock_key
from grants.selectors import decision_in_force
from web.errors import InvalidInput
from web.rows import Rider, RowReader, row_insert_with_act, rows_of, scalar, shared_read, shared_seed, shared_take

from ..models import (
    PaymentItem,
    PaymentPlanRule,
    PaymentRecord,
    PaymentRun,
    PaymentRunState,
    ReturnClaim,
    ReturnClaimReceipt,
    ReturnReason,
    RevocationBasis,
    ShareBase,
)
from ..money import attribute_latest_receipts_first, split_by_percent_floored
from ..selectors import budget_year_of, grant_procedures, grant_scope
from ..signals import return_claim_issued

#: A return claim falls due this many business days after its notice (decided here; to confirm with the bureau).
RETURN_DUE_BUSINESS_DAYS = 20



class _Share(NamedTuple):
    basis: str
    percent: int
    run_on: date | None  # None: due on the day of the notice


@dataclass
class PaymentConsequences:
    """What one notice or revocation did to the money of a grant."""

    items: list[PaymentItem] = field(default_factory=list)
    withdrawn: list[PaymentItem] = field(default_factory=list)
    claim: ReturnClaim | None = None


_same_grant = grant_scope


def _net_issued(case: Case, *, whole_grant: bool) -> int:
    """Yen issued (items not withdrawn, paid or not) less yen claimed back: to the case's grant, or by the case alone.

    The grant is ``_same_grant(case)``, written here as SQL: one statement
    instead of two ORM aggregates, because every notice of a settlement or of
    a year without a tranche plan runs it (docs/architecture.md#sql-written-by-hand).
    """
    sql, params = _net_issued_sql(case, whole_grant=whole_grant)
    return int(scalar(f"SELECT {sql}", params))  # PostgreSQL's SUM of bigint is numeric


def _net_issued_sql(case: Case, *, whole_grant: bool) -> tuple[str, list]:
    """``_net_issued``'s expression and parameters."""
    if whole_grant:
        own, procedures = grant_procedures(case)
        where = "x.recipient_id = %s AND x.budget_year = %s AND c.stream = %s AND c.part = %s"
        if procedures:
            where += f" AND c.procedure {'IN' if own else 'NOT IN'} ({', '.join(['%s'] * len(procedures))})"
        params = [case.recipient_id, budget_year_of(case), case.stream, case.part, *procedures]
    else:
        where, params = "x.case_id = %s", [case.pk]
    cases = Case._meta.db_table
    issued = (
        f"SELECT COALESCE(SUM(x.amount), 0) FROM {PaymentItem._meta.db_table} x JOIN {cases} c ON c.id = x.case_id "
        f"WHERE {where} AND x.withdrawn_on IS NULL"
    )
    claimed = (
        f"SELECT COALESCE(SUM(x.principal), 0) FROM {ReturnClaim._meta.db_table} x JOIN {cases} c ON c.id = x.case_id "
        f"WHERE {where}"
    )
    return f"({issued}) - ({claimed})", params * 2


_PLAN_WHERE = "t.fiscal_year_id = %s AND t.stream = %s AND t.part = %s AND t.procedure = %s"


@cache
def _plan_locking_sql() -> tuple[str, RowReader]:
    """PostgreSQL: the recipient's lock (``_lock_recipient``) and the year's tranche plan in one statement."""
    reader = RowReader(PaymentPlanRule, "t")
    return (
        f"SELECT {reader.columns} FROM (SELECT id FROM {Recipient._meta.db_table} WHERE id = %s FOR NO KEY UPDATE) "
        f"locked LEFT JOIN {PaymentPlanRule._meta.db_table} t ON {_PLAN_WHERE} ORDER BY t.sequence"
    ), reader


def _plan(case: Case) -> tuple[str, list[_Share], int | None]:
    """The year's tranche plan of the case's procedure, read after the recipient's lock (``_lock_recipient``),
    and what the case's grant has had issued, net (``_net_issued``), where it came with the plan (else None).

    One statement (prepared: every notice runs it): on PostgreSQL the lock and the plan, or, when the act
    took the lock with its case (``grants.rows.case_fetch_for_update``), the plan and the net issued, read
    here or already in a statement the act sent before (``payment_plan_rider``: the notice's number); on
    SQLite, whose write lock serialises acts, the plan and the net issued. The net issued is read after the
    lock, never in the statement that takes it (its snapshot would be older than the lock).
    """
    params = [case.fiscal_year_id, case.stream, case.part, case.procedure]
    if connection.vendor == "postgresql" and not _recipient_locked(case):
        sql, reader = _plan_locking_sql()
        rules = [reader.build(row) for row in rows_of(sql, [case.recipient_id, *params]) if row[0] is not None]
        shared_seed(recipient_lock_key(case.recipient_id), lambda: True)
        issued = None
    else:
        sql, plan_params, reader = _plan_with_issued_query(case)
        # read here, or already with a statement the act sent before (``payment_plan_rider``)
        rows = shared_take(_plan_key(case), lambda: rows_of(sql, plan_params))
        rules = sorted((reader.build(row) for row in rows if row[0] is not None), key=lambda rule: rule.sequence)
        issued = int(rows[0][-1])  # PostgreSQL's SUM of bigint is numeric
    shares = [_Share(rule.basis, rule.percent, rule.run_on) for rule in rules]
    if not shares:
        # Without a plan for its fiscal year, a notice pays the notified amount less what was issued, at once.
        unplanned = procedure_get(case.stream, case.procedure).unplanned_basis
        return ShareBase.CUMULATIVE, [_Share(unplanned, 100, None)], issued
    return rules[0].base, shares, issued


def _plan_key(case: Case) -> tuple:
    return ("payment plan", case.pk)


def _plan_with_issued_query(case: Case) -> tuple[str, list, RowReader]:
    """``_plan``'s statement of the plan and the net issued: SQL, parameters and the plan's reader."""
    net_sql, net_params = _net_issued_sql(case, whole_grant=True)
    sql, reader = _plan_with_issued_sql(net_sql)
    return sql, [*net_params, case.fiscal_year_id, case.stream, case.part, case.procedure], reader


def payment_plan_rider(case: Case) -> Rider | None:
    """PostgreSQL: the read of a notice's money (``payment_items_issue``: the tranche plan with the net issued) as
    a ``web.rows.Rider``, for a statement the act sends after its case's read and before its money effect (the
    notice's document number): ``_plan`` then takes its rows instead of asking. None where the act does not hold
    the recipient's lock yet (the net issued is read only after it) or the notice reads no plan."""
    if connection.vendor != "postgresql" or not stream_get(case.stream).bureau_decides or not _recipient_locked(case):
        return None
    sql, params, _reader = _plan_with_issued_query(case)
    return Rider(sql, params, lambda rows: shared_seed(_plan_key(case), lambda: rows))


@cache
def _plan_with_issued_sql(net_sql: str) -> tuple[str, RowReader]:
    """The year's tranche plan, each row with the net issued (``_net_issued_sql``); one row of NULLs without a plan."""
    reader = RowReader(PaymentPlanRule, "t")
    return (
        f"SELECT {reader.columns}, ({net_sql}) FROM (SELECT 1 AS one) one "
        f"LEFT JOIN {PaymentPlanRule._meta.db_table} t ON {_PLAN_WHERE} ORDER BY t.sequence"
    ), reader


def _split(amount: int, shares: list[_Share]) -> list[int]:
    """The plan's shares of ``amount`` (floored, the last takes the remainder); what the plan leaves over is dropped."""
    percents = [share.percent for share in shares]
    rest = 100 - sum(percents)
    return split_by_percent_floored(amount, percents + [rest] if rest else percents)[: len(shares)]


def _recipient_locked(case: Case) -> bool:
    """Whether this act holds the recipient's lock already (``grants.rows.case_fetch_for_update`` takes it with
    the case for a step that may move money)."""
    return shared_read(recipient_lock_key(case.recipient_id), lambda: False)


def _lock_recipient(case: Case) -> None:
    """Serialise every money decision for one recipient, so two notices never start from the same total.

    ``no_key``: the lock must not block the FK checks of other transactions
    that merely insert rows pointing at the recipient (history records).
    """
    if connection.vendor == "postgresql" and not _recipient_locked(case):  # SQLite: the IMMEDIATE lock serialises
        shared_seed(recipient_lock_key(case.recipient_id), lambda: True)
        scalar(f"SELECT id FROM {Recipient._meta.db_table} WHERE id = %s FOR NO KEY UPDATE", [case.recipient_id])


@transaction.atomic(savepoint=False)
def payment_items_issue(
    *, actor, case: Case, determination: Determination
) -> PaymentConsequences:
    """Turn a notified determination into what its fiscal year's tranche plan makes payable (or reclaimable).

    The special adjustment grant never gets here with money: the ministry decides and pays it.
    """
    if not stream_get(case.stream).bureau_decides:
        return PaymentConsequences()
    base, shares, issued = _plan(case)
    # what the grant has had issued, net: read with the plan, or else asked where it is needed
    net_issued = (lambda: issued) if issued is not None else (lambda: _net_issued(case, whole_grant=True))
    notified_on = determination.notified_on
    if base == ShareBase.AMOUNT:
        change = determination.amount
    elif base == ShareBase.INCREASE:
        change = determination.amount - (determination.previous_amount or 0)
    else:
        change = determination.amount - net_issued()
    if change < 0:
        reduction = min(sum(_split(-change, shares)), net_issued())
        settles = procedure_get(case.stream, case.procedure).settles
        return _take_back(
            actor=actor, case=case, scope=_same_grant(case), amount=reduction, determination=determination,
            reason=ReturnReason.SETTLEMENT, on=notified_on, surcharge_applies=False, claim_rest=settles,
        )
    items = [
        PaymentItem(
            case=case,
            determination=determination,
            recipient_id=case.recipient_id,
            budget_year=budget_year_of(case),
            basis=share.basis,
            amount=amount,
            due_on=max(share.run_on or notified_on, notified_on),
        )
        for share, amount in zip(shares, _split(change, shares))
        if amount > 0
    ]
    # stored with the act's own rows (``web.rows.inserts_with_act``): nothing here reads them again
    return PaymentConsequences(items=[row_insert_with_act(item) for item in items])


@transaction.atomic(savepoint=False)
def payment_items_revoke(
    *, actor, case: Case, revoked_on: date, basis: str
) -> PaymentConsequences:
    """A revocation takes back what the revoked case issued: unpaid items are withdrawn, paid money claimed.

    ``basis`` is the revocation's legal basis (``RevocationBasis``); 加算金 runs
    only on a return ordered on a revocation under art. 17(1).
    """
    if basis not in RevocationBasis.values:
        raise InvalidInput(details={"legal_basis": [f"Must be one of: {', '.join(RevocationBasis.values)}."]})
    if not stream_get(case.stream).bureau_decides:
        return PaymentConsequences()
    _lock_recipient(case)
    scope = Q(case=case)
    revoked = decision_in_force(case)
    # A settlement may already have claimed part of the grant back: that part is not claimed twice.
    amount = min(_net_issued(case, whole_grant=False), _net_issued(case, whole_grant=True))
    return _take_back(
        actor=actor, case=case, scope=scope, amount=amount, determination=revoked,
        reason=ReturnReason.REVOCATION, on=revoked_on, surcharge_applies=basis == RevocationBasis.ART_17_1,
        revocation_basis=basis,
    )


def _take_back(
    *,
    actor,
    case: Case,
    scope: Q,
    amount: int,
    determination: Determination | None,
    reason: str,
    on: date,
    surcharge_applies: bool,
    claim_rest: bool = True,
    revocation_basis: str = "",
) -> PaymentConsequences:
    """Withdraw unpaid items not yet approved for payment, latest due first; claim back whatever remains.

    Items of an approved run count as paid: the supervisor approved exactly
    those amounts and the run will pay them, so the claim covers them instead.
    With ``claim_rest`` false (a change) what remains is not claimed: the
    settlement reckons it.
    """
    result = PaymentConsequences()
    if amount <= 0:
        return result
    items = list(
        PaymentItem.objects.select_for_update(no_key=True, of=("self",))
        .filter(scope, withdrawn_on__isnull=True)
        .order_by("-due_on", "-pk")
    )
    # Lock the runs before reading who is paid: an execution in progress commits first.
    run_states = dict(
        PaymentRun.objects.select_for_update()
        .filter(pk__in={item.run_id for item in items if item.run_id})
        .order_by("pk")
        .values_list("pk", "state")
    )
    paid = set(PaymentRecord.objects.filter(item__in=items).values_list("item_id", flat=True))
    remaining = amount
    for item in items:
        if remaining == 0:
            break
        if item.pk in paid or (item.run_id and run_states[item.run_id] != PaymentRunState.DRAFT):
            continue
        taken = min(item.amount, remaining)
        remaining -= taken
        draft_run_id = item.run_id
        item.withdrawn_on, item.withdrawn_by_case, item.run = on, case, None
        item.save(update_fields=["withdrawn_on", "withdrawn_by_case", "run"])
        result.withdrawn.append(item)
        if taken < item.amount:
            result.items.append(
                PaymentItem.objects.create(
                    case_id=item.case_id,
                    determination_id=item.determination_id,
                    recipient_id=item.recipient_id,
                    budget_year=item.budget_year,
                    basis=item.basis,
                    amount=item.amount - taken,
                    due_on=item.due_on,
                    run_id=draft_run_id,
                    replaces=item,
                )
            )
    if remaining and claim_rest:
        result.claim = _claim_issue(
            actor=actor, case=case, scope=scope, principal=remaining, determination=determination, reason=reason,
            on=on, surcharge_applies=surcharge_applies, revocation_basis=revocation_basis,
        )
    return result


def _claim_issue(
    *,
    actor,
    case: Case,
    scope: Q,
    principal: int,
    determination: Determination | None,
    reason: str,
    on: date,
    surcharge_applies: bool,
    revocation_basis: str,
) -> ReturnClaim:
    """A return claim for money paid (or approved to be paid), with the receipts its 加算金 would run from."""
    paid = PaymentRecord.objects.filter(item__in=PaymentItem.objects.filter(scope)).values_list("paid_on", "amount")
    approved = PaymentItem.objects.filter(
        scope, payment__isnull=True, run__state=PaymentRunState.APPROVED
    ).values_list("run__run_on", "amount")
    claimed_before = ReturnClaim.objects.filter(scope).aggregate(total=Sum("principal"))["total"] or 0
    receipts = attribute_latest_receipts_first([*paid, *approved], principal, already_claimed=claimed_before)
    claim = ReturnClaim.objects.create(
        case=case,
        determination=determination,
        recipient_id=case.recipient_id,
        budget_year=budget_year_of(case),
        reason=reason,
        principal=principal,
        noticed_on=on,
        due_on=add_business_days(on, RETURN_DUE_BUSINESS_DAYS),
        surcharge_applies=surcharge_applies,
        revocation_basis=revocation_basis,
        created_by=actor,
    )
    ReturnClaimReceipt.objects.bulk_create(
        ReturnClaimReceipt(claim=claim, received_on=received_on, amount=amount) for received_on, amount in receipts
    )
    history_append(
        actor=actor,
        action="return_claim_issue",
        subject_type="return_claim",
        subject_id=claim.pk,
        case=case,
        data={
            "reason": reason,
            "principal": principal,
            "noticed_on": on,
            "due_on": claim.due_on,
            "surcharge_applies": surcharge_applies,
            "revocation_basis": revocation_basis,
            "receipts": [[received_on, amount] for received_on, amount in receipts],
        },
    )
    return_claim_issued.send(sender=ReturnClaim, claim=claim, actor=actor)
    return claim
