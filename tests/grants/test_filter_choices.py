"""The filters offer what the reader's scope covers: an officer of one stream in one prefecture is offered
that stream, its procedures and parts, and that prefecture on the worklist, the calendar, the inquiry register
and the fund balances; supervisors, auditors and administrators (bureau-wide) are offered every one."""

import re
from datetime import timedelta

import pytest

from grants.catalogue import part_choices, procedure_choices, procedure_list, stream_codes, stream_get
from grants.models import Role
from tests import factories as f
from tests.payments import factories as pf
from tests.factories import Stream

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT
FILTER_PAGES = ("/cases/", "/calendar/", "/inquiries/")
BUREAU = ("11", "12", "13")


@pytest.fixture(autouse=True)
def bureau(settings):
    """Three prefectures on file and served by the bureau."""
    settings.BUREAU_PREFECTURES = BUREAU
    for code in BUREAU:
        f.prefecture(code)


def offered(body: str, name: str) -> list[str]:
    """The values a page's filter list ``name`` offers ("All" left out)."""
    select = re.search(rf'<select name="{name}" id="id_{name}"[^>]*>(.*?)</select>', body, re.S)
    assert select, f"no {name} list"
    return [value for value in re.findall(r'<option value="([^"]*)"', select.group(1)) if value]


def page_as(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", FILTER_PAGES)
def test_an_officer_of_one_stream_is_offered_that_stream_only(client, url):
    officer = f.officer(streams=[CSG], prefectures=("11",))
    assert offered(page_as(client, officer, url), "stream") == [CSG]


@pytest.mark.parametrize("url", ("/cases/", "/calendar/", "/fund-balances/"))
def test_an_officer_of_one_prefecture_is_offered_that_prefecture_only(client, url):
    officer = f.officer(streams=[CSG, Stream.MEDICAL_CARE_FUND], prefectures=("11",))
    assert offered(page_as(client, officer, url), "prefecture") == ["11"]


def test_an_officer_of_two_streams_in_two_prefectures_is_offered_both_of_each(client):
    officer = f.officer(streams=[CSG, Stream.SPECIAL_ADJUSTMENT_GRANT], prefectures=("11", "12"))
    body = page_as(client, officer, "/cases/")
    assert sorted(offered(body, "stream")) == sorted([CSG, Stream.SPECIAL_ADJUSTMENT_GRANT])
    assert offered(body, "prefecture") == ["11", "12"]


@pytest.mark.parametrize("url", FILTER_PAGES)
def test_a_supervisor_is_offered_every_stream_and_prefecture(client, url):
    body = page_as(client, f.supervisor(), url)
    assert sorted(offered(body, "stream")) == sorted(stream_codes())
    if url != "/inquiries/":  # the register filters by asker, not by prefecture
        assert offered(body, "prefecture") == list(BUREAU)


def test_an_auditor_is_offered_every_stream_on_the_history_and_the_worklist(client):
    auditor = f.auditor()
    assert sorted(offered(page_as(client, auditor, "/history/"), "stream")) == sorted(stream_codes())
    assert offered(page_as(client, auditor, "/cases/"), "prefecture") == list(BUREAU)


def test_an_administrator_is_offered_every_stream(client):
    administrator = f.UserFactory(role=Role.ADMINISTRATOR)
    assert sorted(offered(page_as(client, administrator, "/calendar/"), "stream")) == sorted(stream_codes())


def test_an_officer_of_one_stream_is_offered_its_procedures_only(client):
    """The demo's officer2 (the community support grant only) was offered the fund's surveys on the worklist."""
    officer = f.officer(streams=[CSG], prefectures=("11",))
    offered_procedures = offered(page_as(client, officer, "/cases/"), "procedure")
    assert offered_procedures == [spec.code for spec in procedure_list(CSG)]
    fund_only = {spec.code for spec in procedure_list(Stream.MEDICAL_CARE_FUND)} - set(offered_procedures)
    assert fund_only, "the fund declares procedures the grant does not"


def test_the_parts_offered_are_those_of_the_streams_in_scope(client):
    fund_parts = [part.code for part in stream_get(Stream.MEDICAL_CARE_FUND).parts]
    assert offered(page_as(client, f.officer(streams=[CSG], prefectures=("11",)), "/calendar/"), "part") == []
    fund_officer = f.officer(streams=[Stream.MEDICAL_CARE_FUND], prefectures=("11",))
    assert offered(page_as(client, fund_officer, "/calendar/"), "part") == fund_parts


def test_a_supervisor_is_offered_every_procedure_and_part(client):
    supervisor = f.supervisor()
    assert offered(page_as(client, supervisor, "/cases/"), "procedure") == [code for code, _ in procedure_choices()]
    assert offered(page_as(client, supervisor, "/calendar/"), "part") == [code for code, _ in part_choices() if code]


def test_a_procedure_outside_the_officers_streams_is_a_filter_error_and_lists_nothing(client):
    officer = f.officer(streams=[CSG], prefectures=("11",))
    case = f.case(actor=officer)
    client.force_login(officer)
    assert f'href="/cases/{case.pk}/"' in client.get("/cases/").content.decode()
    response = client.get("/cases/", {"procedure": "fund_balance_survey"})
    body = response.content.decode()
    [select] = re.findall(r'<select[^>]*name="procedure"[^>]*>', body)
    assert 'aria-invalid="true"' in select  # the procedure's own field, not another
    # nothing listed under the error: not every case the filter would have left out
    assert response.status_code == 422 and f'href="/cases/{case.pk}/"' not in body and 'data-testid="filters-invalid"' in body


def test_a_part_outside_the_officers_streams_shows_an_empty_calendar_under_its_error(client):
    from django.utils import timezone

    officer = f.officer(streams=[CSG], prefectures=("11",))
    case = f.case(actor=officer)
    deadline = str(timezone.localdate() + timedelta(days=20))
    pf.act(case, "request", officer, deadline=deadline)
    client.force_login(officer)
    assert f'href="/cases/{case.pk}/"' in client.get("/calendar/", {"view": "list"}).content.decode()
    response = client.get("/calendar/", {"view": "list", "part": "facilities"})
    body = response.content.decode()
    assert response.status_code == 422 and 'data-testid="filters-invalid"' in body
    assert f'href="/cases/{case.pk}/"' not in body


def test_a_stream_outside_the_officers_scope_is_a_filter_error_not_an_empty_list(client):
    officer = f.officer(streams=[CSG], prefectures=("11",))
    client.force_login(officer)
    response = client.get("/cases/", {"stream": Stream.SPECIAL_ADJUSTMENT_GRANT})
    assert 'aria-invalid="true"' in response.content.decode()


@pytest.mark.parametrize(
    "url, bad",
    [
        ("/cases/", {"prefecture": "99"}),  # no such prefecture
        ("/calendar/", {"view": "list", "prefecture": "99"}),
        ("/fund-balances/", {"prefecture": "99"}),
        ("/recipients/", {"prefecture": "99"}),
        ("/inquiries/", {"status": "lost"}),  # no such status
    ],
)
def test_a_filter_that_does_not_parse_lists_nothing_and_says_so_once(client, url, bad):
    """What the page lists unfiltered (a case with its deadline, its recipient, an inquiry about it) is gone under
    a filter that does not parse, and one notice says why. (The fund balances' list is empty here either way.)"""
    from django.utils import timezone

    from inquiries.services import inquiry_record

    officer = f.officer()
    case = pf.act(f.case(actor=officer), "request", officer, deadline=str(timezone.localdate() + timedelta(days=20)))
    inquiry_record(actor=officer, received_on=timezone.localdate(), asker=case.recipient.code, question="交付時期について",
                   case_id=case.pk)
    shown = {"/cases/": f'href="/cases/{case.pk}/"', "/calendar/": f'href="/cases/{case.pk}/"',
             "/recipients/": case.recipient.local_name, "/inquiries/": "交付時期について"}.get(url)
    client.force_login(f.supervisor())
    unfiltered = {key: value for key, value in bad.items() if key == "view"}
    assert shown is None or shown in client.get(url, unfiltered).content.decode()
    response = client.get(url, bad)
    body = response.content.decode()
    assert response.status_code == 422 and body.count('notice notice--error') == 1 and 'data-testid="filters-invalid"' in body
    assert shown is None or shown not in body


@pytest.mark.parametrize(
    "url, bad",
    [
        ("/cases/", {"fiscal_year": "1900"}),  # a year not on file
        ("/calendar/", {"fiscal_year": "1900"}),
        ("/fund-balances/", {"fiscal_year": "1900"}),
        ("/history/", {"fiscal_year": "1900"}),
        ("/recipients/", {"kind": "lost"}),  # no such kind
        ("/inquiries/", {"status": "lost"}),
    ],
)
def test_every_field_s_description_is_on_the_page(client, url, bad):
    """A field's ``aria-describedby`` names elements that are there (a screen reader reads out its hint, and its
    error once the filter does not parse)."""
    client.force_login(f.supervisor())
    body = client.get(url, bad).content.decode()
    described = {name for names in re.findall(r'aria-describedby="([^"]+)"', body) for name in names.split()}
    missing = sorted(name for name in described if f'id="{name}"' not in body)
    assert described and not missing
