"""Web pages of the schedules app: the deadline calendar (month, week, list), its
subscribable iCalendar link, and the schedule editor.

The calendar shows what ``selectors.calendar_for_actor`` returns: the case
deadlines the user may read and the schedule steps in force, with undecided
ones listed as 未定.
"""

from collections import defaultdict
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from calendars.business_days import ClosureCache, is_business_day
from calendars.fiscal import fiscal_year_bounds, fiscal_year_of
from calendars.templatetags.dates import fiscal_year as fiscal_year_name
from calendars.windows import Precision, month_end
from grants.forms import DATE_BOUNDS, CaseFilterForm, add_service_errors
from grants.limits import EARLIEST_DATE, FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR, LATEST_DATE
from grants.access import READ_CASE, authorize
from grants.procedures import LETTER_CHOICES, LETTER_VALUES, InformalNotice
from grants.views import page
from web.errors import DomainError
from web.forms import PlainDateField
from web.pagination import PAGE_SIZE, paginate, query_without_page
from web.views import PageNotFound, domain_errors_as_pages, post_only

from .models import CalendarFeedToken, ScheduleStep
from .selectors import (
    CalendarEntry,
    DeadlineGroup,
    calendar_for_actor,
    procedure_definition_list,
    schedule_version_in_force,
    schedule_version_list,
)
from .services import (
    calendar_feed_token_revoke,
    calendar_feed_token_rotate,
    may_edit_schedules,
    schedule_definition_save,
    schedule_editor_require,
    schedule_rollforward,
    schedule_step_save,
)

CALENDAR_FILTERS = ("fiscal_year", "stream", "part", "prefecture", "officer")
VIEWS = ("month", "week", "list")
# Pages outside these years are refused (a typo, not a plan), so date arithmetic never overflows.
_YEARS = range(EARLIEST_DATE.year, LATEST_DATE.year + 1)


class StepWindowForm(forms.Form):
    """When one schedule step falls: its precision and window, and the wording letters quote."""

    step = forms.IntegerField(widget=forms.HiddenInput)
    precision = forms.ChoiceField(label=gettext_lazy("Precision"), choices=Precision.choices)
    date_from = PlainDateField(label=gettext_lazy("From"), required=False, validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = PlainDateField(label=gettext_lazy("To"), required=False, validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"}))
    date_text_ja = forms.CharField(label=gettext_lazy("Wording"), required=False, max_length=100)

    def __init__(self, data=None, *, step: ScheduleStep | None = None):
        initial = None
        if step is not None:
            initial = {name: getattr(step, name) for name in ("precision", "date_from", "date_to", "date_text_ja")}
            initial["step"] = step.pk
        super().__init__(data, initial=initial, auto_id=f"id_step{step.pk if step else 'x'}_%s")

    def add_service_error(self, exc: Exception) -> None:
        details = exc.message_dict if isinstance(exc, ValidationError) and hasattr(exc, "error_dict") else exc.details
        add_service_errors(self, details or {"__all__": [str(getattr(exc, "message", exc))]})


class DefinitionForm(forms.Form):
    """One procedure's definition in a fiscal year: its switches and the letters that go out (docs/domain.md)."""

    stream = forms.CharField(widget=forms.HiddenInput)
    sub_procedure = forms.CharField(widget=forms.HiddenInput)
    pre_consultation = forms.BooleanField(label=gettext_lazy("Starts with a pre-consultation (事前協議)"), required=False)
    second_consultation = forms.BooleanField(
        label=gettext_lazy("A second consultation round may follow the informal notice"), required=False
    )
    informal_notice = forms.ChoiceField(label=gettext_lazy("When the amount is informally notified (内示・提示)"), choices=InformalNotice.CHOICES)
    formal_application = forms.BooleanField(
        label=gettext_lazy("A formal application follows the informal notice (交付申請)"), required=False
    )
    letters = forms.MultipleChoiceField(
        label=gettext_lazy("Letters that go out"),
        choices=LETTER_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("A letter the procedure's steps do not send is never sent."),
    )

    def __init__(self, data=None, *, row=None):
        initial = None
        if row is not None:
            initial = {name: row.definition[name] for name in ("pre_consultation", "second_consultation", "informal_notice", "formal_application")}
            letters = row.definition["letters"]
            initial |= {"stream": row.stream, "sub_procedure": row.sub_procedure, "letters": list(LETTER_VALUES if letters is None else letters)}
        key = f"{row.stream}-{row.sub_procedure}" if row is not None else "x"
        super().__init__(data, initial=initial, auto_id=f"id_def-{key}_%s")

    def key(self) -> tuple[str, str]:
        return self.cleaned_data["stream"], self.cleaned_data["sub_procedure"]

    def definition(self) -> dict:
        """The whole definition the form says; every letter ticked is ``None`` (every letter the steps send)."""
        data = self.cleaned_data
        letters = [value for value in LETTER_VALUES if value in data["letters"]]
        return {
            "pre_consultation": data["pre_consultation"],
            "second_consultation": data["second_consultation"],
            "informal_notice": data["informal_notice"],
            "formal_application": data["formal_application"],
            "letters": None if len(letters) == len(LETTER_VALUES) else letters,
        }

    def add_service_error(self, exc: DomainError) -> None:
        # The service names a definition's attributes "definition.<name>"; the form's fields carry the names.
        details = {key.removeprefix("definition."): problems for key, problems in (exc.details or {}).items()}
        add_service_errors(self, details or {"__all__": [str(exc.message)]})


class RollForwardForm(forms.Form):
    to_year = forms.IntegerField(label=gettext_lazy("Into fiscal year"), min_value=FIRST_FISCAL_YEAR, max_value=LAST_FISCAL_YEAR)


def _parse_month(text: str | None, today: date) -> date:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        if year in _YEARS:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _parse_day(text: str | None, today: date) -> date:
    try:
        day = date.fromisoformat(text or "")
        if day.year in _YEARS:
            return day
    except ValueError:
        pass
    return today


def _calendar(request, filters: dict | None, start: date, end: date, today: date, *, grouped: bool = False):
    """The calendar's entries, undecided steps and groups; none at all for filters that do not parse (None)."""
    if filters is None:
        return [], [], []
    calendar = calendar_for_actor(actor=request.user, start=start, end=end, today=today, grouped=grouped, **filters)
    return calendar.entries, calendar.undecided, calendar.groups


def _day_of(entry: CalendarEntry) -> date | None:
    """The day an entry sits on: its (rolled) deadline, else the first day of its window."""
    return entry.effective or entry.starts


def _first_from(entries: list[CalendarEntry], day: date) -> int | None:
    """The index of the first entry on or after ``day`` in the sorted list (None when all are before it)."""
    return next((index for index, entry in enumerate(entries) if entry.sort_key[0] >= day), None)


def _days(start: date, end: date, entries: list[CalendarEntry], today: date, groups: list[DeadlineGroup] = ()) -> list[dict]:
    """One cell per day. In a month, case deadlines come counted per procedure (``groups``); in a week, listed."""
    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    for entry in entries:
        day = _day_of(entry)
        if day is not None:
            by_day[max(day, start)].append(entry)
    groups_by_day: dict[date, list[DeadlineGroup]] = defaultdict(list)
    for group in groups:
        groups_by_day[group.day].append(group)
    closures = ClosureCache()
    cells = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        cells.append(
            {
                "day": day,
                "closed": not is_business_day(day, extra_closures=closures),
                "today": day == today,
                "cases": [entry for entry in by_day.get(day, []) if entry.kind == "case_deadline"],
                "groups": groups_by_day.get(day, []),
                "steps": [entry for entry in by_day.get(day, []) if entry.kind == "schedule_step"],
            }
        )
    return cells


@login_required
@require_safe
def deadline_calendar(request):
    """Month, week or list of deadlines and schedule steps, filtered by fiscal year, stream, part, prefecture and officer."""
    form = CaseFilterForm(request.GET or None, reader=request.user, only=CALENDAR_FILTERS)
    filters = form.filters()
    invalid = form.invalid
    shown = None if invalid else filters  # filters that do not parse show nothing (the form says why)
    today = timezone.localdate()
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "month"
    context = {"form": form, "view": view, "today": today, "query": query_without_page(request), "invalid": invalid}
    if view == "month":
        first = _parse_month(request.GET.get("month"), today)
        last = month_end(first)
        start, end = first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())
        entries, undecided, groups = _calendar(request, shown, start, end, today, grouped=True)
        cells = _days(start, end, entries, today, groups)
        context |= {
            "month": first,
            "weeks": [cells[index : index + 7] for index in range(0, len(cells), 7)],
            "previous": (first - timedelta(days=1)).replace(day=1),
            "next": last + timedelta(days=1),
        }
    elif view == "week":
        anchor = _parse_day(request.GET.get("week"), today)
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=6)
        entries, undecided, _groups = _calendar(request, shown, start, end, today)
        context |= {
            "week_start": start,
            "days": _days(start, end, entries, today),
            "previous": start - timedelta(days=7),
            "next": start + timedelta(days=7),
        }
    else:
        chosen = filters.get("fiscal_year")
        if chosen:
            # A year's deadlines can fall in the next fiscal year, and last year's may still be overdue.
            start, end = fiscal_year_bounds(chosen - 1)[0], fiscal_year_bounds(chosen + 1)[1]
        else:
            # Entries of every year, from the first day of the current fiscal year.
            year = fiscal_year_of(today)
            start, end = fiscal_year_bounds(year)[0], fiscal_year_bounds(year + 1)[1]
        entries, undecided, _groups = _calendar(request, shown, start, end, today)
        today_at = _first_from(entries, today)
        # Unfiltered, the list opens on the page where today falls (the last page when every entry is past).
        opening = None if chosen else (len(entries) if today_at is None else today_at) // PAGE_SIZE + 1
        context |= {
            "page_obj": paginate(request, entries, default_page=opening),
            "list_start": start,
            "list_end": end,
            "first_from_today": None if today_at is None else entries[today_at],  # marked with today's date
        }
    context |= {
        "undecided": undecided,
        # Month and week keep their own period; the filters carry over when the view changes.
        "filter_query": urlencode({key: value for key, value in request.GET.items() if key in CALENDAR_FILTERS and value}),
        "feed": CalendarFeedToken.objects.filter(user=request.user).first(),
    }
    return page(request, "schedules/calendar.html", context, status=422 if invalid else 200)


@login_required
@post_only("calendar")
def calendar_feed_rotate(request):
    """Issue a new secret iCalendar link (the old one stops working) and show it once."""
    token = calendar_feed_token_rotate(actor=request.user)
    link = request.build_absolute_uri(reverse("api:calendar-ics")) + "?" + urlencode({"token": token})
    return page(request, "schedules/feed_link.html", {"link": link})


@login_required
@require_POST
def calendar_feed_revoke(request):
    """Stop the user's iCalendar link from working."""
    calendar_feed_token_revoke(actor=request.user)
    messages.success(request, _("The calendar link no longer works. Calendars subscribed to it stop updating."))
    return redirect("calendar")


@login_required
@require_safe
def schedule_editor_current(request):
    """The schedule editor opens on the current fiscal year."""
    return redirect(reverse("schedule-editor", args=[fiscal_year_of(timezone.localdate())]))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def schedule_editor(request, fiscal_year: int):
    """A fiscal year's schedules with their steps; supervisors edit a step's window and roll a year forward."""
    schedule_editor_require(actor=request.user)
    if fiscal_year not in _YEARS:
        raise PageNotFound(_("There is no fiscal year %(year)s.") % {"year": fiscal_year})
    versions = list(schedule_version_list(fiscal_year=fiscal_year))
    steps = {step.pk: step for version in versions for step in version.steps.all()}
    failed = None
    if request.method == "POST":
        failed = _step_save(request, StepWindowForm(request.POST), steps)
        if failed is None:
            return redirect(reverse("schedule-editor", args=[fiscal_year]))
    forms_by_step = {pk: StepWindowForm(step=step) for pk, step in steps.items()}
    if failed is not None and failed.cleaned_data.get("step") in forms_by_step:
        forms_by_step[failed.cleaned_data["step"]] = failed
    return page(
        request,
        "schedules/schedule_editor.html",
        {
            "fiscal_year": fiscal_year,
            "versions": versions,
            "forms": forms_by_step,
            "failed": failed,
            "roll": RollForwardForm(initial={"to_year": fiscal_year + 1}),
        },
        status=422 if failed is not None else 200,
    )


def _step_save(request, form: StepWindowForm, steps: dict) -> StepWindowForm | None:
    """Save one step's window through the schedule service; None when saved, else the form with its errors."""
    if not form.is_valid():
        return form
    if form.cleaned_data["step"] not in steps:
        form.add_error(None, _("This step is not part of this fiscal year's schedules."))
        return form
    step: ScheduleStep = steps[form.cleaned_data["step"]]
    for name in ("precision", "date_from", "date_to", "date_text_ja"):
        setattr(step, name, form.cleaned_data[name])
    try:
        schedule_step_save(actor=request.user, step=step)
    except (ValidationError, DomainError) as exc:
        form.add_service_error(exc)
        return form
    messages.success(request, _("Saved: %(step)s.") % {"step": step.local_label})
    return None


@login_required
@require_POST
@domain_errors_as_pages
def schedule_roll_forward(request, fiscal_year: int):
    """Start a later fiscal year's plan from this year's schedule in force."""
    schedule_editor_require(actor=request.user)
    form = RollForwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a later fiscal year to roll forward into."))
        return redirect(reverse("schedule-editor", args=[fiscal_year]))
    try:
        version = schedule_rollforward(actor=request.user, from_year=fiscal_year, to_year=form.cleaned_data["to_year"])
    except DomainError as exc:
        # The message alone can be "some fields are invalid"; the listed problems say which and why.
        problems = [str(problem) for value in exc.details.values() if isinstance(value, list) for problem in value]
        messages.error(request, " ".join([str(exc.message), *problems]))
        return redirect(reverse("schedule-editor", args=[fiscal_year]))
    messages.success(request, _("Rolled forward into %(year)s.") % {"year": fiscal_year_name(version.fiscal_year)})
    return redirect(reverse("schedule-editor", args=[version.fiscal_year]))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors_as_pages
def schedule_definitions(request, fiscal_year: int):
    """Each procedure's definition of a fiscal year (pre-consultation, rounds, informal notice, letters), with its
    revision; schedule editors change one at a time, everyone who reads cases sees them."""
    authorize(request.user, READ_CASE)
    if fiscal_year not in _YEARS:
        raise PageNotFound(_("There is no fiscal year %(year)s.") % {"year": fiscal_year})
    failed = None
    if request.method == "POST":
        schedule_editor_require(actor=request.user)
        failed = _definition_save(request, fiscal_year, DefinitionForm(request.POST))
        if failed is None:
            return redirect(reverse("schedule-definitions", args=[fiscal_year]))
    rows = procedure_definition_list(fiscal_year=fiscal_year)
    items = []
    for row in rows:
        form = DefinitionForm(row=row)
        if failed is not None and failed.cleaned_data.get("stream") == row.stream and failed.cleaned_data.get("sub_procedure") == row.sub_procedure:
            form = failed
        items.append({"row": row, "form": form})
    return page(
        request,
        "schedules/definitions.html",
        {
            "fiscal_year": fiscal_year,
            "version": schedule_version_in_force(fiscal_year=fiscal_year),
            "items": items,
            "may_edit": may_edit_schedules(request.user),
            "failed": failed,
        },
        status=422 if failed is not None else 200,
    )


def _definition_save(request, fiscal_year: int, form: DefinitionForm) -> DefinitionForm | None:
    """Save one procedure's definition through the schedule service; None when saved, else the form with its errors."""
    if not form.is_valid():
        return form
    version = schedule_version_in_force(fiscal_year=fiscal_year)
    if version is None:
        form.add_error(None, _("This fiscal year has no schedule yet: roll an earlier year forward, or import one."))
        return form
    stream, sub_procedure = form.key()
    try:
        schedule_definition_save(
            actor=request.user, version=version, stream=stream, sub_procedure=sub_procedure, definition=form.definition()
        )
    except DomainError as exc:
        form.add_service_error(exc)
        return form
    messages.success(request, _("Saved. Cases created from now on follow the new definition; open cases keep theirs."))
    return None
