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

from grants.errors import StaleCase
from grants.forms import AsOfForm, CaseFilterForm, add_service_errors
from grants.models import Case
from grants.selectors import case_get_for_actor
from grants.views import page
from payments.errors import PaymentRunNotFound
from payments.flows import PaymentRunFlow
from payments.selectors import (
    case_amount_paid,
    case_payment_item_list_for_actor,
    payment_run_available_transitions,
    payment_run_breakdown_for_actor,
    payment_run_four_eyes_refusal,
    payment_run_pending_list_for_actor,
)
from payments.services import payment_run_transition
from web.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from web.pagination import paginate, query_without_page
from web.views import PageNotFound, domain_errors_as_pages

from .forms import TransitionForm
from .selectors import (
    case_page_section_list,
    approval_queue_for_supervisor,
    approval_queue_rows_for_supervisor,
    case_as_of,
    case_available_transitions,
    case_history,
    case_is_overdue,
    determination_list_for_case,
    worklist_for_actor,
)
from .services import case_transition
from .steps import step_declared

WORKLIST_FILTERS = ("fiscal_year", "stream", "procedure", "state", "prefecture", "recipient_search")


@login_required
@require_safe
def worklist(request):
    """Officer worklist: the cases that need them, filtered."""
    form = CaseFilterForm(request.GET or None, only=WORKLIST_FILTERS)
    today = timezone.localdate()
    cases = worklist_for_actor(actor=request.user, filters=form.filters(), today=today)
    return page(
        request,
        "workflows/worklist.html",
        {"form": form, "page_obj": paginate(request, cases), "query": query_without_page(request), "today": today},
    )


def _case_page(request, case: Case, *, bound: TransitionForm | None = None, problem: dict | None = None, status=200):
    transitions = case_available_transitions(case=case, actor=request.user)
    for transition in transitions:
        name = transition["name"]
        transition["turns_back"] = step_declared(name).step.turns_back
        transition["form"] = (
            bound
            if bound is not None and bound.transition == name and not (problem or {}).get("stale")
            else TransitionForm(initial={"version": case.version}, transition=name)
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
            "amount_paid": case_amount_paid(case=case),
            "payment_items": case_payment_item_list_for_actor(actor=request.user, case=case.pk),
            "overdue": case_is_overdue(case=case, today=timezone.localdate()),
            "as_of_form": AsOfForm(auto_id="id_as_of_%s"),
        },
        status=status,
    )


@login_required
@require_safe
@domain_errors_as_pages
def case_detail(request, case_id: int):
    """The case page: amounts, deadline, timeline and a form for each step the user may take."""
    return _case_page(request, case_get_for_actor(actor=request.user, case_id=case_id))


def _next_url(request) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def case_transition_submit(request, case_id: int, name: str):
    """Take one step on a case; errors come back on the case page where the user acted.

    A refused step's page stays at this address, so the language switch or a
    reload comes back here with a GET: that shows the case page.
    """
    if request.method != "POST":
        return redirect("case-detail", case_id)
    case = case_get_for_actor(actor=request.user, case_id=case_id)
    declared = step_declared(name)
    if declared is None:
        raise PageNotFound(_("There is no step of that name."))
    form = TransitionForm(request.POST, transition=name)
    label = str(declared.label)
    if not form.is_valid():
        if "version" in form.errors:
            problem = {"transition": name, "label": label, "stale": True, "message": StaleCase.default_message}
            return _case_page(request, case, bound=form, problem=problem, status=409)
        problem = {"transition": name, "label": label, "message": InvalidInput.default_message}
        return _case_page(request, case, bound=form, problem=problem, status=422)
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
        messages.success(request, _("Done: %(step)s.") % {"step": label})
        return redirect(_next_url(request) or reverse("case-detail", args=[case.pk]))
    problem |= {"transition": name, "label": label}
    case = case_get_for_actor(actor=request.user, case_id=case_id)
    return _case_page(request, case, bound=form, problem=problem, status=status)


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
        {"case": case, "form": form, "snapshot": snapshot, "asked": form.is_bound and form.is_valid()},
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
            "steps": [
                {"name": name, "label": RUN_STEP_LABELS[name]}
                for name in payment_run_available_transitions(run=run, actor=request.user)
            ],
            "breakdown": payment_run_breakdown_for_actor(actor=request.user, run=run),
            "four_eyes": payment_run_four_eyes_refusal(run=run, actor=request.user),
        }
        for run in payment_run_pending_list_for_actor(actor=request.user)
    ]
    return page(
        request,
        "workflows/approval_queue.html",
        {"rows": rows, "runs": runs, "page_obj": page_obj, "query": query_without_page(request)},
    )


# Each payment-run step by the label its flow gives it (approve, execute, cancel).
RUN_STEP_LABELS = {
    transition.slug: transition.label
    for transitions in PaymentRunFlow.state.get_transitions().values()
    for transition in transitions
}


@login_required
@require_POST
@domain_errors_as_pages
def payment_run_step(request, run_id: int, name: str):
    """Approve, execute or cancel a payment run from the queue; a refusal comes back as a message on the queue."""
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
    return redirect("approval-queue")
