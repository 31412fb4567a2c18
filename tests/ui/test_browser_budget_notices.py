"""The budget notices page in a real browser, as the supervisor: a notice typed with an input method is
recorded, and the year's ceiling, commitments and what remains follow."""

import pytest

from grants.models import HistoryEntry
from tests import factories as f
from tests.factories import Stream
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)
from tests.ui.test_bulk_approve import drafted
from workflows.services import case_transition

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_supervisor_records_a_budget_notice_and_sees_what_remains(open_as, live_server, people):
    f.budget_notice(2025, Stream.COMMUNITY_SUPPORT_GRANT, amount=1_000_000, by=people["boss"])
    case = drafted(people["officer"], f.municipality(), amount=900_000)
    case_transition(case_id=case.pk, name="approve", actor=people["boss"], data={}, expected_version=case.version)
    page = open_as(people["boss"])
    page.get_by_role("link", name="示達").click()
    page.get_by_label("年度", exact=True).first.select_option("2025")
    page.wait_for_load_state()
    first = page.get_by_test_id("budget-line").first
    assert first.get_by_test_id("remaining").inner_text() == "100,000円"
    form = page.locator("form.form-grid")
    form.get_by_label("年度").select_option("2025")
    form.get_by_label("事業").select_option(Stream.COMMUNITY_SUPPORT_GRANT)
    form.get_by_label("金額（円）").fill("２，０００，０００")
    form.get_by_label("受領日").fill("2025-06-02")
    form.get_by_label("参照番号").fill("老発0602第3号")
    form.get_by_role("button", name="登録").click()
    page.wait_for_load_state()
    assert "示達 老発0602第3号 を登録しました。" in page.content()
    first = page.get_by_test_id("budget-line").first
    assert first.get_by_test_id("ceiling").inner_text() == "3,000,000円"
    assert first.get_by_test_id("committed").inner_text() == "900,000円"
    assert first.get_by_test_id("remaining").inner_text() == "2,100,000円"
    assert HistoryEntry.objects.get(action="budget_notice_record").data["reference"] == "老発0602第3号"
    shot(page, "44-budget-notices-1366")
