"""Pages of the inquiry register: the list with its filters, a form for a new question, one inquiry
with a form for its answer, and the CSV export. Views parse a form, call a selector or service and
render; refusals come back as form errors (422) or the 403/404 pages."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grants.forms import add_service_errors
from grants.views import page
from web.errors import Conflict, InvalidInput
from web.pagination import paginate, query_without_page
from web.views import domain_errors_as_pages, post_only

from .export import export_csv
from .forms import AnswerForm, InquiryFilterForm, InquiryForm
from .selectors import inquiry_get_for_actor, inquiry_list_for_actor, inquiry_may_record
from .services import inquiry_answer, inquiry_record


def _list_page(request, *, bound: InquiryForm | None = None, status: int = 200):
    form = InquiryFilterForm(request.GET or None, reader=request.user)
    filters = form.filters()
    invalid = form.invalid
    inquiries = inquiry_list_for_actor(actor=request.user, **filters)
    if invalid:
        inquiries = inquiries.none()
    may_record = inquiry_may_record(actor=request.user)
    return page(
        request,
        "inquiries/list.html",
        {
            "form": form,
            "invalid": invalid,
            "page_obj": paginate(request, inquiries),
            "query": query_without_page(request),
            "export_query": urlencode({key: request.GET[key] for key in filters}),
            "create": (bound or InquiryForm(initial={"received_on": timezone.localdate()})) if may_record else None,
        },
        status=422 if invalid else status,
    )


@login_required
@require_safe
@domain_errors_as_pages
def inquiry_list(request):
    """The register: inquiries in the reader's scope, found by text, asker, stream and status."""
    return _list_page(request)


@login_required
@post_only("inquiries")
@domain_errors_as_pages
def inquiry_create(request):
    """Record a question received; on to its page (post/redirect/get), or the form with what is wrong."""
    form = InquiryForm(request.POST)
    if form.is_valid():
        try:
            inquiry = inquiry_record(actor=request.user, **form.service_arguments())
        except InvalidInput as exc:
            add_service_errors(form, exc.details)
        else:
            messages.success(request, _("Inquiry recorded."))
            return redirect("inquiry-detail", inquiry_id=inquiry.pk)
    return _list_page(request, bound=form, status=422)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def inquiry_detail(request, inquiry_id: int):
    """One inquiry; an officer records its answer here."""
    inquiry = inquiry_get_for_actor(actor=request.user, inquiry_id=inquiry_id)
    form, status = AnswerForm(initial={"answered_on": timezone.localdate()}), 200
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                inquiry_answer(actor=request.user, inquiry_id=inquiry.pk, **form.cleaned_data)
            except InvalidInput as exc:
                add_service_errors(form, exc.details)
            except Conflict as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Answer recorded."))
                return redirect("inquiry-detail", inquiry_id=inquiry.pk)
        status = 422
        inquiry = inquiry_get_for_actor(actor=request.user, inquiry_id=inquiry_id)
    may_answer = inquiry.answered_on is None and inquiry_may_record(actor=request.user)
    return page(
        request,
        "inquiries/detail.html",
        # a refusal that leaves no form to answer on (answered meanwhile) is shown above the answer
        {"inquiry": inquiry, "form": form if may_answer else None, "refusals": [] if may_answer else form.non_field_errors()},
        status=status,
    )


@login_required
@require_safe
@domain_errors_as_pages
def inquiry_export(request):
    """The register's inquiries the filters keep, as CSV; a filter that does not parse exports nothing: the
    register's page comes back with the filter's error (422), not an empty file that looks like a result."""
    form = InquiryFilterForm(request.GET or None, reader=request.user)
    if form.invalid:
        return _list_page(request)
    inquiries = inquiry_list_for_actor(actor=request.user, **form.filters())
    response = StreamingHttpResponse(export_csv(inquiries), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="inquiries-{stamp}.csv"'
    return response
