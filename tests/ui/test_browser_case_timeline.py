"""The case page's timeline: the form to see the case as it stood on a day sits below the timeline's line,
not over its end."""

import pytest

from tests import factories as f
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_the_as_of_form_sits_below_the_timelines_line(open_as, live_server, people):
    case = f.case(actor=people["officer"])
    page = open_as(people["officer"])
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    line = page.locator("ol.timeline").bounding_box()
    form = page.locator(f"form[action='/cases/{case.pk}/as-of/']").bounding_box()
    assert form["y"] >= line["y"] + line["height"] + 8, (line, form)
    shot(page, "51-case-timeline-as-of")
