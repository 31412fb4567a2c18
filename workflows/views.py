"""Web pages of the officer's and supervisor's daily work: worklist, case page,
transitions, approval queue and the case as it stood on a past day (the bulk
request page is the letters app's: it batches the request letters it issued).

Every act goes through ``services.case_transition``; its typed errors are shown
where the user acted (422 on the form's fields, 409 with a reload link, 403 in
place), never as a 500.
"""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from calendars.fiscal import fiscal_year_of
from grants.errors import StaleCase
from grants.forms import AsOfForm, CaseFilterForm, add_service_errors
from grants.models import Case
from grants.access import authorize
from grants.selectors import case_get_for_actor, fiscal_year_list
from grants.views import page
from payments.errors import PaymentRunNotFound
from payments.flows import RUN_STEP_LABELS, run_step_buttons
from payments.selectors import (
    case_amount_paid,
    case_payment_item_list_for_actor,
    case_return_claim_balances_for_actor,
    payment_run_available_transitions,
    payment_run_breakdown_for_actor,
    payment_run_refusal_note,
    payment_run_pending_list_for_actor,
)
from payments.services import payment_run_transition
from web.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from web.pagination import PAGE_SIZES, page_size, paginate, query_without, query_without_page
from web.selectors import saved_filter_list
from web.services import saved_filter_delete, saved_filter_save
from web.views import PageNotFound, domain_errors_as_pages

from .forms import (
    BULK_SUMMARY,
    BulkApproveForm,
    LateOnForm,
    SavedFilterForm,
    SubmissionConfirmForm,
    SubmissionImportForm,
    TransitionForm,
    import_step,
)
from .imports import submission_import_preview_for_actor, submission_rows_read
from .selectors import (
    case_amount_rows,
    case_page_section_list,
    approval_queue_for_supervisor,
    approval_queue_rows_for_supervisor,
    case_as_of,
    case_available_transitions,
    case_history,
    case_is_overdue,
    determination_list_for_case,
    bulk_summary_cases_for_actor,
    late_by_prefecture_for_actor,
    worklist_columns_for_actor,
    worklist_counts_for_actor,
    worklist_for_actor,
    NEEDS,
    WORKLIST_SORTS,
)
from .services import case_transition, case_transition_bulk
from .steps import bulk_approval_step, step_declared

WORKLIST_FILTERS = ("search", "fiscal_year", "stream", "procedure", "state", "prefecture", "recipient_search")


@login_required
@require_safe
def worklist(request):
    """Officer worklist: the cases that need them, found by search and filters, sorted by a column, counted by
    state and by what needs the user; their saved filters one click away."""
    form = CaseFilterForm(request.GET or None, reader=request.user, only=WORKLIST_FILTERS)
    today = timezone.localdate()
    filters = form.filters()
    sort = request.GET.get("sort", "")
    needs = request.GET.get("needs", "")
    needs = needs if needs in NEEDS else ""
    cases = worklist_for_actor(actor=request.user, filters=filters, today=today, sort=sort, needs=needs)
    invalid = form.invalid
    if invalid:  # filters that do not parse list nothing (the form says why), not every case they left out
        cases = cases.none()
    query = query_without_page(request)
    page_obj = paginate(request, cases)
    counts = worklist_counts_for_actor(actor=request.user, filters=filters, today=today)
    if invalid:
        counts["by_state"] = []
    columns, rows = worklist_columns_for_actor(cases=page_obj, actor=request.user)
    return page(
        request,
        "workflows/worklist.html",
        {
            "form": form,
            "page_obj": page_obj,
            "columns": columns,
            "rows": rows,
            "query": query,
            "today": today,
            "sort": sort.removeprefix("-") if sort.removeprefix("-") in WORKLIST_SORTS else "",
            "descending": sort.startswith("-"),
            "sort_query": query_without(request, "page", "sort"),
            "needs": needs,
            "needs_query": query_without(request, "page", "needs", "state"),
            "counts": counts,
            "invalid": invalid,
            "page_sizes": PAGE_SIZES,
            "per_page": page_size(request),
            "saved_filters": saved_filter_list(owner=request.user, page="worklist"),
            "save_form": SavedFilterForm(initial={"query": query}),
        },
        status=422 if invalid else 200,
    )


@login_required
@require_POST
def saved_filter_create(request):
    """Save the worklist's current filters under a name; back to the worklist with them applied."""
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        try:
            saved = saved_filter_save(owner=request.user, page="worklist", **form.cleaned_data)
        except InvalidInput as exc:
            messages.error(request, " ".join(str(p) for problems in exc.details.values() for p in problems))
        else:
            messages.success(request, _("Filters saved as “%(name)s”.") % {"name": saved.name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    query = form.cleaned_data.get("query", "") if form.is_valid() else ""
    return redirect(reverse("worklist") + (f"?{query}" if query else ""))


@login_required
@require_POST
def saved_filter_remove(request, filter_id: int):
    """Delete one of the user's saved filters; back to the worklist."""
    saved_filter_delete(owner=request.user, filter_id=filter_id)
    messages.success(request, _("Saved filters deleted."))
    return redirect("worklist")


def case_page_render(
    request, case: Case, *, bound: TransitionForm | None = None, problem: dict | None = None, status=200
):
    """The case page (``case_detail``), with a refused act's ``problem`` and its bound form when there is one."""
    today = timezone.localdate()  # one day for the whole page, even across midnight
    transitions = case_available_transitions(case=case, actor=request.user)
    for transition in transitions:
        name = transition["name"]
        transition["turns_back"] = step_declared(name).step.turns_back
        transition["form"] = (
            bound
            if bound is not None and bound.transition == name and not (problem or {}).get("stale")
            else TransitionForm(initial={"version": case.version}, transition=name, case=case)
        )
    return page(
        request,
        "workflows/case_detail.html",
        {
            "case": case,
            "transitions": transitions,
            "problem": problem,
            "history": case_history(case=case),
            "determinations": determination_list_for_case(case=case),
            "sections": [
                render_to_string(section.template, section.context, request=request)
                for section in case_page_section_list(case=case, actor=request.user)
            ],
            "amount_rows": case_amount_rows(case=case, paid=case_amount_paid(case=case)),
            "payment_items": case_payment_item_list_for_actor(actor=request.user, case=case.pk),
            "return_claims": case_return_claim_balances_for_actor(actor=request.user, case=case, as_of=today),
            "today": today,
            "overdue": case_is_overdue(case=case, today=today),
            "as_of_form": AsOfForm(auto_id="id_as_of_%s"),
        },
        status=status,
    )


@login_required
@require_safe
@domain_errors_as_pages
def late_by_prefecture(request):
    """Overdue cases whose papers travel through their prefecture (経由), by prefecture with counts: what a
    prefecture's officers chase with their municipalities. Within the user's scope."""
    form = LateOnForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    on = (form.cleaned_data.get("on") if valid and form.is_bound else None) or timezone.localdate()
    groups = late_by_prefecture_for_actor(actor=request.user, today=on) if valid else []
    return page(
        request, "workflows/late_by_prefecture.html", {"groups": groups, "form": form, "on": on},
        status=200 if valid else 422,
    )


@login_required
@require_safe
@domain_errors_as_pages
def case_detail(request, case_id: int):
    """The case page: amounts, deadline, timeline and a form for each step the user may take."""
    return case_page_render(request, case_get_for_actor(actor=request.user, case_id=case_id))


def _next_url(request) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def case_transition_submit(request, case_id: int, name: str):
    """Take one step on a case; errors come back where the user acted: on the case page, or, for a step
    taken from another page (``next``: the approval queue), as a message on that page.

    A refused step's page stays at this address, so the language switch or a
    reload comes back here with a GET: that shows the case page.
    """
    if request.method != "POST":
        return redirect("case-detail", case_id)
    case = case_get_for_actor(actor=request.user, case_id=case_id)
    declared = step_declared(name)
    if declared is None:
        raise PageNotFound(_("There is no step of that name."))
    form = TransitionForm(request.POST, transition=name, case=case)
    label = str(declared.label)
    if not form.is_valid():
        if "version" in form.errors:
            problem, status = {"stale": True, "message": StaleCase.default_message}, 409
        else:
            problem, status = {"message": InvalidInput.default_message}, 422
    else:
        try:
            case_transition(
                case_id=case.pk,
                name=name,
                actor=request.user,
                data=form.transition_data(),
                expected_version=form.cleaned_data["version"],
            )
        except InvalidInput as exc:
            add_service_errors(form, exc.details)
            problem, status = {"message": exc.message}, 422
        except StaleCase as exc:
            problem, status = {"message": exc.message, "stale": True}, 409
        except (Conflict, PermissionDenied) as exc:
            problem, status = {"message": exc.message}, exc.http_status
        else:
            next_url = _next_url(request)
            if next_url:  # back to a list of cases (the approval queue): say which case
                done = _("%(recipient)s: %(step)s done.") % {"recipient": case.recipient.local_name, "step": label}
            else:
                done = _("Done: %(step)s.") % {"step": label}
            messages.success(request, done)
            return redirect(next_url or reverse("case-detail", args=[case.pk]))
    problem |= {"transition": name, "label": label}
    if next_url := _next_url(request):
        messages.error(request, _refusal_message(case, problem, form))
        return redirect(next_url)
    case = case_get_for_actor(actor=request.user, case_id=case_id)
    return case_page_render(request, case, bound=form, problem=problem, status=status)


def _refusal_message(case: Case, problem: dict, form: TransitionForm) -> str:
    """A refused step as one message for the page it was taken from: the case's recipient, the step, why, and
    what is wrong with each field (the version's error is the stale message itself)."""
    reasons = [str(problem["message"])]
    for field, errors in form.errors.items():
        if field in form.fields and field != "version":
            reasons += [_("%(field)s: %(error)s") % {"field": form.fields[field].label, "error": error} for error in errors]
        elif field not in form.fields:
            reasons += [str(error) for error in errors]
    return _("%(recipient)s: %(step)s was not done. %(reasons)s") % {
        "recipient": case.recipient.local_name, "step": problem["label"], "reasons": " ".join(reasons),
    }


@login_required
@require_safe
@domain_errors_as_pages
def case_as_of_page(request, case_id: int):
    """The case's state, amounts and deadline as they stood at the end of a chosen day."""
    case = case_get_for_actor(actor=request.user, case_id=case_id)
    form = AsOfForm(request.GET or None)
    snapshot = None
    if form.is_valid():
        moment = datetime.combine(form.cleaned_data["date"], time.max, tzinfo=timezone.get_default_timezone())
        snapshot = case_as_of(case=case, moment=moment)
    return page(
        request,
        "workflows/case_as_of.html",
        {
            "case": case, "form": form, "snapshot": snapshot, "asked": form.is_bound and form.is_valid(),
            "amount_rows": snapshot and case_amount_rows(case=case, snapshot=snapshot),
        },
        status=200 if not form.is_bound or form.is_valid() else 422,
    )


@login_required
@require_safe
@domain_errors_as_pages
def approval_queue(request):
    """Supervisor's queue: each draft with its drafter, amount and the budget-notice cover; approve or send back."""
    page_obj = paginate(request, approval_queue_for_supervisor(actor=request.user))
    rows = approval_queue_rows_for_supervisor(actor=request.user, cases=page_obj)
    for row in rows:
        for step in (row["approve"], row["send_back"]):
            if step is not None:
                form = TransitionForm(initial={"version": row["case"].version}, transition=step["name"])
                # One form per row: ids carry the case, so each label names its own row's field.
                form.auto_id = f"id_{row['case'].pk}_{step['name']}_%s"
                step["form"] = form
                step["turns_back"] = step_declared(step["name"]).step.turns_back
    runs = [
        {
            "run": run,
            "steps": run_step_buttons(payment_run_available_transitions(run=run, actor=request.user)),
            "breakdown": payment_run_breakdown_for_actor(actor=request.user, run=run),
            "four_eyes": payment_run_refusal_note(run=run, actor=request.user),
        }
        for run in payment_run_pending_list_for_actor(actor=request.user)
    ]
    return page(
        request,
        "workflows/approval_queue.html",
        {"rows": rows, "runs": runs, "page_obj": page_obj, "query": query_without_page(request)},
    )


@login_required
@require_POST
@domain_errors_as_pages
def bulk_approve(request):
    """Approve every draft ticked in the queue, each through the transition service (four eyes, budget cover and
    version checked case by case): the approved counted, each refusal listed by recipient; back to the queue."""
    authorize(request.user, "grants.approve_decision")
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("approval-queue")
    approval = bulk_approval_step()
    label = approval.label
    cases = form.cleaned_data["cases"]
    names = {
        case.pk: case.recipient.local_name
        for case in bulk_summary_cases_for_actor(actor=request.user, case_ids=[case_id for case_id, _version in cases])
    }
    outcome = case_transition_bulk(name=approval.name, actor=request.user, data={}, cases=cases)
    for refused in outcome.refused:
        messages.error(request, _("%(recipient)s: not approved. %(reason)s") % {
            "recipient": names.get(refused["case_id"], f"#{refused['case_id']}"), "reason": refused["message"]})
    done = len(outcome.done)
    if done:
        messages.success(request, _("%(step)s: done for %(count)s cases.") % {"step": label, "count": done})
    return redirect("approval-queue")


@login_required
@require_POST
@domain_errors_as_pages
def payment_run_step(request, run_id: int, name: str):
    """Approve, execute or cancel a payment run; a refusal comes back as a message on the page it came from
    (``next``, which the approval queue's and the payment runs page's forms send), else on the payment runs page,
    which everyone who may take a run's step reads (the queue is the approvers' only)."""
    if name not in RUN_STEP_LABELS:
        raise PageNotFound(_("There is no step of that name."))
    try:
        payment_run_transition(actor=request.user, run_id=run_id, name=name)
    except PaymentRunNotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": RUN_STEP_LABELS[name]})
    return redirect(_next_url(request) or reverse("payment-runs"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def submission_import(request):
    """Record received submissions from a CSV or XLSX file: a preview of every row's result that writes
    nothing, then the rows confirmed, each through the transition service; the summary after a redirect."""
    authorize(request.user, "grants.act_on_case")
    years = fiscal_year_list()
    current = fiscal_year_of(timezone.localdate())
    if request.method == "POST" and "rows" in request.POST:
        return _submission_confirm(request, SubmissionConfirmForm(request.POST, fiscal_years=years))
    form = SubmissionImportForm(
        request.POST or None, request.FILES or None, fiscal_years=years,
        initial={"fiscal_year": current if current in years else None},
    )
    preview, confirm, status = None, None, 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            try:
                rows = submission_rows_read(form.cleaned_data["file"])
            except InvalidInput as exc:
                add_service_errors(form, exc.details)
            else:
                preview = submission_import_preview_for_actor(
                    actor=request.user, transition=import_step().name, rows=rows, **form.selection()
                )
                status = 200
                ready = ",".join(
                    ":".join(
                        [str(item["case"].pk), str(item["case"].version), str(item["data"]["amount"])]
                        + [item["data"][name].isoformat() if item["data"].get(name) else "" for name in ("date", "prefecture_received_on")]
                    )
                    for item in preview if item["ready"]
                )
                if ready:
                    confirm = SubmissionConfirmForm(initial=form.selection() | {"rows": ready}, fiscal_years=years)
    return page(
        request,
        "workflows/submission_import.html",
        {"form": form, "preview": preview, "confirm": confirm, "ready_count": sum(i["ready"] for i in preview or [])},
        status=status,
    )


def _submission_confirm(request, form: SubmissionConfirmForm):
    if not form.is_valid():
        return page(request, "workflows/submission_import.html", {"form": form, "preview": None}, status=422)
    done, refused = [], []
    for row in form.cleaned_data["rows"]:
        try:
            case = case_transition(
                case_id=row["case_id"], name=import_step().name, actor=request.user, data=row["data"],
                expected_version=row["version"],
            )
        except DomainError as exc:
            refused.append({"case_id": row["case_id"], "message": str(exc.message)})
        else:
            done.append(case.pk)
    request.session[BULK_SUMMARY] = {"transition": import_step().name, "done": done, "refused": refused, "batch": None}
    return redirect("bulk-request-summary")
