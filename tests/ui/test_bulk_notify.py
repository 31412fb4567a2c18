"""Bulk notify: an officer notifies many approved decisions at once from the bulk page. Each case is its own
act (``case_transition_bulk``: scope, version and state checked case by case), the document numbers go out
in the order of the list (by prefecture and recipient code), refusals are named by recipient, and the
notices are gathered in one batch to print."""

import re

import pytest

from grants.models import Case, Determination, HistoryEntry
from letters.models import Letter
from tests import factories as f
from tests.factories import Stream
from tests.ui.test_bulk_approve import drafted
from workflows.forms import bulk_steps
from workflows.services import case_transition
from workflows.steps import DeterminationAct

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT
SELECTION = {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant"}
# Opened in an order other than the list's, so the order of the numbers is the list's own.
TOWNS = [("122203", "流山市", "12"), ("112089", "所沢市", "11"), ("112011", "川越市", "11")]


def notify_step() -> str:
    return next(d.name for d in bulk_steps() if d.step.determination == DeterminationAct.NOTIFIES)


@pytest.fixture
def approved(django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2025, CSG, by=boss)
    cases = {}
    for code, name, prefecture in TOWNS:
        case = drafted(officer, f.municipality(code, name, prefecture))
        cases[name] = case_transition(case_id=case.pk, name="approve", actor=boss, data={}, expected_version=case.version)
    return officer, boss, cases


def serial(number: str) -> int:
    return int(re.search(r"第(\d+)号", number).group(1))


def confirm(client, cases, **extra):
    return client.post("/bulk/request/", {"transition": notify_step(), **SELECTION, "cases": cases, **extra})


def test_the_preview_lists_the_approved_cases_by_prefecture_and_recipient_code(approved, client):
    officer, _boss, cases = approved
    client.force_login(officer)
    page = client.get("/bulk/request/", {"transition": notify_step(), **SELECTION}).content.decode()
    assert "3件が対象です。" in page
    assert page.index("川越市") < page.index("所沢市") < page.index("流山市")
    ordered = ",".join(f"{cases[n].pk}:{cases[n].version}" for n in ("川越市", "所沢市", "流山市"))
    assert f'value="{ordered}"' in page


def test_bulk_notify_numbers_the_notices_in_the_lists_order_and_batches_their_letters(approved, client):
    officer, _boss, cases = approved
    client.force_login(officer)
    ordered = ",".join(f"{cases[n].pk}:{cases[n].version}" for n in ("川越市", "所沢市", "流山市"))
    response = confirm(client, ordered)
    assert response.status_code == 302 and response["Location"] == "/bulk/request/summary/"
    numbers = {
        d.case.recipient.local_name: d.document_number
        for d in Determination.objects.filter(notified_on__isnull=False).select_related("case__recipient")
    }
    assert serial(numbers["川越市"]) < serial(numbers["所沢市"]) < serial(numbers["流山市"])
    assert set(Case.objects.values_list("state", flat=True)) == {"notified"}
    assert HistoryEntry.objects.filter(action=notify_step()).count() == 3
    notices = Letter.objects.filter(kind="decision_notice")
    assert notices.count() == 3 and len({letter.batch_id for letter in notices}) == 1 and notices[0].batch_id
    summary = client.get("/bulk/request/summary/").content.decode()
    assert "通知を発出：3件完了しました。" in summary and 'data-testid="batch-pdf"' in summary
    assert "印刷する文書" in summary


def test_a_refused_case_is_named_by_its_recipient_and_gets_no_number_or_letter(approved, client):
    officer, _boss, cases = approved
    client.force_login(officer)
    stale = f"{cases['流山市'].pk}:{cases['流山市'].version - 1}"  # the list was read before its approval
    response = confirm(client, f"{cases['川越市'].pk}:{cases['川越市'].version},{stale}")
    assert response.status_code == 302
    summary = client.get("/bulk/request/summary/").content.decode()
    assert "1件は処理できず、そのままです：" in summary
    assert "流山市</a>: この案件は、画面を開いた後に他の人が更新しました。" in summary
    nagareyama = Case.objects.get(pk=cases["流山市"].pk)
    assert nagareyama.state == "approved"
    assert not Letter.objects.filter(case=nagareyama, kind="decision_notice").exists()
    assert not Determination.objects.filter(case=nagareyama, notified_on__isnull=False).exists()
    assert Case.objects.get(pk=cases["川越市"].pk).state == "notified"


def test_a_deadline_given_to_the_notice_is_a_form_error_and_nothing_is_written(approved, client):
    officer, _boss, cases = approved
    client.force_login(officer)
    records = HistoryEntry.objects.count()
    response = confirm(client, f"{cases['川越市'].pk}:{cases['川越市'].version}", deadline="2025-12-26")
    assert response.status_code == 422
    assert "この手続に期限はありません。空欄にしてください。" in response.content.decode()
    assert HistoryEntry.objects.count() == records and not Letter.objects.filter(kind="decision_notice").exists()


def test_an_auditor_cannot_bulk_notify(approved, client):
    _officer, _boss, cases = approved
    client.force_login(f.auditor())
    records = HistoryEntry.objects.count()
    assert confirm(client, f"{cases['川越市'].pk}:{cases['川越市'].version}").status_code == 403
    assert HistoryEntry.objects.count() == records
