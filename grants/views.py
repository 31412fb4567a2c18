"""Web pages of the grants app: the frame every page shares, the dashboard,
the auditor's history search, return claims and fund balances (read only),
and the error pages.

Views parse a form, call a selector or service and render. Permission and
scope are applied by the selectors; a domain error becomes the matching error
page through ``domain_errors_as_pages``.
"""

from collections import defaultdict
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from web.api_errors import error_body
from web.pagination import paginate, query_without_page
from web.views import domain_errors_as_pages

from .forms import CaseFilterForm, HistoryFilterForm
from .history import history_verify_for_auditor
from .history_export import history_list_for_auditor
from .models import Role
from .payments.selectors import fund_balance_list_for_actor, return_claim_balance, return_claim_list_for_actor
from .roles import has_role, primary_role
from .selectors import notified_fiscal_year_latest_for_actor, prefecture_amount_list_for_actor

# (url name, label, roles that use the page)
_NAV = (
    ("worklist", _("Worklist"), {Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMINISTRATOR}),
    ("approval-queue", _("Approvals"), {Role.SUPERVISOR}),
    ("bulk-request", _("Bulk request"), {Role.OFFICER}),
    ("calendar", _("Deadline calendar"), {Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMINISTRATOR}),
    ("schedules", _("Schedules"), {Role.SUPERVISOR}),
    ("history", _("History"), {Role.AUDITOR, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("dashboard", _("Dashboard"), {Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMINISTRATOR}),
    ("return-claims", _("Return claims"), {Role.SUPERVISOR, Role.AUDITOR}),
    ("fund-balances", _("Fund balances"), {Role.SUPERVISOR, Role.AUDITOR}),
    ("admin:index", _("Administration"), {Role.ADMINISTRATOR}),  # users, roles, scopes, closure days, reminder rules
)
# Links the admin site would refuse a user who is not staff (``AdminSite.has_permission``), whatever their role.
_STAFF_ONLY = {"admin:index"}
# The page each role starts on.
_HOME = ((Role.SUPERVISOR, "approval-queue"), (Role.OFFICER, "worklist"), (Role.AUDITOR, "history"))


def nav_for(user, path: str = "") -> list[dict]:
    """The header's links for the pages the user's roles use; ``current`` marks the one ``path`` is under."""
    roles = {role for role in Role.values if has_role(user, role)}
    links = []
    for name, label, used_by in _NAV:
        if roles & used_by and (name not in _STAFF_ONLY or user.is_staff):
            url = reverse(name)
            links.append({"url": url, "label": label, "current": path.startswith(url)})
    return links


def page(request, template: str, context: dict | None = None, *, status: int = 200):
    """Render a page inside the shared frame (header, navigation, role)."""
    frame = {"nav": nav_for(request.user, request.path), "role": primary_role(request.user)} if request.user.is_authenticated else {}
    return render(request, template, frame | (context or {}), status=status)


@login_required
@require_safe
def home(request):
    """Send each role to the page it works from."""
    for role, name in _HOME:
        if has_role(request.user, role):
            return redirect(name)
    return redirect("dashboard")


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
    form = CaseFilterForm(request.GET or None, only=only, require_fiscal_year=True)
    fiscal_year = form.filters().get("fiscal_year")
    if fiscal_year is None:
        # No year chosen, or one not on file: show the default year, and show it in the select too.
        years = [year for year, _label in form.fields["fiscal_year"].choices]
        fiscal_year = notified_fiscal_year_latest_for_actor(actor=request.user) or max(years, default=None)
        form = CaseFilterForm(initial={"fiscal_year": fiscal_year}, only=only, require_fiscal_year=True)
    rows = prefecture_amount_list_for_actor(actor=request.user, fiscal_year=fiscal_year)
    peak = max((max(row.determined, row.paid) for row in rows), default=0)
    totals: dict = defaultdict(lambda: {"determined": 0, "paid": 0})
    for row in rows:
        totals[(row.stream, row.ministry_pays)]["determined"] += row.determined
        totals[(row.stream, row.ministry_pays)]["paid"] += row.paid
    return page(
        request,
        "grants/dashboard.html",
        {
            "form": form,
            "fiscal_year": fiscal_year,
            "rows": rows,
            "bars": [{"row": row, "determined": _bar(row.determined, peak), "paid": _bar(row.paid, peak)} for row in rows],
            "bureau_pays": any(not row.ministry_pays for row in rows),
            "ministry_pays": any(row.ministry_pays for row in rows),
            "totals": [
                {"stream": stream, "ministry_pays": ministry_pays} | total
                for (stream, ministry_pays), total in sorted(totals.items())
            ],
            "chart_height": 40 * len(rows) + 10,
        },
    )


@login_required
@require_safe
@domain_errors_as_pages
def history_search(request):
    """The decision history, newest first, filtered; links to the streamed exports."""
    form = HistoryFilterForm(request.GET or None)
    filters = form.filters()
    params = dict(filters)
    params["user"] = params.pop("actor", None)
    entries = history_list_for_auditor(actor=request.user, **params).select_related("case").order_by("-pk")
    export_query = urlencode({key: request.GET[key] for key in filters})  # what the list applied, invalid ones left out
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
@require_safe
@domain_errors_as_pages
def history_verification(request):
    """Recompute the hash chain and report the first broken record (auditors, supervisors, administrators)."""
    return page(request, "grants/_verification.html", {"result": history_verify_for_auditor(actor=request.user)})


@login_required
@require_safe
def return_claim_list(request):
    """Return claims (返還金) in the user's scope: principal, 加算金 and 延滞金 as of today, what is left, when due."""
    today = timezone.localdate()
    page_obj = paginate(request, return_claim_list_for_actor(actor=request.user))
    rows = [{"claim": claim, "balance": return_claim_balance(claim=claim, as_of=today)} for claim in page_obj]
    return page(request, "grants/return_claims.html", {"page_obj": page_obj, "rows": rows, "today": today})


@login_required
@require_safe
def fund_balance_list(request):
    """The medical-care fund's balances (基金残高) per prefecture and fiscal year in the user's scope."""
    form = CaseFilterForm(request.GET or None, only=("fiscal_year", "prefecture"))
    balances = fund_balance_list_for_actor(actor=request.user, **form.filters())
    return page(
        request,
        "grants/fund_balances.html",
        {"form": form, "page_obj": paginate(request, balances), "query": query_without_page(request)},
    )


def _error_page(template: str, status: int, code: str, fallback):
    """Django's handler for ``status``: the page, or under ``/api/`` the API's JSON error shape."""

    def view(request, exception=None):
        if request.path.startswith("/api/"):  # e.g. an address no API pattern matches
            return JsonResponse(error_body(code, fallback), status=status)
        message = str(exception) if exception is not None and str(exception) else str(fallback)
        return page(request, template, {"message": message}, status=status)

    return view


not_found = _error_page("404.html", 404, "not_found", _("There is no page at this address."))
forbidden = _error_page("403.html", 403, "permission_denied", _("Your role or scope does not allow this page."))
bad_request = _error_page("400.html", 400, "malformed_request", _("The request could not be understood."))


def server_error(request):
    """The 500 page: no database, no template context that could fail again."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Server error."), status=500)
    return render(request, "500.html", status=500)
