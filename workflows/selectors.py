"""Reads about what a user may do with a case, how it stood in the past, and the
lists the case-work pages show: worklist, approval queue, bulk-step preview.
Scope is applied by ``grants.selectors.case_list_for_actor``; nothing here writes."""

from datetime import date, datetime
from itertools import groupby

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models import Case as SqlCase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.access import authorize, may
from grants.models import GRANT_REVOKED_STATES, OPEN_STATES, Case, CaseState, Determination, HistoryEntry
from grants.catalogue import AMOUNT_ORDER, UNCOMMITTING_KINDS, procedure_get, routed_streams, stream_get
from grants.selectors import (
    PENDING_Q,
    budget_commitments_of,
    case_list_for_actor,
    case_overdue_q,
    history_entry_day,
    prefecture_by_code,
)
from inquiries.selectors import inquiry_open_count_for_actor
from payments.selectors import case_amount_paid, case_amount_paid_annotation

from .errors import FourEyesViolation
from .fields import fields_for_case
from .flows import flow_for
from .signals import ListColumn, PageSection, case_page_sections, worklist_columns
from .steps import DeterminationAct, flow_steps, states_after, states_awaiting, step_for_act

NOT_IN_STATE_MESSAGE = _("Not possible in state “%(state)s”.")


def case_available_transitions(*, case: Case, actor) -> list[dict]:
    """The steps ``actor`` may take on ``case`` now, with their fields; ``blocked_by`` names an unmet condition.

    In the order the case's procedure declares its steps.
    """
    flow = flow_for(case, actor=actor)
    outgoing = {transition.slug: transition for transition in type(flow).state.get_outgoing_transitions(case.state)}
    result = []
    for declared in flow_steps(type(flow)):
        transition = outgoing.get(declared.name)
        if transition is None or not transition.has_perm(flow, actor):
            continue
        unmet = transition.get_unmet_condition(flow)
        blocked_by = None
        if unmet is not None:
            condition, outcome = unmet
            blocked_by = {
                "condition": getattr(condition, "__name__", "condition"),
                "message": str(getattr(outcome, "message", "") or ""),
            }
        result.append(
            {
                "name": declared.name,
                "label": str(transition.label),
                "fields": [spec.as_dict() for spec in fields_for_case(declared.step.fields, case)],
                "blocked_by": blocked_by,
            }
        )
    return result


def determination_list_for_case(*, case: Case) -> QuerySet[Determination]:
    """The case's determinations (drafts, decisions, settlements) with who drafted and who approved each."""
    return case.determinations.select_related("drafted_by", "approved_by")


def case_history(*, case: Case) -> QuerySet[HistoryEntry]:
    """The case's records, oldest first."""
    return HistoryEntry.objects.filter(case=case).select_related("actor").order_by("pk")


def case_as_of(*, case: Case, moment: datetime) -> dict | None:
    """The case's state, amounts and deadline as they stood at the end of ``moment``'s day (None: it did not
    exist yet), by the day each act took place (``occurred_on`` for acts entered later)."""
    day = timezone.localtime(moment).date()
    entries = [entry for entry in HistoryEntry.objects.filter(case=case).order_by("pk") if history_entry_day(entry) <= day]
    acts = [entry for entry in entries if "snapshot" in (entry.data or {})]
    if acts:
        return acts[-1].data["snapshot"] | {"as_of_record": acts[-1].pk}
    created = next((entry for entry in entries if entry.action == "create"), None)
    if created is None:
        return None
    return {"state": created.target, "version": 1, "amounts": {}, "deadline": None, "as_of_record": created.pk}


def case_is_overdue(*, case: Case, today: date) -> bool:
    """Whether ``grants.selectors.case_overdue_q`` holds for one case (the worklist's ``is_overdue``).

    Asked of the database so the case page, the worklist and the API filter share one rule.
    """
    return Case.objects.filter(case_overdue_q(on=today), pk=case.pk).exists()


# The worklist's sortable columns: ``?sort=key`` ascending, ``?sort=-key`` descending.
WORKLIST_SORTS = {
    "deadline": "deadline_effective",
    "recipient": "recipient__name_kana",
    "procedure": "procedure",
    "fiscal_year": "fiscal_year_id",
    "state": "state",
    "amount": "amount_requested",
    "officer": "officer__username",
}
# What needs the user (``?needs=``): the counts above the worklist and the filters they link to.
NEEDS = ("sent_back", "overdue")


def _last_determination():
    """The case's latest determination, its ``open_reason`` the reason it was sent back unless its drafter withdrew
    it since (then ""): the rule of ``grants.selectors.determination_sent_back``, which offers the withdrawal."""
    return (
        Determination.objects.filter(case=OuterRef("pk"))
        .annotate(open_reason=SqlCase(When(withdrawn_at__isnull=True, then=F("sent_back_reason")), default=Value(""),
                                      output_field=Determination._meta.get_field("sent_back_reason")))
        .order_by("-drafted_at", "-pk")
    )


def _worklist_cases(*, actor, filters: dict, today: date, needs: str = "") -> QuerySet[Case]:
    cases = case_list_for_actor(actor=actor, **filters)
    last = _last_determination()
    cases = cases.annotate(
        is_overdue=ExpressionWrapper(case_overdue_q(on=today), output_field=BooleanField()),
        # A draft the supervisor sent back: the case is where the step that sent it back left it (in review
        # again, or notified with its revocation sent back); its last draft carries the reason.
        has_sent_back=Exists(
            Determination.objects.filter(case=OuterRef("pk"), withdrawn_at__isnull=True).exclude(sent_back_reason="")
        ),
        sent_back_reason=Subquery(last.values("open_reason")[:1]),
        last_drafter=Subquery(last.values("drafted_by")[:1]),
    )
    if "state" not in filters:
        # Open cases, and a closed one left where its drafter's draft was sent back (a notified decision whose
        # revocation went back to its drafter): there is work on it again for them; the others see it under the
        # sent-back filter's count only when it is theirs.
        sent_back_to = (
            Q(state__in=sorted(states_after(DeterminationAct.SENDS_BACK))) & _draft_sent_back_q() & Q(last_drafter=actor.pk)
        )
        cases = cases.filter(Q(state__in=[s.value for s in OPEN_STATES]) | sent_back_to)
    return cases.filter(_needs_q(needs, actor=actor, today=today)) if needs else cases


def _draft_sent_back_q() -> Q:
    # Whether the case has a draft sent back at all comes first: few have, and that is one look in a partial
    # index (``Determination`` "determination_sent_back"), where the latest draft's reason is a search per case.
    return Q(has_sent_back=True) & ~Q(sent_back_reason="") & Q(sent_back_reason__isnull=False)


def _needs_q(needs: str, *, actor, today: date) -> Q:
    """The worklist's cases that need ``actor`` (one of NEEDS): their drafts sent back, their own overdue cases."""
    if needs == "sent_back":
        return _draft_sent_back_q() & Q(last_drafter=actor.pk)
    return case_overdue_q(on=today) & Q(officer=actor)


def worklist_for_actor(*, actor, filters: dict, today: date, sort: str = "", needs: str = "") -> QuerySet[Case]:
    """The actor's open cases (or the chosen state), overdue first, then by effective deadline (none last).

    ``filters`` are ``case_list_for_actor``'s; each case carries ``is_overdue`` as of ``today`` and
    ``sent_back_reason`` (its last draft's, when sent back). ``sort`` is a key of WORKLIST_SORTS (``-``
    first: descending) and replaces the default order; ``needs`` (one of NEEDS) keeps the user's drafts
    sent back or their own overdue cases.
    """
    cases = _worklist_cases(actor=actor, filters=filters, today=today, needs=needs)
    key = sort.removeprefix("-")
    if key in WORKLIST_SORTS:
        field = F(WORKLIST_SORTS[key])
        return cases.order_by(field.desc(nulls_last=True) if sort.startswith("-") else field.asc(nulls_last=True), "pk")
    return cases.order_by(
        # No deadline makes the comparison NULL, which PostgreSQL would sort first.
        F("is_overdue").desc(nulls_last=True),
        F("deadline_effective").asc(nulls_last=True),
        "pk",
    )


def worklist_counts_for_actor(*, actor, filters: dict, today: date) -> dict:
    """What the worklist's filters hold, by state (``by_state``: (state, count), in the states' order), and
    what needs the actor: ``sent_back`` (their drafts sent back), ``overdue`` (their cases past the
    deadline), ``approvals`` (drafts awaiting a decision, for those who approve; None for others),
    ``inquiries`` (open inquiries in their scope, for those who answer them; None for others)."""
    filters = {key: value for key, value in filters.items() if key != "state"}
    counted = dict(
        case_list_for_actor(actor=actor, **filters).order_by().values_list("state").annotate(n=Count("pk"))
    )
    return {
        "by_state": [(state.value, counted[state.value]) for state in CaseState if counted.get(state.value)],
        **_worklist_cases(actor=actor, filters=filters, today=today).aggregate(  # both needs in one query
            sent_back=Count("pk", filter=_needs_q("sent_back", actor=actor, today=today)),
            overdue=Count("pk", filter=_needs_q("overdue", actor=actor, today=today)),
        ),
        "approvals": (
            _awaiting_approval(actor).count()
            if may(actor, "grants.approve_decision")
            else None
        ),
        "inquiries": inquiry_open_count_for_actor(actor=actor),
    }


def bulk_summary_cases_for_actor(*, actor, case_ids: list[int]) -> QuerySet[Case]:
    """The cases a bulk step named, those the actor may still read, with their recipients."""
    return case_list_for_actor(actor=actor).filter(pk__in=case_ids)


def _awaiting_approval(actor) -> QuerySet[Case]:
    """The actor's cases in a state from which a declared step approves a pending determination: drafted
    decisions, revocations and recorded ministry decisions."""
    return case_list_for_actor(actor=actor).filter(state__in=sorted(states_awaiting(DeterminationAct.APPROVES)))


def approval_queue_for_supervisor(*, actor) -> QuerySet[Case]:
    """Drafts awaiting a supervisor's decision (a determination, a revocation, a recorded ministry decision),
    each with its pending draft and drafter.

    Only those who approve decisions have a queue (``grants.approve_decision``; PermissionDenied
    otherwise), of the cases in their scope. Each case's ``pending`` lists its drafts not yet
    notified or sent back, newest first.
    """
    authorize(actor, "grants.approve_decision")
    pending = Determination.objects.filter(PENDING_Q).select_related("drafted_by")
    return (
        _awaiting_approval(actor)
        .prefetch_related(Prefetch("determinations", queryset=pending.order_by("-drafted_at", "-pk"), to_attr="pending"))
        .annotate(amount_paid=case_amount_paid_annotation())  # what a revocation's row weighs (amounts_weighed)
    )


def approval_queue_rows_for_supervisor(*, actor, cases) -> list[dict]:
    """Each queued case with what the supervisor decides on: its pending ``draft``, its ``budget`` position
    (the notices' ceiling, what approved decisions commit, what this draft would leave; None for settlements
    and streams the ministry decides), whether the notices ``covered`` the draft (docs/money.md),
    and the ``approve`` and ``send_back`` steps ``actor`` may take (None when not theirs to take),
    ``four_eyes``: why ``actor`` may not approve when that is the four-eyes rule (they drafted it), else None,
    and ``weighed``: the case's amounts the draft is weighed against, as the procedure declares them for the
    draft's kind (``ProcedureSpec.amounts_weighed``: what was requested, or the grant a revocation revokes and
    what was paid on it), each ``{"name", "amount"}``.
    The steps are those the case's procedure declares to approve and to send back its determination.

    ``cases`` come from ``approval_queue_for_supervisor`` (a page of them).
    """
    cases = list(cases)
    # the page's years (fiscal year, stream and part) read together: as many queries for one as for ten
    budgeted = {case.pk for case in cases if _needs_budget(case)}
    commitments = budget_commitments_of(
        (case.fiscal_year_id, case.stream, case.part) for case in cases if case.pk in budgeted
    )
    rows = []
    for case in cases:
        draft = case.pending[0] if case.pending else None
        needs_budget = case.pk in budgeted
        if needs_budget:  # the flow's approval condition reads it too
            case.budget_commitments = commitments[(case.fiscal_year_id, case.stream, case.part)]
        flow = flow_for(case, actor=actor)
        approves = step_for_act(type(flow), case.state, DeterminationAct.APPROVES)
        sends_back = step_for_act(type(flow), case.state, DeterminationAct.SENDS_BACK)
        steps = {step["name"]: step for step in case_available_transitions(case=case, actor=actor)}
        approve = steps.get(approves.name) if approves else None
        budget = case.budget_commitments.position(draft) if needs_budget else None
        rows.append(
            {
                "case": case,
                "draft": draft,
                "weighed": _amounts_weighed(case, draft),
                "budget": budget,
                "notices": budget.ceiling if budget else None,
                "covered": draft is not None and (budget is None or budget.covered),
                "approve": approve,
                "bulk": approve is not None and approves.step.bulk,  # the step declares it may be taken in bulk
                "send_back": steps.get(sends_back.name) if sends_back else None,
                "four_eyes": None if approve else _four_eyes_refusal(flow, approves.name if approves else None, actor),
            }
        )
    return rows


def _amounts_weighed(case, draft) -> list[dict]:
    """The amounts of a queued ``case`` its ``draft`` is weighed against (``ProcedureSpec.amounts_weighed``)."""
    if draft is None:
        return []
    amounts = case_amounts(case=case, paid=case_amount_paid(case=case))
    names = procedure_get(case.stream, case.procedure).amounts_weighed(draft.kind)
    return [{"name": name, "amount": amounts.get(name)} for name in names]


def _needs_budget(case) -> bool:
    """Whether a queued case's draft needs its year's notices: decisions and changes do; settlements and revocations
    commit nothing, and the ministry decides some streams itself."""
    draft = case.pending[0] if case.pending else None
    return stream_get(case.stream).bureau_decides and draft is not None and draft.kind not in UNCOMMITTING_KINDS


def _four_eyes_refusal(flow, approve: str | None, actor) -> str | None:
    """The four-eyes rule's message when it is what keeps ``actor`` from approving (the flow's ``refusal``)."""
    if approve is None:
        return None
    refusal = flow.refusal(approve, actor)
    return str(refusal.message) if isinstance(refusal, FourEyesViolation) else None


def bulk_step_preview_for_actor(
    *, actor, transition: str, fiscal_year: int, stream: str, procedure: str, part: str = ""
) -> list[dict]:
    """Each case of a stream, part, procedure and fiscal year, and whether ``transition`` can go out for it now.

    Rows come by prefecture and recipient code, each ``ready`` or with the
    ``reason`` it is not: the case's state, or the condition left unmet.
    """
    cases = case_list_for_actor(
        actor=actor, fiscal_year=fiscal_year, stream=stream, part=part, procedure=procedure
    ).order_by("recipient__prefecture_code", "recipient__code")
    rows = []
    for case in cases:
        available = {t["name"]: t for t in case_available_transitions(case=case, actor=actor)}
        step = available.get(transition)
        if step is None:
            reason = str(NOT_IN_STATE_MESSAGE % {"state": CaseState(case.state).label})
        elif step["blocked_by"]:
            reason = step["blocked_by"]["message"]
        else:
            reason = ""
        rows.append({"case": case, "ready": not reason, "reason": reason})
    return rows


def case_page_section_list(*, case: Case, actor) -> list[PageSection]:
    """What other apps show on the case page (``signals.case_page_sections``), in the order their apps are installed."""
    return [section for _receiver, section in case_page_sections.send(sender=Case, case=case, actor=actor) if section]


def worklist_columns_for_actor(*, cases, actor) -> tuple[list[ListColumn], list[tuple[Case, list[tuple]]]]:
    """The columns other apps add to the worklist (``signals.worklist_columns``, in the order their apps are
    installed) and each of ``cases`` with its cells: (title, template, value) per column."""
    cases = list(cases)
    columns = [column for _receiver, column in worklist_columns.send(sender=Case, cases=cases, actor=actor) if column]
    rows = [(case, [(column.title, column.template, column.values.get(case.pk)) for column in columns]) for case in cases]
    return columns, rows


def late_by_prefecture_for_actor(*, actor, today: date) -> list[dict]:
    """Overdue cases whose papers travel through their prefecture (経由), grouped by prefecture with their count:
    which of a prefecture's municipalities are late (docs/domain.md#routing-through-the-prefecture).

    Only cases the actor may read (``case_list_for_actor``); each group is ``{"code", "prefecture"
    (its recipient, or None when master data lacks it), "count", "cases"}``, by prefecture code, the cases
    by effective deadline then recipient code.
    """
    routed = Q(pk__in=[])
    for stream, kinds in routed_streams().items():
        routed |= Q(stream=stream, recipient__kind__in=kinds)
    cases = (
        case_list_for_actor(actor=actor, overdue_on=today)
        .filter(routed)
        .select_related("recipient", "officer")
        .order_by("recipient__prefecture_code", "deadline_effective", "recipient__code", "pk")
    )
    names = prefecture_by_code()
    groups: list[dict] = []
    for code, members in groupby(cases, key=lambda case: case.recipient.prefecture_code):
        members = list(members)
        groups.append({"code": code, "prefecture": names.get(code), "count": len(members), "cases": members})
    return groups


def case_amounts(*, case, paid=None, snapshot: dict | None = None) -> dict:
    """A case's amounts by the names of the API's ``amounts``, with what a revocation took back and what stands
    (``ProcedureSpec.amounts_after_revocation``): as it stands, or as a ``snapshot`` of the history holds it."""
    spec = procedure_get(case.stream, case.procedure)
    if snapshot is not None:
        return spec.amounts_after_revocation(snapshot["amounts"], revoked=snapshot["state"] in GRANT_REVOKED_STATES)
    amounts = {name: getattr(case, f"amount_{name}") for name in AMOUNT_ORDER if hasattr(case, f"amount_{name}")}
    if paid is not None:
        amounts["paid"] = paid
    return spec.amounts_after_revocation(amounts, revoked=case.state in GRANT_REVOKED_STATES)


def case_amount_rows(*, case, paid=None, snapshot: dict | None = None) -> list[dict]:
    """The rows of a case's amounts as its pages list them (``ProcedureSpec.amount_rows``), as it stands or as a
    ``snapshot`` holds it (which knows nothing of what was paid)."""
    spec = procedure_get(case.stream, case.procedure)
    amounts = case_amounts(case=case, snapshot=snapshot)
    if snapshot is not None:
        return spec.amount_rows(amounts, expected=snapshot.get("amounts_expected"))
    return spec.amount_rows(amounts, expected=case.amounts_expected, paid=paid)


def case_amount_names_shown(*, case) -> list[str]:
    """The names of the amounts ``case``'s procedure shows (``ProcedureSpec.amounts_shown``, in the order its page
    lists them, ``AMOUNT_ORDER``); the page adds others once they are set (the pre-consultation's, a
    revocation's, …). tests/workflows/test_amounts_order.py holds the API and the page to one order."""
    return list(procedure_get(case.stream, case.procedure).amounts_shown)
