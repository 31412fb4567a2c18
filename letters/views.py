"""Web pages of the letters app: a letter's PDF and a batch's PDF or ZIP (a waiting page until rendered),
the renewed request (再依頼) of an overdue case, and the bulk step: the same request, or the notice of approved decisions, on many cases
(``workflows.services.case_transition_bulk``, which acts as ``case_transition`` does, in the order of the
preview: by prefecture and recipient code, so notices take their document numbers in that order), then the
letters it issued grouped into one batch to print."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from calendars.fiscal import fiscal_year_of
from grants.access import authorize
from grants.models import Case
from grants.selectors import case_get_for_actor, fiscal_year_list
from grants.views import page
from workflows.forms import BULK_SUMMARY, BulkConfirmForm, BulkRequestForm
from workflows.selectors import bulk_summary_cases_for_actor
from workflows.services import bulk_step_preview, case_transition_bulk
from workflows.steps import step_declared
from workflows.views import case_page_render
from web.errors import Conflict
from web.views import domain_errors_as_pages

from .errors import LetterNotRendered
from .selectors import (
    letter_batch_get_for_actor,
    letter_batch_pdf_read,
    letter_batch_zip_read,
    letter_get_for_actor,
    letter_pdf_read,
    payment_notice_batch_get_for_actor,
    act_letter_list_for_actor,
)
from .services import bulk_covering_letters_issue, follow_up_send, letter_batch_create


@login_required
@require_safe
@domain_errors_as_pages
def letter_pdf(request, letter_id: int):
    """A letter's PDF, shown in the browser or (``?download=1``) saved as a file."""
    letter = letter_get_for_actor(actor=request.user, letter_id=letter_id)
    try:
        pdf = letter_pdf_read(letter=letter)
    except LetterNotRendered as exc:
        return page(request, "letters/letter_pending.html", {"letter": letter, "message": exc.message}, status=409)
    response = HttpResponse(pdf, content_type="application/pdf")
    # A Japanese document number needs RFC 6266's filename*=UTF-8''…; a bare filename="…" with it is
    # dropped by browsers, which then save the file under the address's last part (706.pdf).
    response["Content-Disposition"] = content_disposition_header(
        bool(request.GET.get("download")), f"{letter.document_number or f'letter-{letter.pk}'}.pdf"
    )
    return response


_BATCH_FILES = {
    "pdf": (letter_batch_pdf_read, "application/pdf"),
    "zip": (letter_batch_zip_read, "application/zip"),
}


@login_required
@require_safe
@domain_errors_as_pages
def letter_batch_file(request, batch_id: int, fmt: str):
    """A batch of letters as one PDF for printing or a ZIP of one PDF per recipient."""
    batch = letter_batch_get_for_actor(actor=request.user, batch_id=batch_id)
    read, content_type = _BATCH_FILES[fmt]
    try:
        body = read(batch=batch)
    except LetterNotRendered as exc:
        return page(request, "letters/letter_pending.html", {"letter": None, "batch": batch, "message": exc.message}, status=409)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="letters-{batch.pk}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def case_follow_up(request, case_id: int):
    """Send a renewed request (再依頼) for an overdue case, then back to its page; a refusal is shown on the
    case page (409) and writes nothing. A GET (a reload of the refusal) shows the case page."""
    if request.method != "POST":
        return redirect("case-detail", case_id)
    try:
        follow_up_send(actor=request.user, case_id=case_id)
    except Conflict as exc:
        case = case_get_for_actor(actor=request.user, case_id=case_id)
        problem = {"transition": "", "label": _("Renewed request (再依頼)"), "message": exc.message}
        return case_page_render(request, case, problem=problem, status=exc.http_status)
    messages.success(request, _("Renewed request sent; its letter is listed below."))
    return redirect("case-detail", case_id)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def bulk_request(request):
    """Take the same step (a request, or the notice of approved decisions) on every case of a stream, procedure
    and fiscal year: preview, confirm, summary. ``?transition=`` alone chooses the step of an empty form."""
    authorize(request.user, "grants.act_on_case")
    years = fiscal_year_list()
    if request.method == "POST":
        return _bulk_confirm(request, BulkConfirmForm(request.POST, fiscal_years=years))
    current = fiscal_year_of(timezone.localdate())
    chosen = request.GET.get("transition")
    form = BulkRequestForm(
        request.GET if set(request.GET) - {"transition"} else None,
        fiscal_years=years,
        initial={"fiscal_year": current if current in years else None, "transition": chosen},
    )
    rows = None
    status = 422 if form.is_bound and not form.is_valid() else 200  # a refusal the preview foresees is no bad input
    if form.is_valid():
        data = form.cleaned_data
        rows = bulk_step_preview(
            actor=request.user,
            transition=data["transition"],
            fiscal_year=data["fiscal_year"],
            stream=data["stream"],
            part=data.get("part") or "",
            procedure=data["procedure"],
            data=form.step_data(),
        )
        # What the refusals ask of the form's own fields (a deadline to give) is said at the field, once.
        asked = {}
        for row in rows:
            for field, problems in row["fields"].items():
                if field in form.fields:
                    asked.setdefault(field, problems[0])
        for field, problem in asked.items():
            form.add_error(field, problem)
    confirm = None
    if rows:
        ready = ",".join(f"{row['case'].pk}:{row['case'].version}" for row in rows if row["ready"])
        confirm = BulkConfirmForm(initial=form.cleaned_data | {"cases": ready}, fiscal_years=years)
    return page(
        request,
        "letters/bulk_request.html",
        {
            "form": form,
            "rows": rows,
            "ready_count": sum(row["ready"] for row in rows or []),
            "confirm": confirm,
        },
        status=status,
    )


def _bulk_confirm(request, form: BulkConfirmForm):
    """Take the step on each confirmed case, then redirect to the summary (a reload never takes it again)."""
    if not form.is_valid():
        return page(request, "letters/bulk_request.html", {"form": form, "rows": None}, status=422)
    data = form.cleaned_data
    label = step_declared(data["transition"]).label
    started = timezone.now()
    outcome = case_transition_bulk(
        name=data["transition"], actor=request.user, data=form.step_data(), cases=data["cases"]
    )
    done = outcome.done
    refused = [{"case_id": item["case_id"], "message": str(item["message"])} for item in outcome.refused]
    # A prefecture's request lists its municipalities' (those a crashed earlier attempt asked too).
    named = bulk_summary_cases_for_actor(actor=request.user, case_ids=[case_id for case_id, _version in data["cases"]])
    covering = bulk_covering_letters_issue(
        actor=request.user, cases=list(named), letter=step_declared(data["transition"]).step.letter
    )
    batch = _act_letter_batch(request, done, started, label=label)
    request.session[BULK_SUMMARY] = {
        "transition": data["transition"],
        "done": [case.pk for case in done],
        "refused": refused,
        "batch": batch.pk if batch else None,
        "covering_batch": covering.pk if covering else None,
    }
    return redirect("bulk-request-summary")


@login_required
@require_safe
@domain_errors_as_pages
def bulk_request_summary(request):
    """What the last bulk step did: the cases done, those refused (by recipient, with the reason), the letters."""
    summary = request.session.get(BULK_SUMMARY)
    if summary is None:
        return redirect("bulk-request")
    cases = {case.pk: case for case in bulk_summary_cases_for_actor(actor=request.user, case_ids=summary["done"] + [r["case_id"] for r in summary["refused"]])}
    return page(
        request,
        "letters/bulk_summary.html",
        {
            "done": [cases[pk] for pk in summary["done"] if pk in cases],
            "refused": [item | {"case": cases.get(item["case_id"])} for item in summary["refused"]],
            "label": step_declared(summary["transition"]).label,
            "batch": letter_batch_get_for_actor(actor=request.user, batch_id=summary["batch"]) if summary["batch"] else None,
            "covering_batch": (
                letter_batch_get_for_actor(actor=request.user, batch_id=summary["covering_batch"])
                if summary.get("covering_batch")
                else None
            ),
        },
    )


def _act_letter_batch(request, cases: list[Case], since, *, label):
    """Group the letters the bulk step just issued (its requests or notices), so they print or download in one go."""
    letters = act_letter_list_for_actor(actor=request.user, cases=cases, since=since)
    ids = list(letters.values_list("pk", flat=True))
    if not ids:
        return None
    title = _("%(step)s: %(count)s letters") % {"step": label, "count": len(ids)}
    return letter_batch_create(actor=request.user, letter_ids=ids, title=title)


@login_required
@require_safe
@domain_errors_as_pages
def payment_run_notices(request, run_id: int):
    """An executed payment run's payment notices (支払通知), as the batch's one PDF for printing."""
    batch = payment_notice_batch_get_for_actor(actor=request.user, run_id=run_id)
    return redirect("letter-batch-pdf", batch.pk)
