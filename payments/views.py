"""Web pages on money: the dashboard of amounts determined and paid, return claims (and their repayments), fund balances.

Views parse a form, call a selector and render inside the shared frame; scope is the selectors'.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from calendars.templatetags.dates import jdate
from grants.access import may
from grants.forms import CaseFilterForm, add_service_errors
from grants.selectors import notified_fiscal_year_latest_for_actor
from grants.views import page
from web.errors import Conflict, InvalidInput
from web.pagination import paginate, query_without_page
from web.views import domain_errors_as_pages, post_only

from .errors import NothingToPay, Overpayment, RunOutOfScope
from .flows import run_step_buttons
from .forms import PaymentRunCreateForm, RepaymentForm
from .selectors import (
    dashboard_amounts_for_actor,
    fund_balance_list_for_actor,
    fund_balances_with_expected_amounts,
    payment_run_available_transitions,
    payment_run_refusal_note,
    payment_run_list_for_actor,
    return_claim_balance,
    return_claim_get_for_actor,
    return_claim_list_for_actor,
    return_claim_may_record,
)
from .services import payment_run_create, return_claim_payment_record

# The length of the longest bar in the dashboard's chart (SVG units).
BAR_LENGTH = 400


def _bar(amount: int, peak: int) -> int:
    return round(BAR_LENGTH * amount / peak) if peak else 0


@login_required
@require_safe
def dashboard(request):
    """Amounts determined, paid and settled per stream and prefecture for one fiscal year, with a bar chart.

    The year is the one chosen, else the latest with a notice in the user's
    scope, else the latest on file; the year select shows the year on display.
    """
    only = ("fiscal_year",)
    form = CaseFilterForm(request.GET or None, reader=request.user, only=only, require_fiscal_year=True)
    fiscal_year = form.filters().get("fiscal_year")
    if fiscal_year is None:
        # No year chosen, or one not on file: show the default year, and show it in the select too.
        years = [year for year, _label in form.fields["fiscal_year"].choices]
        fiscal_year = notified_fiscal_year_latest_for_actor(actor=request.user) or max(years, default=None)
        form = CaseFilterForm(initial={"fiscal_year": fiscal_year}, reader=request.user, only=only, require_fiscal_year=True)
    amounts = dashboard_amounts_for_actor(actor=request.user, fiscal_year=fiscal_year)
    peak = amounts.peak
    return page(
        request,
        "payments/dashboard.html",
        {
            "form": form,
            "fiscal_year": fiscal_year,
            "rows": amounts.rows,
            "bars": [
                {"row": row, "determined": _bar(row.determined, peak), "paid": _bar(row.paid, peak)} for row in amounts.rows
            ],
            "bureau_pays": amounts.bureau_pays,
            "ministry_pays": amounts.ministry_pays,
            "totals": amounts.totals,
            "chart_height": 40 * len(amounts.rows) + 10,
        },
    )


@login_required
@require_safe
def return_claim_list(request):
    """Return claims (返還金) in the user's scope: principal, 加算金 and 延滞金 as of today, what is left, when due;
    each opens on its own page, where repayments are recorded."""
    today = timezone.localdate()
    page_obj = paginate(request, return_claim_list_for_actor(actor=request.user))
    rows = [{"claim": claim, "balance": return_claim_balance(claim=claim, as_of=today)} for claim in page_obj]
    return page(request, "payments/return_claims.html", {"page_obj": page_obj, "rows": rows, "today": today})


@login_required
@require_safe
@domain_errors_as_pages
def payment_run_list(request):
    """Payment runs, newest first, with the steps the user may take on each and their payment notices;
    a form to draft a new run for those who prepare them."""
    return _payment_runs_page(request)


def _payment_runs_page(request, *, bound: PaymentRunCreateForm | None = None, status: int = 200):
    page_obj = paginate(request, payment_run_list_for_actor(actor=request.user).reverse())
    runs = [
        {
            "run": run,
            "steps": run_step_buttons(payment_run_available_transitions(run=run, actor=request.user)),
            "four_eyes": payment_run_refusal_note(run=run, actor=request.user),
        }
        for run in page_obj
    ]
    create = None
    if may(request.user, "payments.prepare_payment_run"):
        create = bound or PaymentRunCreateForm(initial={"run_on": timezone.localdate()})
    return page(
        request,
        "payments/payment_runs.html",
        {"page_obj": page_obj, "runs": runs, "create": create, "query": query_without_page(request)},
        status=status,
    )


@login_required
@post_only("payment-runs")
@domain_errors_as_pages
def payment_run_create_page(request):
    """Draft a payment run for a date; back to the list (post/redirect/get), or the form with what is wrong."""
    form = PaymentRunCreateForm(request.POST)
    if form.is_valid():
        try:
            run = payment_run_create(actor=request.user, run_on=form.cleaned_data["run_on"])
        except InvalidInput as exc:
            # The service names the run's date ``date``, as the API does; on this form it is ``run_on``.
            details = {"run_on" if key == "date" else key: problems for key, problems in exc.details.items()}
            add_service_errors(form, details)
        except NothingToPay as exc:
            form.add_error("run_on", str(exc.message))  # nothing due by the date: the date is what to change
        except RunOutOfScope as exc:
            form.add_error(None, str(exc.message))  # items due that are not the drafter's
        except Conflict as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Payment run for %(day)s drafted.") % {"day": jdate(run.run_on)})
            return redirect("payment-runs")
    return _payment_runs_page(request, bound=form, status=422)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def return_claim_detail(request, claim_id: int):
    """One return claim: what is owed today (加算金 per tranche, 延滞金), its repayments, and a form to record one."""
    claim = return_claim_get_for_actor(actor=request.user, claim_id=claim_id)
    form, status = RepaymentForm(), 200
    if request.method == "POST":
        form = RepaymentForm(request.POST)
        if form.is_valid():
            try:
                return_claim_payment_record(actor=request.user, claim_id=claim.pk, **form.cleaned_data)
            except Overpayment as exc:
                owed = exc.details["outstanding"]
                form.add_error("amount", _("%(message)s Owed that day: %(owed)s yen.") % {
                    "message": exc.message, "owed": f"{owed:,}",
                })
            except InvalidInput as exc:
                if exc.details:
                    add_service_errors(form, exc.details)
                else:
                    form.add_error(None, str(exc.message))
            except Conflict as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Repayment recorded."))
                return redirect("return-claim-detail", claim_id=claim.pk)
        status = 422
        claim = return_claim_get_for_actor(actor=request.user, claim_id=claim_id)
    today = timezone.localdate()
    return page(
        request,
        "payments/return_claim.html",
        {
            "claim": claim,
            "balance": return_claim_balance(claim=claim, as_of=today),
            "payments": claim.payments.order_by("paid_on", "pk"),
            "form": form,
            "today": today,
            "may_record": return_claim_may_record(actor=request.user, claim=claim),
        },
        status=status,
    )


@login_required
@require_safe
def fund_balance_list(request):
    """The medical-care fund's balances (基金残高) per prefecture and fiscal year in the user's scope."""
    form = CaseFilterForm(request.GET or None, reader=request.user, only=("fiscal_year", "prefecture"))
    balances = fund_balance_list_for_actor(actor=request.user, **form.filters())
    invalid = form.invalid
    if invalid:  # filters that do not parse list nothing (the form says why)
        balances = balances.none()
    page_obj = paginate(request, balances)
    # beside each balance, the demand survey's accepted figures of its prefecture and year
    page_obj.object_list = fund_balances_with_expected_amounts(actor=request.user, balances=page_obj.object_list)
    return page(
        request,
        "payments/fund_balances.html",
        {"form": form, "page_obj": page_obj, "query": query_without_page(request), "invalid": invalid},
        status=422 if invalid else 200,
    )
