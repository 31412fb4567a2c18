"""Schedule steps on the calendar are kept to the reader's streams, as its case deadlines are to their scope:
in the selector, and so on the calendar's pages, the API and the iCalendar feed. A user who works
bureau-wide (no scope rows) sees every stream's steps; one with scope rows, only their streams'."""

import re
from datetime import date

import pytest
from icalendar import Calendar as ICalendar

from grants.models import Scope
from schedules.selectors import calendar_for_actor
from schedules.services import calendar_feed_token_rotate
from tests import factories as f
from tests.letters.factories import shipped_schedules

pytestmark = pytest.mark.django_db

CSG, FUND, SAG = "community_support_grant", "medical_care_fund", "special_adjustment_grant"
FY2025 = {"start": date(2025, 4, 1), "end": date(2026, 3, 31), "today": date(2025, 4, 1)}


def step_streams(actor) -> set[str]:
    calendar = calendar_for_actor(actor=actor, fiscal_year=2025, **FY2025)
    return {entry.stream for entry in calendar.entries + calendar.undecided if entry.kind == "schedule_step"}


def test_schedule_steps_are_those_of_the_readers_streams():
    shipped_schedules()
    assert step_streams(f.supervisor()) == {CSG, FUND, SAG}  # bureau-wide: every stream
    assert step_streams(f.officer()) == {CSG, FUND, SAG}  # an officer of every stream
    assert step_streams(f.officer(streams=[CSG], prefectures=("11",))) == {CSG}
    auditor = f.auditor()
    Scope.objects.create(user=auditor, stream=FUND, prefecture_code="13")
    assert step_streams(auditor) == {FUND}  # scope rows limit the bureau-wide roles too


def test_the_calendar_page_api_and_feed_leave_out_other_streams_steps(client, api, today):
    shipped_schedules()
    today(date(2025, 4, 1))
    officer = f.officer(streams=[CSG], prefectures=("11",))
    client.force_login(officer)
    listed = client.get("/calendar/?view=list&fiscal_year=2025", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    rows = re.findall(r'<tr class="row--step">.*?</tr>', listed, flags=re.S)
    assert rows and all("地域支援事業交付金" in row for row in rows)
    api.force_authenticate(officer)
    body = api.get("/api/calendar", {"from": "2025-04-01", "to": "2026-03-31"}).json()
    steps = [item for item in body["items"] + body["undecided"] if item["kind"] == "schedule_step"]
    assert steps and {item["stream"] for item in steps} == {CSG}
    token = calendar_feed_token_rotate(actor=officer)
    feed = ICalendar.from_ical(api.get("/api/calendar.ics", {"token": token}).content)
    described = [str(event["DESCRIPTION"]) for event in feed.walk("VEVENT")]  # each names its stream
    assert described and all("地域支援事業交付金" in text for text in described)
