"""The admin's closure-day and schedule-version lists show days as every other page does (令和 era dates in
Japanese, ISO days in English) and still sort by the day."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.contrib import admin

from calendars.models import ClosureDay
from tests import factories as f
from tests.letters.factories import ScheduleVersionFactory

pytestmark = pytest.mark.django_db
CLOSURES = "/admin/calendars/closureday/"
VERSIONS = "/admin/schedules/scheduleversion/"


def staff_client(client, english=False):
    client.force_login(f.supervisor(is_staff=True))
    if english:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def closure_days():
    ClosureDay.objects.create(day=date(2026, 12, 28), reason="庁舎点検")
    ClosureDay.objects.create(day=date(2025, 11, 21), reason="システム更新")


def cells(body: str, field: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(rf'class="[^"]*field-{field}[^"]*">(.*?)</t[dh]>', body)]


def sorted_by(client, url: str, field: str) -> str:
    """The list after a click on ``field``'s column heading (the admin's own sort link)."""
    body = client.get(url).content.decode()
    heading = re.search(rf'<th scope="col" class="[^"]*column-{field}[^"]*">.*?</th>', body, re.S).group(0)
    link = re.search(r'<div class="text"><a[^>]* href="([^"]*)"', heading).group(1).replace("&amp;", "&")
    return client.get(url + link).content.decode()


def test_the_closure_day_list_shows_era_dates(client):
    closure_days()
    body = staff_client(client).get(CLOSURES).content.decode()
    assert cells(body, "day_shown") == ["令和7年11月21日（金）", "令和8年12月28日（月）"]
    assert "2025-11-21" not in body and "2025年11月21日" not in body


def test_the_closure_day_list_shows_iso_days_in_english(client):
    closure_days()
    body = staff_client(client, english=True).get(CLOSURES).content.decode()
    assert cells(body, "day_shown") == ["2025-11-21 (Fri)", "2026-12-28 (Mon)"]


def test_the_closure_day_list_still_sorts_by_the_day(client):
    closure_days()
    ClosureDay.objects.create(day=date(2026, 4, 1), reason="臨時")
    body = sorted_by(staff_client(client), CLOSURES, "day_shown")  # sorted oldest first: a click turns it
    assert cells(body, "day_shown") == ["令和8年12月28日（月）", "令和8年4月1日（水）", "令和7年11月21日（金）"]


def test_the_schedule_version_list_shows_era_dates_and_fiscal_years(client):
    ScheduleVersionFactory(key="fy2025-plan", fiscal_year=2025, as_of=date(2025, 3, 31))
    body = staff_client(client).get(VERSIONS).content.decode()
    assert cells(body, "fiscal_year_shown") == ["令和7年度"]
    assert cells(body, "as_of_shown") == ["令和7年3月31日"]
    assert re.fullmatch(r"令和\d+年\d+月\d+日 \d\d:\d\d", cells(body, "updated_at_shown")[0])


def test_the_schedule_version_list_sorts_by_the_source_date(client):
    ScheduleVersionFactory(key="b-later", fiscal_year=2025, as_of=date(2025, 9, 1))
    ScheduleVersionFactory(key="a-earlier", fiscal_year=2025, as_of=date(2025, 3, 31))
    ScheduleVersionFactory(key="c-middle", fiscal_year=2025, as_of=date(2025, 6, 2))
    body = sorted_by(staff_client(client, english=True), VERSIONS, "as_of_shown")
    assert cells(body, "as_of_shown") == ["2025-03-31", "2025-06-02", "2025-09-01"]


def test_a_schedule_version_without_a_source_date_shows_the_admins_empty_mark(client):
    """No source date is the admin's own empty mark (a dash) in its column, not a blank cell."""
    ScheduleVersionFactory(key="fy2025-draft", fiscal_year=2025, as_of=None)
    body = staff_client(client).get(VERSIONS).content.decode()
    assert cells(body, "as_of_shown") == [admin.site.empty_value_display]
