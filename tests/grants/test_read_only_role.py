"""A new role is data: a read-only prefecture viewer made here, in the test alone, with no code of its own.

The role is a group holding one permission, ``grants.read_case``; the viewer is limited to Saitama (11)
by scope rows. They read Saitama's cases, letters and money through the API and the pages, and are
refused every act and every read of Tokyo (13), and the history, which their role does not read.
"""

from datetime import date

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from letters.models import Letter
from grants.catalogue import stream_codes
from grants.models import HistoryEntry, Scope
from payments.services import payment_run_create
from grants.roles import primary_role
from tests import factories as f
from tests.factories import Stream
from tests.letters.factories import requested_case
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db

CSG = Stream.COMMUNITY_SUPPORT_GRANT
SAITAMA, TOKYO = ("112011", "川越市"), ("132012", "八王子市")


def prefecture_viewer(prefecture: str):
    """The whole of the new role: a group with the read permission, a user in it, scope rows for one prefecture."""
    group = Group.objects.create(name="prefecture_viewer")
    group.permissions.add(Permission.objects.get(content_type__app_label="grants", codename="read_case"))
    viewer = f.UserFactory(username="saitama_viewer")
    viewer.groups.add(group)
    Scope.objects.bulk_create([Scope(user=viewer, stream=stream, prefecture_code=prefecture) for stream in stream_codes()])
    return viewer


@pytest.fixture
def world(today, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    today(date(2025, 9, 1))
    with django_capture_on_commit_callbacks(execute=True):  # letters are drawn once their act commits
        pf.shipped_plans()
        officer, boss = f.officer(prefectures=("11", "13")), f.supervisor()
        pf.notified(officer=officer, boss=boss, year=2023, amount=2_000_000, on=date(2023, 10, 19))
        pf.notified(officer=officer, boss=boss, year=2023, amount=6_000_000, on=date(2023, 10, 19),
                    recipient=f.municipality(*TOKYO, prefecture_code="13"))
        run = payment_run_create(actor=officer, run_on=date(2023, 10, 30))
        saitama = requested_case(officer=officer, deadline="2025-09-16")
        tokyo = requested_case(officer=officer, deadline="2025-09-16", recipient=f.municipality(*TOKYO, "13"))
    return {
        "viewer": prefecture_viewer("11"), "saitama": saitama, "tokyo": tokyo, "run": run,
        "saitama_letter": Letter.objects.get(kind="request", case=saitama), "tokyo_letter": Letter.objects.get(kind="request", case=tokyo),
    }


@pytest.fixture
def api(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AuthToken.objects.create(user=world['viewer'])[1]}")
    return client


@pytest.fixture
def pages(client, world):
    client.force_login(world["viewer"])
    return client


def codes(response) -> list[str]:
    return [item["recipient"]["code"] for item in response.json()["items"]]


def test_the_viewer_reads_saitama_s_cases_letters_and_money_through_the_api(api, world):
    assert set(codes(api.get("/api/cases"))) == {SAITAMA[0]}
    assert api.get(f"/api/cases/{world['saitama'].pk}").json()["available_transitions"] == []
    # the municipality's request (sent through Saitama: 経由)
    assert set(codes(api.get("/api/letters"))) == {SAITAMA[0]}
    assert api.get(f"/api/letters/{world['saitama_letter'].pk}.pdf").content.startswith(b"%PDF")
    assert set(codes(api.get("/api/payment-items"))) == {SAITAMA[0]}
    run = api.get(f"/api/payment-runs/{world['run'].pk}").json()
    assert (run["total"], [line["recipient"]["code"] for line in run["lines"]]) == (1_000_000, [SAITAMA[0]])
    assert run["available_transitions"] == []


def test_the_viewer_reads_nothing_of_tokyo_through_the_api(api, world):
    assert api.get(f"/api/cases/{world['tokyo'].pk}").json()["error"]["code"] == "out_of_scope"
    assert api.get(f"/api/letters/{world['tokyo_letter'].pk}.pdf").status_code == 403
    assert api.get("/api/cases", {"prefecture": "13"}).json()["count"] == 0
    for url in ("/api/cases", "/api/letters", "/api/payment-items", f"/api/payment-runs/{world['run'].pk}"):
        assert TOKYO[0] not in api.get(url).content.decode(), url


def test_the_viewer_is_refused_every_act_and_the_history_and_writes_nothing(api, world):
    case = world["saitama"]
    refused = [
        api.post(f"/api/cases/{case.pk}/transitions/submit", {"version": case.version, "amount": 1,
                                                              "date": "2025-09-01"}, format="json"),
        api.post("/api/cases", {"fiscal_year": 2025, "stream": CSG, "procedure": "change_grant",
                                "recipient": SAITAMA[0]}, format="json"),
        api.post("/api/payment-runs", {"date": "2025-10-30"}, format="json"),
        api.post(f"/api/payment-runs/{world['run'].pk}/transitions/cancel"),
        api.post("/api/letter-batches", {"title": "x", "letters": [world["saitama_letter"].pk]}, format="json"),
        api.post("/api/budget-notices", {"fiscal_year": 2025, "stream": CSG, "amount": 5,
                                         "received_on": "2025-04-01", "reference": "x"}, format="json"),
        api.get("/api/history/export"),
        api.get("/api/history/verify"),
    ]
    history = HistoryEntry.objects.count()
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert {response.json()["error"]["code"] for response in refused} == {"permission_denied"}
    assert HistoryEntry.objects.count() == history


def test_the_viewer_reads_saitama_on_the_pages_and_nothing_of_tokyo(pages, world):
    worklist = pages.get("/cases/").content.decode()
    assert SAITAMA[1] in worklist and TOKYO[1] not in worklist
    case_page = pages.get(f"/cases/{world['saitama'].pk}/")
    assert case_page.status_code == 200 and "/steps/" not in case_page.content.decode()
    assert pages.get(f"/cases/{world['tokyo'].pk}/").status_code == 403
    assert pages.get(f"/letters/{world['saitama_letter'].pk}.pdf").status_code == 200
    assert pages.get(f"/letters/{world['tokyo_letter'].pk}.pdf").status_code == 403
    dashboard = pages.get("/dashboard/", {"fiscal_year": 2023}).content.decode()
    assert "2,000,000" in dashboard and "6,000,000" not in dashboard
    calendar = pages.get("/calendar/", {"view": "list", "fiscal_year": 2025}).content.decode()
    assert SAITAMA[1] in calendar and TOKYO[1] not in calendar


def test_the_viewer_s_menu_and_first_page_are_those_of_a_reader(pages):
    assert pages.get("/").url == "/dashboard/"
    menu = pages.get("/dashboard/").content.decode()
    for shown in ("/cases/", "/calendar/", "/dashboard/"):
        assert f'href="{shown}"' in menu
    for hidden in ("/approvals/", "/bulk/request/", "/schedules/", "/history/", "/admin/"):
        assert f'href="{hidden}"' not in menu
    for refused in ("/approvals/", "/bulk/request/", "/schedules/2025/", "/history/"):
        assert pages.get(refused).status_code == 403, refused


def test_the_viewer_s_role_is_recorded_by_its_group_name(world):
    assert primary_role(world["viewer"]) == "prefecture_viewer"


def test_payment_run_show_prints_the_viewer_only_saitama(world, capsys):
    call_command("payment_run", "show", str(world["run"].pk), "--user", "saitama_viewer")
    printed = capsys.readouterr().out
    assert SAITAMA[0] in printed and TOKYO[0] not in printed


def test_a_history_reader_limited_by_scope_gets_the_records_of_their_scope_alone(world):
    """A group may give the history to a reader with scope rows: the list and the export keep their scope."""
    from grants.history_export import history_list_for_auditor

    viewer = world["viewer"]
    for codename in ("read_history", "export_history"):
        viewer.groups.get().permissions.add(Permission.objects.get(content_type__app_label="grants", codename=codename))
    viewer = type(viewer).objects.get(pk=viewer.pk)  # a fresh request: permissions read anew
    for export in (False, True):
        seen = history_list_for_auditor(actor=viewer, export=export)
        assert seen.exists()
        assert {entry.recipient.prefecture_code for entry in seen} == {"11"}
        assert not seen.filter(recipient__isnull=True).exists()  # bureau-wide records (plans, runs) stay out
    everything = history_list_for_auditor(actor=f.auditor())  # a bureau-wide reader: every record
    assert everything.count() == HistoryEntry.objects.count() > seen.count()
    assert everything.filter(recipient__prefecture_code="13").exists()
