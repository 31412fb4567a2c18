"""An axe-core check of the main pages, in Chromium, as the role that works from each, on a laptop and a
phone: no serious or critical violation of WCAG 2 A/AA (contrast included). axe-core comes from
node_modules (package.json; scripts/test.sh runs ``npm ci``)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import Stream
from tests import factories as f
from tests.ui.test_browser import LAPTOP, PHONE, chromium, open_as, people, shot  # noqa: F401  (fixtures)
from workflows.services import case_transition

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CSG = Stream.COMMUNITY_SUPPORT_GRANT


def violations(page) -> list[str]:
    """The serious and critical violations axe-core finds on the page, one line each."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (scripts/test.sh does)")
    # Evaluated by the browser's devtools protocol, not as a <script> tag: the Content-Security-Policy refuses inline ones.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')[:200]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


@pytest.fixture
def cases(people):
    officer, boss = people["officer"], people["boss"]
    f.budget_notice(2025, CSG, by=boss)
    late = f.case(actor=officer)
    deadline = timezone.localdate() - timedelta(days=3)
    # a deadline follows its request: this one went out as of four weeks before it
    case_transition(case_id=late.pk, name="request", actor=officer,
                    data={"deadline": deadline, "occurred_on": deadline - timedelta(days=28)}, expected_version=1)
    drafted = f.case(actor=officer, recipient=f.municipality("122203", "流山市", "12"))
    for name, data in [("request", {}), ("submit", {"amount": 1000}), ("start_review", {}), ("draft", {"amount": 1000})]:
        drafted = case_transition(case_id=drafted.pk, name=name, actor=officer, data=data, expected_version=drafted.version)
    late.refresh_from_db()
    # A notified case (its page offers the revocation's form) and one whose revocation awaits the supervisor.
    notified = []
    for number, name in ((203, "川口市"), (208, "所沢市")):
        case = f.case(actor=officer, recipient=f.municipality(f.municipality_code(number), name, "11"))
        for step, data, actor in [("request", {}, officer), ("submit", {"amount": 1000}, officer),
                                  ("start_review", {}, officer), ("draft", {"amount": 1000}, officer),
                                  ("approve", {}, boss), ("notify", {}, officer)]:
            case = case_transition(case_id=case.pk, name=step, actor=actor, data=data, expected_version=case.version)
        notified.append(case)
    case_transition(case_id=notified[1].pk, name="draft_revocation", actor=officer,
                    data={"reason": "目的外使用", "legal_basis": "art_17_1"}, expected_version=notified[1].version)
    return {"late": late, "drafted": drafted, "notified": notified[0]}


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_main_pages_have_no_serious_accessibility_violations(open_as, live_server, people, cases, viewport):
    pages = {
        "officer": ["/cases/", f"/cases/{cases['drafted'].pk}/", f"/cases/{cases['late'].pk}/",
                    f"/cases/{cases['notified'].pk}/", "/bulk/request/",
                    f"/calendar/?view=month&month={cases['late'].deadline_effective:%Y-%m}", "/dashboard/"],
        "boss": ["/approvals/", "/schedules/", "/return-claims/", "/fund-balances/"],
        "auditor": ["/history/"],
    }
    found = {}
    for who, paths in pages.items():
        page = open_as(people[who], viewport=viewport)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            problems = violations(page)
            if problems:
                found[path] = problems
            name = path.strip("/").replace("/", "-").split("?")[0] or "home"
            shot(page, f"a11y-{name}-{viewport['width']}")
    assert not found, found


def test_every_state_colour_reads_at_aa_contrast(open_as, live_server, people):
    """Each state's badge (those no page of the fixture happens to show included), the overdue item in a day
    of another month and the sent-back badge, checked by axe-core's colour-contrast rule."""
    from grants.models import CaseState

    page = open_as(people["auditor"])
    page.goto(f"{live_server.url}/dashboard/")
    badges = "".join(f'<span class="badge badge--state-{state}">{state.label}</span> ' for state in CaseState)
    page.evaluate(
        """html => document.querySelector('main').insertAdjacentHTML('afterbegin', html)""",
        f'<div id="swatches"><p>{badges}<span class="badge badge--sent-back">差戻し</span> '
        '<span class="badge badge--overdue">期限超過</span> <span class="badge badge--ok">示達額内</span></p>'
        '<table class="calendar"><tr><td class="calendar__day is-other-month has-events"><a class="calendar__date" href="#">30</a>'
        '<a class="event event--overdue" href="#">地域支援事業交付金 <strong>1件</strong> <span class="event__overdue">超過1件</span></a>'
        '<a class="event" href="#">当初交付 <strong>2件</strong></a></td></tr></table></div>',
    )
    # Evaluated by the browser's devtools protocol, not as a <script> tag: the Content-Security-Policy refuses inline ones.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("() => axe.run('#swatches', {runOnly: {type: 'rule', values: ['color-contrast']}})")
    assert result["passes"], "axe checked nothing"
    assert not [node["target"] for v in result["violations"] for node in v["nodes"]]


def test_the_approval_button_is_in_reach_on_a_phone(open_as, live_server, people, cases):
    page = open_as(people["boss"], viewport=PHONE)
    button = page.get_by_role("button", name="決裁", exact=True)
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "22-approval-queue-390")
