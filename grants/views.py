"""Web pages of the grants app: the frame every page shares, the dashboard,
the auditor's history search and the error pages.

Views parse a form, call a selector or service and render. Permission and
scope are applied by the selectors; a domain error becomes the matching error
page through ``domain_errors_as_pages``.
"""

from collections import defaultdict
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .catalogue import GRANT_PROCEDURES, SETTLEMENT_PROCEDURES, STREAMS
from .errors import NotFound, PermissionDenied
from .forms import CaseFilterForm, HistoryFilterForm
from .history import history_verify
from .history_export import history_list_for_auditor
from .models import Case, CaseState, Recipient, RecipientKind, Role
from .payments.models import PaymentRecord
from .roles import case_scope_q, has_role, primary_role, sees_everything

PAGE_SIZE = 50

# (url name, label, roles that use the page)
_NAV = (
    ("worklist", _("Worklist"), {Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMINISTRATOR}),
    ("approval-queue", _("Approvals"), {Role.SUPERVISOR}),
    ("bulk-request", _("Bulk request"), {Role.OFFICER}),
    ("calendar", _("Deadline calendar"), {Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMINISTRATOR}),
    ("schedules", _("Schedules"), {Role.SUPERVISOR}),
    ("history", _("History"), {Role.AUDITOR, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("dashboard", _("Dashboard"), {Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMINISTRATOR}),
)
# The page each role starts on.
_HOME = ((Role.SUPERVISOR, "approval-queue"), (Role.OFFICER, "worklist"), (Role.AUDITOR, "history"))


def nav_for(user, path: str = "") -> list[dict]:
    """The header's links for the pages the user's roles use; ``current`` marks the one ``path`` is under."""
    roles = {role for role in Role.values if has_role(user, role)}
    links = []
    for name, label, used_by in _NAV:
        if roles & used_by:
            url = reverse(name)
            links.append({"url": url, "label": label, "current": path.startswith(url)})
    return links


def page(request, template: str, context: dict | None = None, *, status: int = 200):
    """Render a page inside the shared frame (header, navigation, role)."""
    frame = {"nav": nav_for(request.user, request.path), "role": primary_role(request.user)} if request.user.is_authenticated else {}
    return render(request, template, frame | (context or {}), status=status)


def domain_errors_as_pages(view):
    """Turn a selector's NotFound / PermissionDenied into the 404 / 403 page with its message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except PermissionDenied as exc:
            raise HttpForbidden(str(exc.message)) from exc

    return wrapper


def paginate(request, rows):
    """One page of ``rows`` for ``?page=`` (bad page numbers give the first or last page)."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current query string minus ``page``, for pagination links."""
    return urlencode([(key, value) for key, value in request.GET.items() if key != "page"])


@login_required
def home(request):
    """Send each role to the page it works from."""
    for role, name in _HOME:
        if has_role(request.user, role):
            return redirect(name)
    return redirect("dashboard")


def _dashboard_rows(*, actor, fiscal_year: int) -> tuple[list[dict], int]:
    """Amounts determined (as last notified), settled and paid per stream and prefecture in the actor's scope.

    Paid counts what executed runs paid towards the fiscal year's grant (its budget year), whenever they ran.
    """
    notified = (
        Case.objects.filter(case_scope_q(actor), fiscal_year_id=fiscal_year, state=CaseState.NOTIFIED)
        .values("stream", "procedure", "recipient__prefecture_code")
        .annotate(current=Sum("amount_current"), settled=Sum("amount_settled"))
    )
    grants: dict = defaultdict(lambda: {"initial_grant": 0, "change_grant": 0, "settled": 0, "paid": 0})
    for row in notified:
        cell = grants[(row["stream"], row["recipient__prefecture_code"])]
        if row["procedure"] in GRANT_PROCEDURES:
            cell[row["procedure"]] += row["current"] or 0
        elif row["procedure"] in SETTLEMENT_PROCEDURES:
            cell["settled"] += row["settled"] or 0
        else:
            cell["initial_grant"] += row["current"] or 0
    paid = (
        PaymentRecord.objects.filter(case_scope_q(actor, prefix="item__case__"), item__budget_year=fiscal_year)
        .values("item__case__stream", "item__recipient__prefecture_code")
        .annotate(total=Sum("amount"))
    )
    for row in paid:
        grants[(row["item__case__stream"], row["item__recipient__prefecture_code"])]["paid"] += row["total"]
    names = dict(Recipient.objects.filter(kind=RecipientKind.PREFECTURE).values_list("code", "name_ja"))
    rows = []
    for (stream, prefecture), cell in sorted(grants.items()):
        # A notified change replaces the initial decision's amount for the recipients that had one.
        determined = cell["change_grant"] or cell["initial_grant"]
        rows.append(
            {
                "stream": stream,
                "prefecture": prefecture,
                "prefecture_name": names.get(prefecture, prefecture),
                "determined": determined,
                "settled": cell["settled"],
                "paid": cell["paid"],
            }
        )
    peak = max((max(row["determined"], row["paid"]) for row in rows), default=0)
    return rows, peak


def _latest_decided_year(*, actor) -> int | None:
    """The latest fiscal year with a notified case in the actor's scope (the dashboard's default)."""
    return (
        Case.objects.filter(case_scope_q(actor), state=CaseState.NOTIFIED)
        .order_by("-fiscal_year_id")
        .values_list("fiscal_year_id", flat=True)
        .first()
    )


@login_required
def dashboard(request):
    """Amounts determined and settled per stream and prefecture for one fiscal year, with a bar chart."""
    form = CaseFilterForm(request.GET or None, only=("fiscal_year",))
    fiscal_year = form.filters().get("fiscal_year") or _latest_decided_year(actor=request.user)
    rows, peak = _dashboard_rows(actor=request.user, fiscal_year=fiscal_year)
    totals: dict = defaultdict(lambda: {"determined": 0, "paid": 0})
    for row in rows:
        row["bar"] = round(400 * row["determined"] / peak) if peak else 0
        row["paid_bar"] = round(400 * row["paid"] / peak) if peak else 0
        totals[row["stream"]]["determined"] += row["determined"]
        totals[row["stream"]]["paid"] += row["paid"]
    return page(
        request,
        "grants/dashboard.html",
        {
            "form": form,
            "fiscal_year": fiscal_year,
            "rows": rows,
            "totals": [{"stream": stream} | total for stream, total in sorted(totals.items())],
            "chart_height": 40 * len(rows) + 10,
            "streams": STREAMS,
        },
    )


@login_required
@domain_errors_as_pages
def history_search(request):
    """The decision history, newest first, filtered; links to the streamed exports."""
    form = HistoryFilterForm(request.GET or None)
    filters = form.filters()
    params = dict(filters)
    params["user"] = params.pop("actor", None)
    entries = history_list_for_auditor(actor=request.user, **params).select_related("case").order_by("-pk")
    export_query = urlencode({key: value for key, value in request.GET.items() if key in form.fields})
    return page(
        request,
        "grants/history.html",
        {
            "form": form,
            "page_obj": paginate(request, entries),
            "query": query_without_page(request),
            "export_query": export_query,
            "formats": (("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("jsonl", "JSON Lines")),
        },
    )


@login_required
@domain_errors_as_pages
def history_verification(request):
    """Recompute the hash chain and report the first broken record (auditors, supervisors, administrators)."""
    if not sees_everything(request.user):
        raise PermissionDenied(details={"role_required": Role.AUDITOR})
    return page(request, "grants/_verification.html", {"result": history_verify()})


def _error_page(template: str, status: int, fallback):
    def view(request, exception=None):
        message = str(exception) if exception is not None and str(exception) else str(fallback)
        return page(request, template, {"message": message}, status=status)

    return view


not_found = _error_page("404.html", 404, _("There is no page at this address."))
forbidden = _error_page("403.html", 403, _("Your role or scope does not allow this page."))
bad_request = _error_page("400.html", 400, _("The request could not be understood."))


def server_error(request):
    """The 500 page: no database, no template context that could fail again."""
    return render(request, "500.html", status=500)
