"""A year's procedure definition edited in a real browser: the supervisor switches FY2025's pre-consultation off
for the community support grant; the case created before keeps starting with the pre-consultation, a case
created after starts with the request, and each case page names the revision it follows."""

from datetime import date

import pytest

from grants.models import Case, ProcedureYear
from tests import factories as f
from tests.letters.factories import shipped_schedules
from tests.ui.test_browser import chromium, open_as, people, shot, take_step  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]
CSG = "community_support_grant"


def test_a_definition_edit_shapes_new_cases_and_leaves_the_older_one_as_it_was(open_as, live_server, people, today):
    today(date(2025, 4, 1))
    shipped_schedules()
    before = f.case(actor=people["officer"])  # 川越市, FY2025: starts with the pre-consultation

    boss = open_as(people["boss"])
    boss.goto(f"{live_server.url}/schedules/2025/definitions/")
    section = boss.get_by_test_id(f"definition-{CSG}-initial_grant")
    assert section.get_by_test_id("definition-revision").inner_text() == "改訂1"
    section.get_by_label("事前協議から始まる").uncheck()
    section.get_by_label("内示・提示の時期").select_option("after_review")
    section.get_by_label("内示の後に2回目の協議を行うことがある").check()  # refused: no pre-consultation
    section.get_by_role("button", name="保存").click()
    boss.wait_for_load_state()
    section = boss.get_by_test_id(f"definition-{CSG}-initial_grant")
    assert "2回目の協議には事前協議が必要です。" in section.inner_text()
    assert ProcedureYear.objects.get(fiscal_year_id=2025, stream=CSG, procedure="initial_grant").revision == 1
    section.get_by_label("内示の後に2回目の協議を行うことがある").uncheck()
    section.get_by_role("button", name="保存").click()
    boss.wait_for_load_state()
    assert "作成済みの案件は作成時の定義のままです。" in boss.content()
    assert boss.get_by_test_id(f"definition-{CSG}-initial_grant").get_by_test_id("definition-revision").inner_text() == "改訂2"
    shot(boss, "50-procedure-definition-edited")

    after = f.case(actor=people["officer"], recipient=f.municipality("112020", "熊谷市", "11"))
    officer = open_as(people["officer"])
    officer.goto(f"{live_server.url}/cases/{before.pk}/")
    assert "改訂1" in officer.get_by_test_id("case-definition").inner_text()
    take_step(officer, "協議を依頼", 期限="2025-06-30")
    assert officer.get_by_test_id("case-state").inner_text() == "事前協議依頼済"

    officer.goto(f"{live_server.url}/cases/{after.pk}/")
    assert "改訂2" in officer.get_by_test_id("case-definition").inner_text()
    take_step(officer, "依頼を発出", 期限="2025-06-30")
    assert officer.get_by_test_id("case-state").inner_text() == "依頼済"
    shot(officer, "51-case-follows-the-new-definition")
    assert (Case.objects.get(pk=before.pk).state, Case.objects.get(pk=after.pk).state) == ("consultation_requested", "requested")
