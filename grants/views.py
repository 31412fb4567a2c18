"""Web pages of the grants app: the frame every page shares, the auditor's
history search, the recipients and the error pages.

Views parse a form, call a selector or service and render. Permission and
scope are applied by the selectors; a domain error becomes the matching error
page through ``domain_errors_as_pages``.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from calendars.fiscal import fiscal_year_of

from web.api_errors import error_body
from web.errors import InvalidInput
from web.pagination import paginate, query_without_page
from web.views import PageForbidden, PageNotFound, domain_errors_as_pages

from .access import READ_CASE, WORK_BUREAU_WIDE, may
from .forms import BudgetNoticeForm, HistoryFilterForm, RecipientFilterForm, add_service_errors
from .history import history_verify_for_auditor
from .history_export import history_list_for_auditor
from .roles import primary_role
from .selectors import budget_notice_overview_for_actor, fiscal_year_list, prefecture_by_code, recipient_list
from .services import budget_notice_record

# (url name, label, the permissions a user needs for the link: the page's own, and for the money
# pages bureau-wide reach too, since those pages are an overview of the bureau's money)
_NAV = (
    ("worklist", _("Worklist"), (READ_CASE,)),
    ("approval-queue", _("Approvals"), ("grants.approve_decision",)),
    ("bulk-request", _("Bulk request and notice"), ("grants.act_on_case",)),
    ("submission-import", _("Import submissions"), ("grants.act_on_case",)),
    ("calendar", _("Deadline calendar"), (READ_CASE,)),
    ("schedules", _("Schedules"), ("schedules.edit_schedule",)),
    ("history", _("History"), ("grants.read_history",)),
    ("dashboard", _("Dashboard"), (READ_CASE,)),
    ("recipients", _("Recipients"), (READ_CASE,)),
    ("budget-notices", _("Budget notices"), (READ_CASE, WORK_BUREAU_WIDE)),
    ("inquiries", _("Inquiries"), (READ_CASE,)),
    ("payment-runs", _("Payment runs"), (READ_CASE, "payments.prepare_payment_run")),
    ("return-claims", _("Return claims"), (READ_CASE, WORK_BUREAU_WIDE)),
    ("fund-balances", _("Fund balances"), (READ_CASE, WORK_BUREAU_WIDE)),
    ("admin:index", _("Administration"), ("auth.change_user",)),  # users, roles, scopes, closure days, reminder rules
)
# Links the admin site would refuse a user who is not staff (``AdminSite.has_permission``), whatever their permissions.
_STAFF_ONLY = {"admin:index"}
# The page a user starts on: the first whose permission they hold (the one that marks their job), else the dashboard.
_HOME = (
    ("grants.approve_decision", "approval-queue"),
    ("grants.act_on_case", "worklist"),
    ("auth.change_user", "dashboard"),
    ("grants.read_history", "history"),
)


def nav_for(user, path: str = "") -> list[dict]:
    """The header's links for the pages the user's permissions open; ``current`` marks the one ``path`` is under."""
    links = []
    for name, label, needed in _NAV:
        if all(may(user, permission) for permission in needed) and (name not in _STAFF_ONLY or user.is_staff):
            url = reverse(name)
            links.append({"url": url, "label": label, "current": path.startswith(url)})
    return links


def page(request, template: str, context: dict | None = None, *, status: int = 200):
    """Render a page inside the shared frame (header, navigation, role)."""
    # No user on an error page drawn before the authentication middleware ran (a bad Host header's 400).
    user = getattr(request, "user", None)
    frame = {"nav": nav_for(user, request.path), "role": primary_role(user)} if user and user.is_authenticated else {}
    return render(request, template, frame | (context or {}), status=status)


@login_required
@require_safe
def home(request):
    """Send each user to the page their job starts from."""
    for permission, name in _HOME:
        if may(request.user, permission):
            return redirect(name)
    return redirect("dashboard")


@login_required
@require_safe
@domain_errors_as_pages
def history_search(request):
    """The decision history, newest first, filtered; links to the streamed exports.

    A filter that does not parse lists nothing and offers no export (the form says what is wrong):
    dropping it silently would show, and export, records the reader did not ask for.
    """
    form = HistoryFilterForm(request.GET or None, reader=request.user)
    filters = form.filters()
    params = dict(filters)
    params["user"] = params.pop("actor", None)
    try:
        entries = history_list_for_auditor(actor=request.user, **params).select_related("case").order_by("-pk")
    except InvalidInput as exc:  # filters that parse but do not go together (a range ending before it starts)
        add_service_errors(form, exc.details)
    invalid = form.invalid
    if invalid:
        entries = []
    export_query = urlencode({key: request.GET[key] for key in filters})
    return page(
        request,
        "grants/history.html",
        {
            "form": form,
            "invalid": invalid,
            "page_obj": paginate(request, entries),
            "query": query_without_page(request),
            "export_query": export_query,
            "formats": (("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("jsonl", "JSON Lines")),
        },
        status=422 if invalid else 200,
    )


@login_required
@require_safe
@domain_errors_as_pages
def history_verification(request):
    """Recompute the hash chain and report the first broken record (auditors, supervisors, administrators)."""
    return page(request, "grants/_verification.html", {"result": history_verify_for_auditor(actor=request.user)})


@login_required
@require_safe
def recipient_search(request):
    """Every local government on file, found by name, reading (hiragana or katakana) or code; each links to its cases."""
    form = RecipientFilterForm(request.GET or None)
    recipients = recipient_list(**form.filters())
    invalid = form.invalid
    if invalid:  # a search that does not parse finds nothing, not every local government
        recipients = recipients.none()
    page_obj = paginate(request, recipients)
    prefectures = prefecture_by_code()
    rows = [{"recipient": recipient, "prefecture": prefectures.get(recipient.prefecture_code)} for recipient in page_obj]
    return page(
        request, "grants/recipients.html",
        {"form": form, "page_obj": page_obj, "rows": rows, "query": query_without_page(request), "invalid": invalid},
        status=422 if invalid else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def budget_notices(request):
    """A fiscal year's budget-obligation notices by stream and part, each line with the year's ceiling, what
    approved decisions commit and what remains; those who record notices add one here (each one a history
    record), then come back to the list (post/redirect/get)."""
    years = fiscal_year_list()
    current = fiscal_year_of(timezone.localdate())
    chosen = request.GET.get("fiscal_year", "")
    year = int(chosen) if chosen.isdecimal() and int(chosen) in years else (current if current in years else years[-1] if years else current)
    form = BudgetNoticeForm(request.POST or None, fiscal_years=years, initial={"fiscal_year": year})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                notice = budget_notice_record(actor=request.user, **form.cleaned_data)
            except InvalidInput as exc:
                add_service_errors(form, exc.details)
            else:
                messages.success(request, _("Budget notice %(reference)s recorded.") % {"reference": notice.reference})
                return redirect(f"{reverse('budget-notices')}?fiscal_year={notice.fiscal_year_id}")
    return page(
        request,
        "grants/budget_notices.html",
        {
            "year": year,
            "years": years,
            "lines": budget_notice_overview_for_actor(actor=request.user, fiscal_year=year),
            "form": form,
            "may_record": may(request.user, "grants.record_budget_notice"),
        },
        status=status,
    )


def _error_page(template: str, status: int, code: str, fallback):
    """Django's handler for ``status``: the page, or under ``/api/`` the API's JSON error shape.

    The page shows the exception's message only when it was written for the
    reader (``PageNotFound``, ``PageForbidden``): Django's own carry the URL
    map, file paths or a host name.
    """

    def view(request, exception=None):
        if request.path.startswith("/api/"):  # e.g. an address no API pattern matches
            return JsonResponse(error_body(code, fallback), status=status)
        shown = isinstance(exception, (PageNotFound, PageForbidden)) and str(exception)
        return page(request, template, {"message": str(exception) if shown else str(fallback)}, status=status)

    return view


not_found = _error_page("404.html", 404, "not_found", _("There is no page at this address."))
forbidden = _error_page("403.html", 403, "permission_denied", _("Your role or scope does not allow this page."))
bad_request = _error_page("400.html", 400, "malformed_request", _("The request could not be understood."))


def server_error(request):
    """The 500 page: no database, no template context that could fail again."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Server error."), status=500)
    return render(request, "500.html", status=500)
