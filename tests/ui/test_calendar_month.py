"""The calendar's month view counts each day's case deadlines per procedure, with the overdue among them,
counted by the database (the selector's ``grouped`` calendar) rather than case by case."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from grants.models import Case, CaseState
from schedules.selectors import calendar_for_actor
from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db


def requested(officer, recipient, deadline: date) -> Case:
    case = f.case(actor=officer, recipient=recipient)
    return case_transition(
        case_id=case.pk, name="request", actor=officer, expected_version=1, data={
            "deadline": deadline.isoformat(),
            # a deadline that has come was set by a request entered as of four weeks before it
            **({"occurred_on": (deadline - timedelta(days=28)).isoformat()} if deadline <= timezone.localdate() else {}),
        },
    )


@pytest.fixture
def november(today):
    """Four requests due on 20 November 2025 (one of them submitted since) and one due on the 25th; today is 1 December."""
    today(date(2025, 12, 1))
    f.define(2025, "community_support_grant", "initial_grant")  # the application alone, no pre-consultation
    officer = f.officer()
    towns = [f.municipality(code, name, "11") for code, name in
             (("112011", "川越市"), ("112020", "熊谷市"), ("112038", "川口市"), ("112062", "行田市"), ("112071", "秩父市"))]
    due = [requested(officer, town, date(2025, 11, 20)) for town in towns[:4]]
    Case.objects.filter(pk=due[0].pk).update(state=CaseState.SUBMITTED)  # papers in: still open, no longer overdue
    requested(officer, towns[4], date(2025, 11, 25))
    return towns


def event(body: str, day: str) -> str:
    """The text of the day's counted deadlines (the event links to the day's week)."""
    [found] = re.findall(rf'<a class="event[^"]*" href="\?view=week&week={day}">(.*?)</a>', body, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found).split())


def test_the_month_counts_a_days_deadlines_and_the_overdue_among_them(client, november):
    client.force_login(f.supervisor())
    body = client.get("/calendar/?view=month&month=2025-11").content.decode()
    assert event(body, "2025-11-20").endswith("4件 超過3件")
    assert event(body, "2025-11-25").endswith("1件 超過1件")
    names = [town.local_name for town in november]
    assert not any(name in body for name in names)  # counted, not listed
    week = client.get("/calendar/?view=week&week=2025-11-17").content.decode()
    assert all(name in week for name in names[:4])  # the week of the 20th lists its four


def test_the_grouped_calendar_counts_what_the_listed_one_lists(november):
    span = {"start": date(2025, 11, 1), "end": date(2025, 11, 30), "today": date(2025, 12, 1)}
    listed = calendar_for_actor(actor=f.supervisor(), **span)
    grouped = calendar_for_actor(actor=f.supervisor(), grouped=True, **span)
    cases = [entry for entry in listed.entries if entry.kind == "case_deadline"]
    assert Counter((entry.effective, entry.procedure) for entry in cases) == {
        (group.day, group.procedure): group.count for group in grouped.groups
    }
    assert Counter(entry.effective for entry in cases if entry.overdue) == {
        group.day: group.overdue for group in grouped.groups
    }
    assert [entry for entry in grouped.entries if entry.kind == "case_deadline"] == []
    assert [entry.step for entry in grouped.entries] == [entry.step for entry in listed.entries if entry.step]
    assert listed.groups == []
