"""The deadline calendar: month, week and list views over the cases' effective deadlines.

Overdue means the recipient still owes papers after the effective deadline;
cases whose deadline is not fixed yet are listed as 未定 (undecided).
"""

from calendar import monthrange
from collections import defaultdict
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from grants.forms import CaseFilterForm
from grants.models import AWAITING_RECIPIENT_STATES, OPEN_STATES, Case
from grants.selectors import case_list_for_actor
from grants.views import page, paginate, query_without_page

from .business_days import is_business_day
from .models import ClosureDay

CALENDAR_FILTERS = ("fiscal_year", "stream", "part", "prefecture", "officer")
VIEWS = ("month", "week", "list")
_AWAITING = [s.value for s in AWAITING_RECIPIENT_STATES]
_OPEN = [s.value for s in OPEN_STATES]


def deadlines_for_actor(
    *, actor, filters: dict, today: date, start: date | None = None, end: date | None = None
) -> QuerySet[Case]:
    """Open cases with a fixed deadline in [start, end] (either bound optional), in the actor's scope,
    each marked ``is_overdue`` when the recipient still owes papers after it."""
    overdue = Q(state__in=_AWAITING, deadline_effective__lt=today)
    cases = (
        case_list_for_actor(actor=actor, **filters)
        .filter(state__in=_OPEN, deadline_effective__isnull=False)
        .annotate(is_overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
    )
    if start is not None:
        cases = cases.filter(deadline_effective__gte=start)
    if end is not None:
        cases = cases.filter(deadline_effective__lte=end)
    return cases


def undecided_for_actor(*, actor, filters: dict) -> QuerySet[Case]:
    """Cases waiting for the recipient's papers whose deadline is not fixed (未定)."""
    return case_list_for_actor(actor=actor, **filters).filter(state__in=_AWAITING, deadline_effective__isnull=True)


# Pages outside these years are refused (a typo, not a plan), so date arithmetic never overflows.
_YEARS = range(2000, 2101)


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


def _closed_days(start: date, end: date) -> set[date]:
    closures = frozenset(ClosureDay.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True))
    return {
        start + timedelta(days=offset)
        for offset in range((end - start).days + 1)
        if not is_business_day(start + timedelta(days=offset), extra_closures=closures)
    }


def _days(start: date, end: date, cases, today: date, *, group: bool) -> list[dict]:
    """One cell per day; cases grouped by procedure (month) or listed (week)."""
    by_day: dict[date, list[Case]] = defaultdict(list)
    for case in cases:
        by_day[case.deadline_effective].append(case)
    closed = _closed_days(start, end)
    cells = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        entries = by_day.get(day, [])
        groups = None
        if group:
            counts: dict[tuple, dict] = {}
            for case in entries:
                key = (case.stream, case.part, case.procedure)
                item = counts.setdefault(
                    key, {"stream": case.stream, "part": case.part, "procedure": case.procedure, "count": 0, "overdue": 0}
                )
                item["count"] += 1
                item["overdue"] += case.is_overdue
            groups = list(counts.values())
        cells.append(
            {"day": day, "closed": day in closed, "today": day == today, "cases": entries, "groups": groups}
        )
    return cells


@login_required
def deadline_calendar(request):
    """Month, week or list view of deadlines, filtered by fiscal year, stream, part, prefecture and officer."""
    form = CaseFilterForm(request.GET or None, only=CALENDAR_FILTERS)
    filters = form.filters()
    today = timezone.localdate()
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "month"
    context = {"form": form, "view": view, "today": today, "query": query_without_page(request)}
    if view == "month":
        first = _parse_month(request.GET.get("month"), today)
        last = first.replace(day=monthrange(first.year, first.month)[1])
        start, end = first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())
        cells = _days(start, end, deadlines_for_actor(actor=request.user, filters=filters, today=today, start=start, end=end), today, group=True)
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
        cells = _days(start, end, deadlines_for_actor(actor=request.user, filters=filters, today=today, start=start, end=end), today, group=False)
        context |= {"week_start": start, "days": cells, "previous": start - timedelta(days=7), "next": start + timedelta(days=7)}
    else:
        deadlines = deadlines_for_actor(actor=request.user, filters=filters, today=today)
        context |= {
            "page_obj": paginate(request, deadlines),
            "undecided": undecided_for_actor(actor=request.user, filters=filters)[:200],
        }
    # Month and week state their own period; the filters carry on when the view changes.
    context["filter_query"] = urlencode(
        {key: value for key, value in request.GET.items() if key in CALENDAR_FILTERS and value}
    )
    return page(request, "calendars/calendar.html", context)
