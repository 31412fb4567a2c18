"""No page answers bad input with a 500: amounts, versions and query strings that
do not parse come back as a message on the page."""

import pytest

from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db

BAD_AMOUNTS = {
    "": "この項目は必須です。",
    "   ": "この項目は必須です。",
    "-5": "金額にマイナスは入力できません。",
    "1" + "0" * 30: "金額が大きすぎます。",
    "abc": "円単位の整数で入力してください。",
    "12.5": "円単位の整数で入力してください。",
    "1e9": "円単位の整数で入力してください。",
    "<script>": "円単位の整数で入力してください。",
    "²": "円単位の整数で入力してください。",  # isdigit() says yes, int() says no
    "--5": "円単位の整数で入力してください。",
}


@pytest.fixture
def requested(client):
    officer = f.officer()
    case = f.case(actor=officer)
    case = case_transition(case_id=case.pk, name="request", actor=officer, data={}, expected_version=1)
    client.force_login(officer)
    return case


@pytest.mark.parametrize("amount", list(BAD_AMOUNTS))
def test_bad_amounts_are_shown_on_the_field(client, requested, amount):
    response = client.post(f"/cases/{requested.pk}/steps/submit/", {"version": requested.version, "amount": amount})
    assert response.status_code == 422
    body = response.content.decode()
    assert BAD_AMOUNTS[amount] in body
    assert "<script>" not in body.split('id="main"')[1].replace('value="&lt;script&gt;"', "")
    requested.refresh_from_db()
    assert requested.state == "requested" and requested.version == 2


def test_bad_dates_are_shown_on_the_field(client, requested):
    response = client.post(f"/cases/{requested.pk}/steps/submit/", {"version": 2, "amount": "100", "date": "2025-02-30"})
    assert response.status_code == 422 and "2025-02-30 という日付はありません。" in response.content.decode()
    response = client.post(f"/cases/{requested.pk}/steps/submit/", {"version": 2, "amount": "100", "date": "2025-02-3x"})
    assert response.status_code == 422 and "日付は YYYY-MM-DD の形で入力してください。" in response.content.decode()
    for far in ("9999-12-31", "0001-01-01"):
        response = client.post(f"/cases/{requested.pk}/steps/submit/", {"version": 2, "amount": "100", "date": far})
        assert response.status_code == 422 and "2000年から2100年までの日付を入力してください。" in response.content.decode(), far
    planned = f.case(actor=requested.officer, recipient=f.municipality("122076", "松戸市", "12"))
    response = client.post(f"/cases/{planned.pk}/steps/request/", {"version": 1, "deadline": "9999-12-31"})
    assert response.status_code == 422
    planned.refresh_from_db()
    assert planned.state == "planned"


@pytest.mark.parametrize("version", ["1", "3", "999999999999", "abc", "", "-1"])
def test_stale_or_damaged_versions_say_reload(client, requested, version):
    response = client.post(f"/cases/{requested.pk}/steps/submit/", {"version": version, "amount": "100"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "他の人が更新しました" in body and f'href="/cases/{requested.pk}/"' in body
    requested.refresh_from_db()
    assert requested.version == 2


def test_a_step_the_state_does_not_allow_is_a_conflict_in_place(client, requested):
    response = client.post(f"/cases/{requested.pk}/steps/approve/", {"version": 2})
    assert response.status_code in (403, 409)
    response = client.post(f"/cases/{requested.pk}/steps/request/", {"version": 2})
    assert response.status_code == 409 and "この操作はできません" in response.content.decode()


def test_unknown_steps_and_cases_are_404_pages(client, requested):
    assert client.post(f"/cases/{requested.pk}/steps/explode/", {"version": 2}).status_code == 404
    assert client.post("/cases/0/steps/submit/", {"version": 2}).status_code == 404
    shown = client.get(f"/cases/{requested.pk}/steps/submit/")  # a GET takes no step: it shows the case
    assert shown.status_code == 302 and shown["Location"] == f"/cases/{requested.pk}/"


BAD_QUERIES = [
    "/cases/?fiscal_year=abc&stream=nope&state=%3Cscript%3E&prefecture=99&page=-3",
    "/cases/?page=999999&procedure=" + "x" * 500,
    "/calendar/?view=month&month=99999-99&fiscal_year=1e9&officer=nobody",
    "/calendar/?view=month&month=0001-01",
    "/calendar/?view=month&month=9999-12",
    "/calendar/?view=week&week=9999-12-31",
    "/calendar/?view=week&week=garbage&part=none",
    "/calendar/?view=list&page=abc",
    "/dashboard/?fiscal_year=-1",
    "/bulk/request/?transition=approve&fiscal_year=x&stream=y&procedure=z&deadline=31-12-2025",
    "/bulk/request/?transition=request&fiscal_year=2025&stream=community_support_grant&procedure=initial_grant&deadline=9999-99-99",
]


@pytest.mark.parametrize("url", BAD_QUERIES)
def test_bad_query_strings_never_give_a_500(client, requested, url):
    assert client.get(url).status_code in (200, 422)


@pytest.mark.parametrize(
    "url",
    [
        "/history/?fiscal_year=abc&date_from=notadate&date_to=2025-13-01&stream=zzz",
        "/history/?date_from=0001-01-01&date_to=9999-12-31",
        "/cases/1/as-of/?date=yesterday",
        "/cases/1/as-of/?date=9999-12-31",
    ],
)
def test_bad_auditor_queries_never_give_a_500(client, requested, url):
    client.force_login(f.auditor())
    url = url.replace("/cases/1/", f"/cases/{requested.pk}/")
    assert client.get(url).status_code in (200, 422)


def test_an_invalid_history_filter_lists_nothing_and_offers_no_export(client, requested):
    """An invalid filter is shown as an error; the page lists no record and links no export, rather than
    dropping the filter and showing (or exporting) records nobody asked for."""
    client.force_login(f.auditor())
    response = client.get("/history/?date_from=notadate&stream=community_support_grant")
    body = response.content.decode()
    assert response.status_code == 422
    assert 'class="field__error"' in body
    assert 'data-testid="export-csv"' not in body and "<table" not in body
    body = client.get("/history/?stream=community_support_grant").content.decode()
    assert 'data-testid="export-csv"' in body and "<table" in body


def test_bad_bulk_confirmation_is_refused_politely(client, requested):
    form = {"transition": "request", "fiscal_year": 2025, "stream": "community_support_grant", "procedure": "initial_grant"}
    for damaged in ("1:x,../../etc", "9" * 23 + ":1", "0:1", f"{requested.pk}:" + "9" * 23, "²:1", f"{requested.pk}:²"):
        response = client.post("/bulk/request/", form | {"cases": damaged})
        assert response.status_code == 422 and "最初からやり直してください" in response.content.decode(), damaged
    response = client.post("/bulk/request/", form | {"cases": f"{requested.pk}:1"}, follow=True)
    assert response.status_code == 200 and "1件は処理できず" in response.content.decode()


def test_an_expired_form_gets_a_plain_page_not_a_technical_one(requested):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(requested.officer)
    response = strict.post(f"/cases/{requested.pk}/steps/submit/", {"version": 2, "amount": "100"})
    assert response.status_code == 403 and "フォームの有効期限が切れています" in response.content.decode()


def test_a_case_without_an_officer_still_renders_everywhere(client, requested):
    type(requested).objects.filter(pk=requested.pk).update(officer=None)
    for url in (f"/cases/{requested.pk}/", "/cases/", "/calendar/?view=list", "/calendar/?view=week"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("year", [1, 1999, 2101, 99999999])
def test_a_schedule_year_outside_the_administrations_years_is_a_404_page(client, year):
    client.force_login(f.supervisor())
    response = client.get(f"/schedules/{year}/")
    assert response.status_code == 404 and f"{year}年度はありません。" in response.content.decode()


def test_switching_language_after_a_refused_step_shows_the_case_page(client, requested):
    step_url = f"/cases/{requested.pk}/steps/submit/"
    refused = client.post(step_url, {"version": requested.version, "amount": "abc"})
    assert refused.status_code == 422 and f'name="next" value="{step_url}"' in refused.content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": step_url}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == f"/cases/{requested.pk}/"
    assert "Record submission" in response.content.decode()
    requested.refresh_from_db()
    assert requested.state == "requested"


@pytest.mark.parametrize(
    "role, address, body, lands_on",
    [
        ("officer", "/inquiries/new", {"asker": "112011", "question": "質問"}, "/inquiries/"),
        ("supervisor", "/payment-runs/new/", {"run_on": "2025-09-01"}, "/payment-runs/"),
        ("officer", "/calendar/link/rotate/", {}, "/calendar/"),
    ],
)
def test_switching_language_on_a_page_drawn_by_a_post_lands_on_a_page_that_answers_get(client, role, address, body, lands_on):
    """A refused form (or the calendar link shown once) is drawn at an address that only takes a POST: the
    language switch sends a GET there, which goes on to the page the form is on instead of a bare 405."""
    f.municipality()
    client.force_login(getattr(f, role)())
    drawn = client.post(address, body)
    assert drawn.status_code in (200, 422)
    assert f'name="next" value="{address}"' in drawn.content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": address}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == lands_on
    assert '<html lang="en"' in response.content.decode()


def test_the_as_of_page_refuses_a_future_day_with_a_form_error(client, requested):
    """/cases/N/as-of/?date=2099-01-01 showed the case 'as of' a day that has not come: a form error instead."""
    from django.utils import timezone

    client.force_login(f.auditor())
    page = client.get(f"/cases/{requested.pk}/as-of/?date=2099-01-01", HTTP_ACCEPT_LANGUAGE="ja")
    assert page.status_code == 422 and page.context["snapshot"] is None
    assert "今日以前の日付を指定してください。" in page.content.decode()
    today = client.get(f"/cases/{requested.pk}/as-of/?date={timezone.localdate().isoformat()}")
    assert today.status_code == 200 and today.context["snapshot"]["state"] == "requested"


def test_the_history_search_offers_the_years_on_file_and_refuses_a_range_that_ends_before_it_starts(client, requested):
    """The fiscal year is chosen from the years on file, named as the other pages name them (令和7年度), not typed
    as a Western number; an end date before the start date is an error on the form, not an empty list."""
    client.force_login(f.auditor())
    body = client.get("/history/").content.decode()
    assert '<option value="2025" >令和7年度</option>' in body.replace('" selected>', '" >')
    response = client.get("/history/?date_from=2025-06-01&date_to=2025-05-01")
    assert response.status_code == 422
    assert "終了日が開始日より前になっています。" in response.content.decode()
    assert client.get("/history/?fiscal_year=8").status_code == 422  # not a year on file
    assert client.get("/history/?fiscal_year=2025").status_code == 200
