"""Reads about money, with scope applied here and nowhere else; nothing here writes.

Everything follows the case scope (``grants.access``): items, claims and fund
balances belong to cases and prefectures, and a payment run, one batch for the
whole bureau, shows each reader only the items of the cases they may read, its
totals counting those alone; a scoped reader is not shown a run holding none of
their items (unless they drafted it). A run's steps act on every item, so they
are offered only to someone whose scope covers them all (``PaymentRunFlow.covers``).
The history records a run whole.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from django.db import models
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from grants.access import READ_CASE, authorize, may, scope_q, works_bureau_wide
from grants.catalogue import fund_stream, procedure_get, procedure_list, stream_get
from grants.errors import OutOfScope
from grants.models import DECISION_IN_FORCE_STATES, GRANT_REVOKED_STATES, Case, CaseState, Recipient, RecipientKind
from grants.selectors import grant_amount_as_last_notified

from .errors import PaymentRunNotFound, ReturnClaimNotFound, RunFourEyesViolation, RunOutOfScope
from .flows import PaymentRunFlow
from .models import FundBalance, PaymentItem, PaymentRecord, PaymentRun, PaymentRunState, ReturnClaim
from .money import late_interest, surcharge_by_receipt


def _runs_with_totals(*, actor) -> QuerySet[PaymentRun]:
    """Runs with the total and the number of the items ``actor`` may read (all of them for the bureau-wide)."""
    scope = scope_q(actor, via="case__")
    readable = Q(items__in=PaymentItem.objects.filter(scope).values("pk")) if scope else None
    return PaymentRun.objects.select_related("drafted_by", "approved_by", "executed_by").annotate(
        total=Coalesce(Sum("items__amount", filter=readable), 0), item_count=Count("items", filter=readable)
    )


def _runs_seen(*, actor, runs: QuerySet[PaymentRun]) -> QuerySet[PaymentRun]:
    """The runs ``actor`` is shown: every run for the bureau-wide; for a scoped reader, those holding an item
    they may read and those they drafted (a run of none of their items is someone else's business)."""
    if works_bureau_wide(actor):
        return runs
    return runs.filter(Q(item_count__gt=0) | Q(drafted_by=actor))


def payment_run_list_for_actor(*, actor, fiscal_year: int | None = None) -> QuerySet[PaymentRun]:
    """Payment runs by date that hold an item the actor may read (or they drafted), each with the total and item
    count of what the actor may read of it."""
    authorize(actor, READ_CASE)
    runs = _runs_seen(actor=actor, runs=_runs_with_totals(actor=actor))
    if fiscal_year is not None:
        runs = runs.filter(fiscal_year_id=fiscal_year)
    return runs.order_by("run_on", "pk")


def payment_run_pending_list_for_actor(*, actor) -> QuerySet[PaymentRun]:
    """Payment runs waiting for a step (drafts and approved runs), by date, each with its total and item count."""
    return payment_run_list_for_actor(actor=actor).filter(state__in=[PaymentRunState.DRAFT, PaymentRunState.APPROVED])


def payment_run_get_for_actor(*, actor, run_id: int, lock: bool = False) -> PaymentRun:
    """One payment run, with the total of what the actor may read of it unless locked for a change;
    PaymentRunNotFound, or RunOutOfScope for a run the list does not show them, otherwise. Locked for a step,
    it is read whole: the step's permission decides (``PaymentRunFlow.covers``)."""
    authorize(actor, READ_CASE)
    runs = PaymentRun.objects.select_for_update() if lock else _runs_seen(actor=actor, runs=_runs_with_totals(actor=actor))
    try:
        return runs.get(pk=run_id)
    except PaymentRun.DoesNotExist:
        if not lock and PaymentRun.objects.filter(pk=run_id).exists():  # there, but not shown to them
            raise RunOutOfScope(details={"run": run_id}) from None
    except (ValueError, TypeError):  # not an id at all
        pass
    raise PaymentRunNotFound(details={"run": run_id})


@dataclass(frozen=True)
class RecipientNet:
    """What a run pays one recipient: the total and the items that make it up.

    ``open_claims`` are the recipient's return claims not yet closed, shown
    beside the payment and never netted against it (revenue and expenditure
    stay gross).
    """

    recipient: Recipient
    amount: int
    items: list[PaymentItem]
    open_claims: tuple = ()


def payment_run_breakdown(*, run: PaymentRun) -> list[RecipientNet]:
    """A whole run netted per recipient (by recipient code), with its items across procedures and budget years.

    For the run's own acts and records; a reader gets ``payment_run_breakdown_for_actor``.
    """
    return _breakdown(run.items.all())


def payment_run_breakdown_for_actor(*, actor, run: PaymentRun) -> list[RecipientNet]:
    """What ``actor`` may read of a run, per recipient: the items of the cases in their scope, with the
    recipient's open return claims in that scope beside them."""
    lines = _breakdown(run.items.filter(scope_q(actor, via="case__")))
    claims = (
        ReturnClaim.objects.filter(
            scope_q(actor, via="case__"), recipient__in=[line.recipient for line in lines], closed_on__isnull=True
        )
        .select_related("case")
        .order_by("due_on", "pk")
    )
    by_recipient: dict = defaultdict(list)
    for claim in claims:
        by_recipient[claim.recipient_id].append(claim)
    return [
        RecipientNet(line.recipient, line.amount, line.items, tuple(by_recipient[line.recipient.pk])) for line in lines
    ]


def _breakdown(items: QuerySet[PaymentItem]) -> list[RecipientNet]:
    items = items.select_related("recipient", "case", "payment").order_by("recipient__code", "due_on", "pk")
    lines = []
    for recipient, group in groupby(items, key=lambda item: item.recipient):
        group = list(group)
        lines.append(RecipientNet(recipient, sum(item.amount for item in group), group))
    return lines


def payment_run_available_transitions(*, run: PaymentRun, actor) -> list[str]:
    """The steps ``actor`` may take on ``run`` now (permission and conditions both met)."""
    flow = PaymentRunFlow(run, actor=actor)
    return [
        transition.slug
        for transition in PaymentRunFlow.state.get_outgoing_transitions(run.state)
        if transition.has_perm(flow, actor) and transition.conditions_met(flow)
    ]


def payment_run_refusal_note(*, run: PaymentRun, actor) -> str | None:
    """Why ``actor``, who holds a step's permission, may not take it on ``run`` (the four-eyes rule: they drafted
    it; or items of the run outside their scope), shown in place of its button; else None."""
    flow = PaymentRunFlow(run, actor=actor)
    for transition in PaymentRunFlow.state.get_outgoing_transitions(run.state):
        if not transition.has_perm(flow, actor):
            refusal = flow.refusal(transition.slug, actor)  # the flow names the step the rule guards
            if isinstance(refusal, (RunFourEyesViolation, OutOfScope)):
                return str(refusal.message)
    return None


def budget_year_of(case: Case) -> int:
    """The fiscal year whose grant a case's money belongs to (a settlement's is the year it settles)."""
    return case.settles_fiscal_year if procedure_get(case.stream, case.procedure).settles else case.fiscal_year_id


def grant_procedures(case: Case) -> tuple[bool, list[str]]:
    """Whether the case's procedure is a grant of its own, and the procedures that make the case's grant
    (its own procedure) or stand apart from it (the stream's grants of their own).

    A grant of its own (the adjustment grant) is its procedure alone; the
    stream's grant is every procedure but those: a settlement settles the
    initial and changed grant, not the adjustment grant.
    """
    if procedure_get(case.stream, case.procedure).own_grant:
        return True, [case.procedure]
    return False, [spec.code for spec in procedure_list(case.stream) if spec.own_grant]


def grant_scope(case: Case) -> Q:
    """Items and claims of the case's grant: recipient, stream, part and budget year (``grant_procedures``)."""
    own, procedures = grant_procedures(case)
    procedure = Q(case__procedure__in=procedures)
    return Q(
        recipient_id=case.recipient_id, case__stream=case.stream, case__part=case.part, budget_year=budget_year_of(case)
    ) & (procedure if own else ~procedure)


@dataclass(frozen=True)
class SettlementFigures:
    """What a settlement notice states: paid towards the grant, and what the settlement orders back or pays."""

    paid: int
    to_return: int
    to_pay: int


def settlement_figures(*, case: Case) -> SettlementFigures:
    """The money of a notified settlement (its consequences already written): paid before it, returned, still paid."""
    scope = grant_scope(case)
    paid = PaymentRecord.objects.filter(
        item__in=PaymentItem.objects.filter(scope).exclude(case=case)
    ).aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    to_return = ReturnClaim.objects.filter(case=case).aggregate(total=Coalesce(Sum("principal"), 0))["total"]
    to_pay = PaymentItem.objects.filter(case=case, withdrawn_on__isnull=True).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]
    return SettlementFigures(paid=paid, to_return=to_return, to_pay=to_pay)


def payment_item_list_for_actor(
    *, actor, case: int | None = None, run: int | None = None, recipient: str | None = None
) -> QuerySet[PaymentItem]:
    """Payable items of the cases the actor may read, by due date."""
    items = PaymentItem.objects.filter(scope_q(actor, via="case__")).select_related(
        "recipient", "case", "payment"
    )
    if case is not None:
        items = items.filter(case_id=case)
    if run is not None:
        items = items.filter(run_id=run)
    if recipient:
        items = items.filter(recipient__code=recipient)
    return items.order_by("due_on", "pk")


def case_payment_item_list_for_actor(*, actor, case: int) -> QuerySet[PaymentItem]:
    """A case's payable items, by due date, each with the run that pays it (the case page's payments)."""
    return payment_item_list_for_actor(actor=actor, case=case).select_related("run")


def return_claim_list_for_actor(
    *, actor, case: int | None = None, recipient: str | None = None
) -> QuerySet[ReturnClaim]:
    """Return claims of the cases the actor may read, by notice date."""
    claims = (
        ReturnClaim.objects.filter(scope_q(actor, via="case__"))
        .select_related("recipient", "case")
        .prefetch_related("receipts", "payments")
    )
    if case is not None:
        claims = claims.filter(case_id=case)
    if recipient:
        claims = claims.filter(recipient__code=recipient)
    return claims.order_by("noticed_on", "pk")


def return_claim_get_for_actor(*, actor, claim_id: int, lock: bool = False) -> ReturnClaim:
    """One return claim the actor may read; ReturnClaimNotFound or OutOfScope otherwise."""
    claims = ReturnClaim.objects.select_related("recipient", "case")
    if lock:
        claims = claims.select_for_update(of=("self",))
    try:
        claim = claims.get(pk=claim_id)
    except (ReturnClaim.DoesNotExist, ValueError, TypeError):
        raise ReturnClaimNotFound(details={"claim": claim_id}) from None
    authorize(
        actor, READ_CASE, stream=claim.case.stream, prefecture=claim.recipient.prefecture_code,
        details={"claim": claim_id},
    )
    return claim


def return_claim_of_revocation(*, case: Case) -> ReturnClaim | None:
    """The return claim a case's revocation ordered, if it ordered one."""
    return ReturnClaim.objects.filter(case=case, reason="revocation").order_by("-pk").first()


def return_claim_may_record(*, actor, claim: ReturnClaim) -> bool:
    """Whether ``actor`` may record a repayment on ``claim`` (the page shows the form only then)."""
    return claim.closed_on is None and may(
        actor, "payments.record_repayment", stream=claim.case.stream, prefecture=claim.recipient.prefecture_code
    )


@dataclass(frozen=True)
class ClaimBalance:
    """Where a return claim stands on a day. Payments go to the principal first (subsidy act art. 19(3))."""

    as_of: date
    due_on: date
    principal: int
    principal_paid: int
    surcharge: int  # 加算金
    late_interest: int  # 延滞金
    interest_paid: int
    #: 加算金 per received part, latest first: (received_on, amount, surcharge); empty without 加算金.
    surcharge_parts: tuple = ()

    @property
    def paid(self) -> int:
        return self.principal_paid + self.interest_paid

    @property
    def principal_outstanding(self) -> int:
        return self.principal - self.principal_paid

    @property
    def interest_outstanding(self) -> int:
        return self.surcharge + self.late_interest - self.interest_paid

    @property
    def total_outstanding(self) -> int:
        return self.principal_outstanding + self.interest_outstanding

    @property
    def settled(self) -> bool:
        return self.total_outstanding == 0

    @property
    def overdue(self) -> bool:
        """Money still owed after the due day."""
        return not self.settled and self.due_on < self.as_of


def return_claim_balance(*, claim: ReturnClaim, as_of: date) -> ClaimBalance:
    """A claim's principal and interest as of ``as_of``, counting the payments made up to that day."""
    payments = [(p.paid_on, p.amount) for p in claim.payments.all() if p.paid_on <= as_of]
    paid = sum(amount for _, amount in payments)
    receipts = [(r.received_on, r.amount) for r in claim.receipts.all()]
    parts = surcharge_by_receipt(receipts=receipts, payments=payments, as_of=as_of) if claim.surcharge_applies else []
    return ClaimBalance(
        as_of=as_of,
        due_on=claim.due_on,
        principal=claim.principal,
        principal_paid=min(paid, claim.principal),
        surcharge=sum(part for _, _, part in parts),
        surcharge_parts=tuple(parts),
        late_interest=late_interest(principal=claim.principal, due_on=claim.due_on, payments=payments, as_of=as_of),
        interest_paid=max(paid - claim.principal, 0),
    )


def case_return_claim_balances_for_actor(*, actor, case: Case, as_of: date) -> list[tuple[ReturnClaim, ClaimBalance]]:
    """A case's return claims, by notice date, each with where it stands on ``as_of``: principal, 加算金 and 延滞金
    accrued so far, what was paid back (the case page's return claims). Only a settlement and a revocation's
    notice order one (docs/money.md#when-money-goes-back): any other case is not asked about."""
    if not (procedure_get(case.stream, case.procedure).settles or case.state in GRANT_REVOKED_STATES):
        return []
    return [
        (claim, return_claim_balance(claim=claim, as_of=as_of))
        for claim in return_claim_list_for_actor(actor=actor, case=case.pk)
    ]


def case_amount_paid(*, case: Case) -> int:
    """Yen paid out on a case's items by executed runs, before any return (reads an ``amount_paid`` annotation)."""
    annotated = getattr(case, "amount_paid", None)
    if annotated is not None:
        return annotated
    return PaymentRecord.objects.filter(item__case=case).aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def case_amount_paid_annotation() -> Coalesce:
    """``Case`` queryset annotation ``amount_paid=case_amount_paid_annotation()``: lists then pay no query per case."""
    paid = (
        PaymentRecord.objects.filter(item__case=OuterRef("pk"))
        .order_by()
        .values("item__case")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(paid), 0)


def fund_balance_list_for_actor(
    *, actor, prefecture: str | None = None, fiscal_year: int | None = None
) -> QuerySet[FundBalance]:
    """Fund balances of the prefectures the actor may read, by prefecture and year."""
    balances = FundBalance.objects.filter(
        scope_q(actor, stream=fund_stream(), prefecture="prefecture__prefecture_code")
    ).select_related("prefecture")
    if prefecture:
        balances = balances.filter(prefecture__code=prefecture)
    if fiscal_year is not None:
        balances = balances.filter(fiscal_year_id=fiscal_year)
    return balances.order_by("prefecture__code", "fiscal_year_id")


@dataclass(frozen=True)
class ExpectedAmounts:
    """One part's accepted demand-survey figures (事業見込み量（所要額）調査) of a prefecture in a survey year: the yen
    it expects to need in each fiscal year the survey asked about, and their sum."""

    part: str
    by_year: tuple[tuple[int, int], ...]  # (fiscal year, yen), earliest first

    @property
    def total(self) -> int:
        return sum(amount for _year, amount in self.by_year)


def fund_balances_with_expected_amounts(*, actor, balances) -> list[FundBalance]:
    """The fund balances of a page, each with ``expected_amounts``: the accepted demand-survey figures of its
    prefecture and fiscal year, one ``ExpectedAmounts`` per part (empty when none was accepted), read in the
    actor's scope as the balances are (one query for the page)."""
    balances = list(balances)
    if not balances:
        return balances
    stream = fund_stream()
    surveys = (
        Case.objects.filter(
            scope_q(actor, stream=stream, prefecture="recipient__prefecture_code"),
            stream=stream,
            state=CaseState.ACCEPTED,
            recipient_id__in={balance.prefecture_id for balance in balances},
            fiscal_year_id__in={balance.fiscal_year_id for balance in balances},
        )
        .exclude(amounts_expected={})
        .order_by("recipient_id", "fiscal_year_id", "part")
        .values_list("recipient_id", "fiscal_year_id", "part", "amounts_expected")
    )
    found: dict[tuple[int, int], list[ExpectedAmounts]] = defaultdict(list)
    for recipient_id, fiscal_year, part, amounts in surveys:
        by_year = tuple(sorted((int(year), amount) for year, amount in amounts.items()))
        found[(recipient_id, fiscal_year)].append(ExpectedAmounts(part=part, by_year=by_year))
    for balance in balances:
        balance.expected_amounts = found.get((balance.prefecture_id, balance.fiscal_year_id), [])
    return balances


def ministry_pays(stream: str) -> bool:
    """The ministry decides and pays ``stream``; the bureau records it and pays nothing."""
    return not stream_get(stream).bureau_decides


@dataclass(frozen=True)
class PrefectureAmounts:
    """One stream's yen in one prefecture for one fiscal year: determined (as last notified), settled, paid, and
    what return claims asked back of it (principal; the part already paid back)."""

    stream: str
    prefecture_code: str
    prefecture: Recipient | None  # None when no prefecture is on file for the code
    determined: int
    settled: int
    paid: int
    claimed: int = 0
    returned: int = 0

    @property
    def net_paid(self) -> int:
        """Paid less what was claimed back: what the year's grant keeps once the claims are repaid."""
        return self.paid - self.claimed

    @property
    def ministry_pays(self) -> bool:
        return ministry_pays(self.stream)


def prefecture_amount_list_for_actor(*, actor, fiscal_year: int | None) -> list[PrefectureAmounts]:
    """A fiscal year's amounts per stream and prefecture in the actor's scope, by stream and prefecture code.

    Determined sums each recipient's grant as last notified (its notified change
    replaces its initial decision's amount) and the other notified grants
    (adjustment grants); settled sums the settlements notified in the
    fiscal year; paid counts what executed runs paid towards the fiscal year's
    grant (its budget year), whenever they ran; claimed sums the principal of
    the return claims on that grant (a revocation's, a settlement's) and
    returned what was paid back of it (payments go to the principal first,
    subsidy act art. 19(3)). A revoked grant is determined no more, but what
    was paid on it stays paid: its claim is what reconciles the two. Four
    queries, however many cases.
    """
    in_force = [state.value for state in DECISION_IN_FORCE_STATES]
    # The database sums the cases by stream, part, procedure and prefecture; a grant's cases (initial decision,
    # change) keep their recipient in the grouping, since only its latest notified amount counts.
    grant_setting = Q(pk__in=[])
    for spec in procedure_list():
        if spec.sets_grant:
            grant_setting |= Q(stream=spec.stream, procedure=spec.code)
    notified = (
        Case.objects.filter(scope_q(actor), fiscal_year_id=fiscal_year, state__in=in_force)
        .annotate(grant_of=models.Case(models.When(grant_setting, then="recipient_id"), default=None))
        .order_by()
        .values("stream", "part", "procedure", "recipient__prefecture_code", "grant_of")
        .annotate(current=Sum("amount_current"), settled=Sum("amount_settled"))
    )
    cells: dict = defaultdict(lambda: {"determined": 0, "settled": 0, "paid": 0, "claimed": 0, "returned": 0})
    grants: dict = defaultdict(dict)  # one recipient's grant for a stream and part: {procedure: amount}
    for row in notified:
        key = (row["stream"], row["recipient__prefecture_code"])
        spec = procedure_get(row["stream"], row["procedure"])
        if spec.sets_grant:
            grants[(*key, row["grant_of"], row["part"])][row["procedure"]] = row["current"]
        elif spec.settles:
            cells[key]["settled"] += row["settled"] or 0
        else:
            cells[key]["determined"] += row["current"] or 0
    for (stream, code, _recipient, _part), amounts in grants.items():
        cells[(stream, code)]["determined"] += grant_amount_as_last_notified(amounts, stream) or 0
    paid = (
        PaymentRecord.objects.filter(scope_q(actor, via="item__case__"), item__budget_year=fiscal_year)
        .values("item__case__stream", "item__recipient__prefecture_code")
        .annotate(total=Sum("amount"))
    )
    for row in paid:
        cells[(row["item__case__stream"], row["item__recipient__prefecture_code"])]["paid"] += row["total"]
    claims = (
        ReturnClaim.objects.filter(scope_q(actor, via="case__"), budget_year=fiscal_year)
        .annotate(repaid=Coalesce(Sum("payments__amount"), 0))
        .values_list("case__stream", "recipient__prefecture_code", "principal", "repaid")
    )
    for stream, code, principal, repaid in claims:
        cells[(stream, code)]["claimed"] += principal
        cells[(stream, code)]["returned"] += min(repaid, principal)
    prefectures = {recipient.code: recipient for recipient in Recipient.objects.filter(kind=RecipientKind.PREFECTURE)}
    return [
        PrefectureAmounts(
            stream=stream,
            prefecture_code=code,
            prefecture=prefectures.get(code),
            determined=cell["determined"],
            settled=cell["settled"],
            paid=cell["paid"],
            claimed=cell["claimed"],
            returned=cell["returned"],
        )
        for (stream, code), cell in sorted(cells.items())
    ]


@dataclass(frozen=True)
class StreamAmounts:
    """One stream's yen for one fiscal year across the prefectures of a dashboard: each figure the sum of its
    prefectures' (``PrefectureAmounts``), so the parts sum exactly to the total."""

    stream: str
    determined: int
    paid: int
    claimed: int

    @property
    def ministry_pays(self) -> bool:
        return ministry_pays(self.stream)


@dataclass(frozen=True)
class DashboardAmounts:
    """A fiscal year's dashboard: the amounts per stream and prefecture (``rows``) and per stream (``totals``)."""

    rows: list[PrefectureAmounts]
    totals: list[StreamAmounts]

    @property
    def peak(self) -> int:
        """The largest amount determined or paid in one row: the length its chart's bars are measured against."""
        return max((max(row.determined, row.paid) for row in self.rows), default=0)

    @property
    def bureau_pays(self) -> bool:
        return any(not row.ministry_pays for row in self.rows)

    @property
    def ministry_pays(self) -> bool:
        return any(row.ministry_pays for row in self.rows)


def _stream_amounts(stream: str, rows: list[PrefectureAmounts]) -> StreamAmounts:
    return StreamAmounts(
        stream=stream,
        determined=sum(row.determined for row in rows),
        paid=sum(row.paid for row in rows),
        claimed=sum(row.claimed for row in rows),
    )


def dashboard_amounts_for_actor(*, actor, fiscal_year: int | None) -> DashboardAmounts:
    """A fiscal year's amounts in the actor's scope for the dashboard: the rows of
    ``prefecture_amount_list_for_actor`` and, per stream (by stream code: the rows come sorted by it), their sums."""
    rows = prefecture_amount_list_for_actor(actor=actor, fiscal_year=fiscal_year)
    totals = [_stream_amounts(stream, list(group)) for stream, group in groupby(rows, key=lambda row: row.stream)]
    return DashboardAmounts(rows=rows, totals=totals)
