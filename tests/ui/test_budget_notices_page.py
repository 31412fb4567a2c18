"""The budget notices page: a year's notices by stream and part with the ceiling, what approved decisions
commit and what remains; supervisors record a notice there (a history record each), others only read."""

import pytest

from grants.models import BudgetNotice, HistoryEntry
from tests import factories as f
from tests.factories import Stream
from tests.ui.test_bulk_approve import drafted
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG, SAG = Stream.COMMUNITY_SUPPORT_GRANT, Stream.SPECIAL_ADJUSTMENT_GRANT
NOTICE = {"fiscal_year": 2025, "stream": CSG, "part": "", "amount": "１，０００，０００", "received_on": "2025/06/02",
          "reference": "老発0602第3号"}


def written() -> tuple[int, int]:
    return BudgetNotice.objects.count(), HistoryEntry.objects.count()


def line(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">')[1].split("</dd>")[0]


def test_the_year_shows_its_ceiling_what_is_committed_and_what_remains(client):
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2025, CSG, amount=5_000_000, by=boss)
    case = drafted(officer, f.municipality(), amount=900_000)
    case_transition(case_id=case.pk, name="approve", actor=boss, data={}, expected_version=case.version)
    client.force_login(boss)
    page = client.get("/budget-notices/?fiscal_year=2025").content.decode()
    assert "5,000,000円" in line(page, "ceiling")
    assert "900,000円" in line(page, "committed")
    assert "4,100,000円" in line(page, "remaining")


def test_a_supervisor_records_a_notice_typed_with_an_input_method_and_it_is_in_the_history(client):
    boss = f.supervisor()
    f.fiscal_year(2025)
    client.force_login(boss)
    response = client.post("/budget-notices/", NOTICE)
    assert response.status_code == 302 and response["Location"] == "/budget-notices/?fiscal_year=2025"
    notice = BudgetNotice.objects.get()
    assert (notice.amount, str(notice.received_on), notice.recorded_by) == (1_000_000, "2025-06-02", boss)
    record = HistoryEntry.objects.get(action="budget_notice_record")
    assert record.data["reference"] == "老発0602第3号" and record.actor == boss
    page = client.get(response["Location"]).content.decode()
    assert "示達 老発0602第3号 を登録しました。" in page and "1,000,000円" in line(page, "ceiling")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"reference": " "}, "必須"),
        ({"amount": "abc"}, "円単位の整数で入力してください。"),
        ({"stream": SAG}, None),
    ],
)
def test_a_notice_the_service_refuses_is_a_form_error_and_writes_nothing(client, change, message):
    f.fiscal_year(2025)
    client.force_login(f.supervisor())
    before = written()
    response = client.post("/budget-notices/", NOTICE | change)
    assert response.status_code == 422
    assert 'class="field__error"' in response.content.decode()
    if message:
        assert message in response.content.decode()
    assert written() == before


def test_an_auditor_reads_the_page_without_the_form_and_cannot_record(client):
    f.fiscal_year(2025)
    client.force_login(f.auditor())
    page = client.get("/budget-notices/")
    assert page.status_code == 200 and "示達を登録" not in page.content.decode()
    before = written()
    assert client.post("/budget-notices/", NOTICE).status_code == 403
    assert written() == before


def test_an_officer_limited_to_prefectures_does_not_see_the_bureaus_budget(client):
    client.force_login(f.officer())
    assert client.get("/budget-notices/").status_code == 403
