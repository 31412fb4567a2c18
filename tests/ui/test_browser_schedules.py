"""The schedule editor (/schedules/) on a phone: the page keeps to the screen's width, and each schedule's table
scrolls sideways inside its own box (its cells' forms label their fields with visually hidden labels, which
sat beyond the box and widened the whole page)."""

from datetime import date

import pytest

from tests.letters.factories import shipped_schedules
from tests.ui.test_browser import PHONE, chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_the_schedule_editor_fits_a_phone_and_its_tables_scroll_in_their_box(open_as, live_server, people, today):
    today(date(2025, 6, 2))
    shipped_schedules()
    page = open_as(people["boss"], viewport=PHONE)
    page.goto(f"{live_server.url}/schedules/")
    assert page.url.endswith("/schedules/2025/")
    shot(page, "52-schedule-editor-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator(".table-scroll").first
    assert box.bounding_box()["x"] + box.bounding_box()["width"] <= PHONE["width"]
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls inside its box
    save = box.get_by_role("button", name="保存").first
    save.scroll_into_view_if_needed()
    assert save.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
