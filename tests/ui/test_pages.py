"""The web pages: each role reaches its pages, steps go through the transition service,
and its refusals are shown where the user acted."""

import io
import zipfile
from datetime import date

import pytest
from django.utils import timezone

from grants.models import HistoryEntry, Role
from grants.roles import role_group
from letters.models import LetterBatch
from tests import factories as f
from tests.factories import Stream
from tests.ui.html import select_options
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT


@pytest.fixture
def people():
    return {"officer": f.officer(), "boss": f.supervisor(), "auditor": f.auditor()}


def as_user(client, user):
    client.force_login(user)
    return client


def step(client, case, name, version=None, **fields):
    data = {"version": case.version if version is None else version, **fields}
    return client.post(f"/cases/{case.pk}/steps/{name}/", data)


def advance(case, officer, *names):
    data = {"request": {}, "submit": {"amount": 1_000_000}, "start_review": {}, "draft": {"amount": 1_000_000}}
    for name in names:
        case = case_transition(case_id=case.pk, name=name, actor=officer, data=data[name], expected_version=case.version)
    return case


def test_pages_need_a_login(client):
    for url in ("/cases/", "/approvals/", "/calendar/", "/history/", "/dashboard/", "/bulk/request/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon(client):
    import re

    from django.contrib.staticfiles import finders

    html = client.get("/login/").content.decode()
    [icon] = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert icon.endswith("favicon.svg") and finders.find("favicon.svg")


def test_each_role_lands_on_its_page(client, people):
    assert as_user(client, people["officer"]).get("/")["Location"] == "/cases/"
    assert as_user(client, people["boss"]).get("/")["Location"] == "/approvals/"
    assert as_user(client, people["auditor"]).get("/")["Location"] == "/history/"


def test_pages_are_japanese_by_default_and_english_on_request(client, people):
    as_user(client, people["officer"])
    assert "案件一覧" in client.get("/cases/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    body = client.get("/cases/").content.decode()
    assert '<html lang="en">' in body and "Worklist" in body


def test_officer_takes_steps_through_the_forms(client, people, today):
    today(date(2025, 9, 1))  # before the deadline the request gives
    case = f.case(actor=people["officer"])
    as_user(client, people["officer"])
    response = step(client, case, "request", deadline="2025-09-13")  # a Saturday: rolls to Tuesday (Monday is a holiday)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "requested" and str(case.deadline_effective) == "2025-09-16"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "依頼済" in page and "令和7年9月16日（火）" in page and "繰下げ" in page
    timeline = page.split('id="h-history"')[1]  # the request's entry names the letter it sent
    assert "文書を作成: 令和7年度地域支援事業交付金の当初交付申請について（依頼）" in timeline
    assert step(client, case, "submit", amount="1,200,000").status_code == 302
    case.refresh_from_db()
    assert case.amount_requested == 1_200_000


def test_worklist_shows_only_the_officers_scope_with_overdue_first(client, people):
    mine = f.case(actor=people["officer"])
    advance(mine, people["officer"], "request")
    other_officer = f.officer(prefectures=("13",))
    theirs = f.case(actor=other_officer, recipient=f.municipality("132012", "八王子市", "13"))
    late = f.case(actor=people["officer"], recipient=f.municipality("122076", "松戸市", "12"))
    case_transition(case_id=late.pk, name="request", actor=people["officer"], data={"deadline": "2025-06-02", "occurred_on": "2025-05-01"},
                    expected_version=1)
    body = as_user(client, people["officer"]).get("/cases/").content.decode()
    assert "川越市" in body and "松戸市" in body and "八王子市" not in body
    assert body.index("松戸市") < body.index("川越市")
    assert "期限超過" in body
    assert theirs.pk


def test_case_page_marks_papers_owed_past_the_deadline_as_overdue(client, people):
    officer = people["officer"]
    late = f.case(actor=officer)
    case_transition(case_id=late.pk, name="request", actor=officer, data={"deadline": "2025-06-02", "occurred_on": "2025-05-01"},
                    expected_version=1)
    on_time = advance(f.case(actor=officer, recipient=f.municipality("122076", "松戸市", "12")), officer, "request")
    as_user(client, officer)
    deadline = '<dd data-testid="deadline">'
    late_body = client.get(f"/cases/{late.pk}/").content.decode()
    assert "期限超過" in late_body.split(deadline)[1].split("</dd>")[0]
    on_time_body = client.get(f"/cases/{on_time.pk}/").content.decode()
    assert "期限超過" not in on_time_body.split(deadline)[1].split("</dd>")[0]


def test_four_eyes_refusal_is_shown_in_place(client, people):
    both = f.officer()
    both.groups.add(role_group(Role.SUPERVISOR))
    f.budget_notice(2025, CSG, by=people["boss"])
    case = advance(f.case(actor=both), both, "request", "submit", "start_review", "draft")
    response = step(as_user(client, both), case, "approve")
    assert response.status_code == 403
    assert "起案した人は、その決裁はできません。" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "drafted"


def test_supervisor_approves_from_the_queue_and_sees_the_drafter_and_cover(client, people):
    f.budget_notice(2025, CSG, amount=5_000_000, by=people["boss"])
    case = advance(f.case(actor=people["officer"]), people["officer"], "request", "submit", "start_review", "draft")
    as_user(client, people["boss"])
    queue = client.get("/approvals/").content.decode()
    assert "川越市" in queue and people["officer"].username in queue and "示達額内" in queue
    response = client.post(f"/cases/{case.pk}/steps/approve/", {"version": case.version, "next": "/approvals/"})
    assert response.status_code == 302 and response["Location"] == "/approvals/"
    case.refresh_from_db()
    assert case.state == "approved"
    assert "川越市：「決裁」を完了しました。" in client.get("/approvals/").content.decode()  # the message names the case


def test_the_queue_shows_a_draft_the_notices_do_not_cover_and_tells_the_drafter_it_is_not_theirs(client, people):
    both = f.officer()
    both.groups.add(role_group(Role.SUPERVISOR))
    f.budget_notice(2025, CSG, amount=999_999, by=people["boss"])
    advance(f.case(actor=both), both, "request", "submit", "start_review", "draft")
    queue = as_user(client, people["boss"]).get("/approvals/").content.decode()
    assert "示達額不足" in queue and "示達額 999,999円" in queue and "/steps/approve/" in queue
    assert "起案した人は、その決裁はできません。" not in queue
    queue = as_user(client, both).get("/approvals/").content.decode()
    assert "/steps/approve/" not in queue and "/steps/send_back/" in queue
    assert "起案した人は、その決裁はできません。" in queue


def test_officers_and_auditors_do_not_get_the_approval_queue(client, people):
    response = as_user(client, people["officer"]).get("/approvals/")
    assert response.status_code == 403
    assert "あなたの役割ではこの操作はできません。" in response.content.decode()
    assert as_user(client, people["auditor"]).get("/approvals/").status_code == 403


def test_auditor_reads_but_cannot_act(client, people):
    case = f.case(actor=people["officer"])
    as_user(client, people["auditor"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "この案件で今あなたができる操作はありません。" in page
    assert step(client, case, "request").status_code == 403
    case.refresh_from_db()
    assert case.state == "planned"


def test_out_of_scope_case_is_a_403_page_and_a_missing_one_a_404(client, people):
    stranger = f.officer(prefectures=("13",))
    case = f.case(actor=people["officer"])
    response = as_user(client, stranger).get(f"/cases/{case.pk}/")
    assert response.status_code == 403 and "担当する事業・都道府県の範囲外" in response.content.decode()
    response = client.get("/cases/999999/")
    assert response.status_code == 404 and "該当する案件はありません。" in response.content.decode()


def test_bulk_request_previews_then_sends_one_step_per_case(client, people, django_capture_on_commit_callbacks, today):
    today(date(2025, 10, 1))  # before the deadline the requests give
    ready = [f.case(actor=people["officer"], recipient=f.town(i)) for i in range(3)]
    already = advance(f.case(actor=people["officer"], recipient=f.municipality("122076", "松戸市", "12")), people["officer"], "request")
    as_user(client, people["officer"])
    query = {"transition": "request", "fiscal_year": 2025, "stream": CSG, "part": "", "procedure": "initial_grant", "deadline": "2025-10-31"}
    preview = client.get("/bulk/request/", query)
    body = preview.content.decode()
    assert preview.status_code == 200 and "3件が対象です。" in body and "「依頼済」の状態ではできません。" in body
    cases = ",".join(f"{c.pk}:{c.version}" for c in ready) + f",{already.pk}:{already.version}"
    with django_capture_on_commit_callbacks(execute=True):  # the letters render after each step commits
        response = client.post("/bulk/request/", query | {"cases": cases})
    # Post/redirect/get: the summary is a page of its own, so a reload shows it again and takes no step.
    assert response.status_code == 302 and response["Location"] == "/bulk/request/summary/"
    summary = client.get("/bulk/request/summary/").content.decode()
    assert "3件完了しました" in summary and "1件は処理できず" in summary
    assert "松戸市" in summary and f"#{already.pk}" not in summary  # the refusal names the recipient
    assert "3件完了しました" in client.get("/bulk/request/summary/").content.decode()
    batch = LetterBatch.objects.filter(letters__kind="request").distinct().get()
    assert batch.letters.count() == 3
    # and Saitama, whose towns were asked, gets one request listing them (経由), in a batch of its own
    covering = LetterBatch.objects.filter(letters__kind="covering_request").distinct().get()
    [letter] = covering.letters.all()
    assert letter.recipient.code == "11" and {r.case_id for r in letter.covered_requests.all()} == {c.pk for c in ready}
    assert f"/letters/batches/{covering.pk}.pdf" in summary and "都道府県あて依頼（経由）" in summary
    merged = client.get(f"/letters/batches/{batch.pk}.pdf")
    assert merged["Content-Type"] == "application/pdf" and merged.content.startswith(b"%PDF")
    with zipfile.ZipFile(io.BytesIO(client.get(f"/letters/batches/{batch.pk}.zip").content)) as archive:
        assert len(archive.namelist()) == 3
    assert as_user(client, f.officer(prefectures=("13",))).get(f"/letters/batches/{batch.pk}.pdf").status_code == 403
    assert {c.state for c in type(ready[0]).objects.filter(pk__in=[c.pk for c in ready])} == {"requested"}


def test_history_page_and_verification_for_auditors(client, people):
    advance(f.case(actor=people["officer"]), people["officer"], "request")
    as_user(client, people["auditor"])
    body = client.get("/history/?actor=" + people["officer"].username).content.decode()
    records = HistoryEntry.objects.filter(actor=people["officer"]).count()
    assert records >= 2 and f"{records}件" in body and "/api/history/export?format=csv" in body
    assert "改ざんされていません" in client.get("/history/verify/").content.decode()
    assert as_user(client, people["officer"]).get("/history/").status_code == 403


def test_history_page_names_what_a_record_is_about_when_it_is_not_a_case(client, people):
    from datetime import date

    from calendars.models import ClosureDay
    from schedules.services import closure_day_save

    admin = f.UserFactory(role=Role.ADMINISTRATOR, username="kanri")
    closure_day_save(actor=admin, closure=ClosureDay(day=date(2026, 2, 2), reason="庁舎停電"))
    body = as_user(client, people["auditor"]).get("/history/?actor=kanri").content.decode()
    assert "臨時休庁日を追加" in body and "臨時休庁日 令和8年2月2日" in body and "closure_day" not in body
    assert "2026-02-02" not in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/history/"})
    assert "2026-02-02" in client.get("/history/?actor=kanri").content.decode()  # English keeps ISO


def test_history_page_names_the_system_in_words_not_its_code(client, people):
    from pathlib import Path

    from django.core.management import call_command

    call_command("import_schedules", str(Path(__file__).resolve().parents[2] / "schedules/data/schedules.yaml"))
    as_user(client, people["auditor"])
    body = client.get("/history/?actor=system").content.decode()
    assert "スケジュールを取込み" in body and "システム（自動処理）" in body
    assert "<td>system" not in body and "system</small>" not in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/history/"})
    assert "System (automatic)" in client.get("/history/?actor=system").content.decode()


def test_each_row_of_the_approval_queue_labels_its_own_fields(client, people):
    import re

    f.budget_notice(2025, CSG, amount=5_000_000, by=people["boss"])
    first = advance(f.case(actor=people["officer"]), people["officer"], "request", "submit", "start_review", "draft")
    other = f.case(actor=people["officer"], recipient=f.municipality("112038", "川口市", "11"))
    second = advance(other, people["officer"], "request", "submit", "start_review", "draft")
    body = as_user(client, people["boss"]).get("/approvals/").content.decode()
    ids = re.findall(r' id="([^"]+)"', body)
    assert len(ids) == len(set(ids)), "an id repeats"
    for case in (first, second):
        assert f'<label for="id_{case.pk}_send_back_reason">' in body
        assert f'id="id_{case.pk}_send_back_reason"' in body


def test_schedule_editor_is_called_what_the_menu_calls_it(client, people):
    body = as_user(client, people["boss"]).get("/schedules/2026/").content.decode()
    assert "<h1>スケジュール <span" in body and "<title>スケジュール 令和8年度" in body


def test_administrators_find_the_administration_site_in_the_menu(client, people):
    admin = f.UserFactory(role=Role.ADMINISTRATOR, is_staff=True)
    body = as_user(client, admin).get("/dashboard/").content.decode()
    assert 'href="/admin/"' in body and ">管理<" in body
    assert 'href="/admin/"' not in as_user(client, people["boss"]).get("/dashboard/").content.decode()


def test_an_administrator_the_admin_site_would_refuse_is_not_sent_there(client):
    admin = f.UserFactory(role=Role.ADMINISTRATOR, is_staff=False)
    assert 'href="/admin/"' not in as_user(client, admin).get("/dashboard/").content.decode()


def test_case_as_of_a_past_date(client, people):
    case = advance(f.case(actor=people["officer"]), people["officer"], "request", "submit")
    as_user(client, people["auditor"])
    form = client.get(f"/cases/{case.pk}/").content.decode().split(f'action="/cases/{case.pk}/as-of/"')[1].split("</form>")[0]
    assert 'name="date"' in form and 'type="date"' in form
    today = client.get(f"/cases/{case.pk}/as-of/", {"date": timezone.localdate().isoformat()}).content.decode()
    assert "提出済" in today and "1,000,000円" in today
    before = client.get(f"/cases/{case.pk}/as-of/", {"date": "2001-01-01"}).content.decode()
    assert "まだありませんでした" in before


def test_dashboard_sums_notified_amounts_per_stream_and_prefecture(client, people):
    f.budget_notice(2025, CSG, by=people["boss"])
    case = advance(f.case(actor=people["officer"]), people["officer"], "request", "submit", "start_review", "draft")
    case = case_transition(case_id=case.pk, name="approve", actor=people["boss"], data={}, expected_version=case.version)
    case_transition(case_id=case.pk, name="notify", actor=people["officer"], data={}, expected_version=case.version)
    body = as_user(client, people["boss"]).get("/dashboard/?fiscal_year=2025").content.decode()
    assert "<svg" in body and "埼玉県" in body and "1,000,000円" in body


def test_english_pages_name_prefectures_in_english_in_the_filters(client, people):
    f.prefecture("11")
    as_user(client, people["officer"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    options = {o["value"]: o["text"] for o in select_options(client.get("/cases/").content.decode(), "prefecture")}
    assert options["11"] == "Prefecture 11"
    client.post("/i18n/setlang/", {"language": "ja", "next": "/cases/"})
    options = {o["value"]: o["text"] for o in select_options(client.get("/cases/").content.decode(), "prefecture")}
    assert options["11"] == "埼玉県"
