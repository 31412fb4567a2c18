"""Master data for administrators in the admin: recipients' addressee lines and officers' scope rows.

Every change goes through a service and is a history record; the code, names and kind of a recipient
are the national list's and cannot be changed by hand; other roles cannot reach the pages.
The tests without a client (the services) also run on PostgreSQL.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants.history import history_verify
from grants.models import HistoryEntry, Recipient, RecipientKind, Role, Scope
from grants.services import scope_delete, scope_save
from letters.models import Letter, LetterKind
from letters.services import recipient_addressee_save
from tests import factories as f
from tests.factories import Stream
from tests.letters.factories import reminder_rules, requested_case
from web.errors import PermissionDenied

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT
HEAD = "埼玉県福祉部地域包括ケア課長　殿"


def administrator(**kwargs):
    return f.UserFactory(role=Role.ADMINISTRATOR, is_staff=True, **kwargs)


def change_url(recipient) -> str:
    return f"/admin/grants/recipient/{recipient.pk}/change/"


def master_data_records():
    return HistoryEntry.objects.filter(subject_type__in=("recipient", "scope"))


def worklist(client) -> list[str]:
    body = client.get("/cases/").content.decode()
    return re.findall(r'<a href="/cases/\d+/">([^<]+)</a>', body)


# The admin pages ----------------------------------------------------------------------------------------


def test_an_administrator_changes_an_addressee_and_the_next_letter_uses_it(client):
    kawagoe = f.municipality()  # its working letters go to Saitama's division head
    saitama = Recipient.objects.get(code="11")
    admin = administrator()
    client.force_login(admin)
    done = client.post(change_url(saitama), {"addressee_ja": f"  {HEAD}  "})
    assert done.status_code == 302, done.content.decode()[:1000]
    record = master_data_records().get()
    assert (record.action, record.actor, record.subject_id) == ("recipient_addressee_update", admin, "11")
    assert record.data == {"before": "埼玉県福祉部長　殿", "after": HEAD}
    assert history_verify().ok
    client.force_login(f.auditor())
    history = client.get("/history/").content.decode()
    assert "宛先を変更" in history and "recipient_addressee_update" not in history

    case = requested_case(officer=f.officer(), deadline="2025-10-31", recipient=kawagoe)
    letter = Letter.objects.get(case=case, kind=LetterKind.REQUEST)
    assert letter.content["addressee"] == HEAD


def test_the_change_page_speaks_japanese_and_shows_what_each_letter_prints(client):
    kawagoe = f.municipality()
    client.force_login(administrator())
    body = client.get(change_url(kawagoe)).content.decode()
    for label in ("団体コード", "名称", "種別", "文書の宛先", "交付決定などの通知の宛先", "依頼・再依頼の宛先"):
        assert label in body, label
    assert "川越市長　殿 （埼玉県経由）" in body and "埼玉県福祉部長　殿" in body
    assert "Addressee" not in body and "Name ja" not in body
    assert "交付金事務システム マスタ管理" in body and "Django" not in body  # the frame names the product
    listing = client.get("/admin/grants/recipient/?q=川越").content.decode()
    assert "交付先" in listing and "112011" in listing and "11 埼玉県" in listing and "廃止" in listing
    Recipient.objects.filter(pk=kawagoe.pk).update(retired_on="2025-04-01")
    assert "112011" in client.get("/admin/grants/recipient/?listed=retired").content.decode()
    assert "112011" not in client.get("/admin/grants/recipient/?listed=current").content.decode()


def test_the_official_code_name_and_kind_cannot_be_changed(client):
    kawagoe = f.municipality()
    client.force_login(administrator())
    form = client.get(change_url(kawagoe)).content.decode()
    for field in ("code", "name_ja", "kind", "prefecture_code", "retired_on"):
        assert f'name="{field}"' not in form, field
    done = client.post(
        change_url(kawagoe),
        {
            "addressee_ja": "川越市長　殿",  # unchanged: nothing to record
            "code": "119999",
            "name_ja": "川越町",
            "kind": RecipientKind.PREFECTURE,
            "prefecture_code": "13",
            "retired_on": "2025-04-01",
        },
    )
    assert done.status_code == 302
    kawagoe.refresh_from_db()
    assert (kawagoe.code, kawagoe.name_ja, kawagoe.kind, kawagoe.prefecture_code, kawagoe.retired_on) == (
        "112011", "川越市", RecipientKind.MUNICIPALITY, "11", None
    )
    assert not master_data_records().exists()
    # Nor are recipients added or removed by hand.
    assert client.get("/admin/grants/recipient/add/").status_code == 403
    assert client.post(f"/admin/grants/recipient/{kawagoe.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Recipient.objects.filter(pk=kawagoe.pk).exists()


@pytest.mark.parametrize("role", ["officer", "supervisor", "auditor"])
def test_other_roles_cannot_reach_the_pages_even_as_staff(client, role):
    saitama = f.prefecture("11")
    user = getattr(f, role)(is_staff=True)
    client.force_login(user)
    for url in (change_url(saitama), "/admin/grants/recipient/", "/admin/grants/scope/", "/admin/grants/scope/add/"):
        assert client.get(url).status_code == 403, url
    assert client.post(change_url(saitama), {"addressee_ja": HEAD}).status_code == 403
    assert client.post(
        "/admin/grants/scope/add/", {"user": user.pk, "stream": CSG, "prefecture_code": "13"}
    ).status_code == 403
    assert Recipient.objects.get(pk=saitama.pk).addressee_ja == "埼玉県福祉部長　殿"
    assert not master_data_records().exists()


def test_an_officer_who_is_not_staff_is_sent_to_sign_in(client):
    client.force_login(f.officer())
    for url in ("/admin/grants/recipient/", "/admin/grants/scope/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_bad_input_shows_a_form_error_and_writes_nothing(client):
    saitama = f.prefecture("11")
    officer = f.officer(streams=[CSG], prefectures=("11",))
    client.force_login(administrator())
    for line in ("", "   ", "埼玉県介護保険主管部（局）長　殿", "課" * 200):
        refused = client.post(change_url(saitama), {"addressee_ja": line})
        assert refused.status_code == 200 and "errorlist" in refused.content.decode(), line
    for prefecture in ("27", "99", ""):  # Osaka is not the bureau's
        refused = client.post("/admin/grants/scope/add/", {"user": officer.pk, "stream": CSG, "prefecture_code": prefecture})
        assert refused.status_code == 200 and "errorlist" in refused.content.decode(), prefecture
    for stream in ("", "no_such_stream"):
        refused = client.post("/admin/grants/scope/add/", {"user": officer.pk, "stream": stream, "prefecture_code": "13"})
        assert refused.status_code == 200 and "errorlist" in refused.content.decode(), stream
    twice = client.post("/admin/grants/scope/add/", {"user": officer.pk, "stream": CSG, "prefecture_code": "11"})
    assert twice.status_code == 200 and "すでに担当しています" in twice.content.decode()
    assert Recipient.objects.get(pk=saitama.pk).addressee_ja == "埼玉県福祉部長　殿"
    assert list(Scope.objects.filter(user=officer).values_list("prefecture_code", flat=True)) == ["11"]
    assert not master_data_records().exists()


def test_a_scope_added_shows_the_prefectures_cases_on_the_worklist_and_one_removed_hides_them(client):
    tokyo_officer = f.officer(prefectures=("13",))
    f.case(actor=tokyo_officer, recipient=f.municipality(f.municipality_code(101, "13"), "千代田区", "13"))
    officer = f.officer(streams=[CSG], prefectures=("11",))
    f.case(actor=officer)  # 川越市
    admin = administrator()
    client.force_login(officer)
    assert worklist(client) == ["川越市"]

    client.force_login(admin)
    page = client.get("/admin/grants/scope/add/").content.decode()
    assert "13 東京都" in page and "27" not in re.findall(r'<option value="(\d+)"', page)
    assert "Select an option" not in page and "選んでください" in page
    added = client.post("/admin/grants/scope/add/", {"user": officer.pk, "stream": CSG, "prefecture_code": "13"})
    assert added.status_code == 302, added.content.decode()[:1000]
    scope = Scope.objects.get(user=officer, prefecture_code="13")
    record = master_data_records().get()
    assert (record.action, record.actor, record.stream) == ("scope_create", admin, CSG)
    assert record.data == {"user": officer.username, "stream": CSG, "prefecture": "13", "before": None}
    listing = client.get("/admin/grants/scope/").content.decode()
    assert "13 東京都" in listing

    client.force_login(officer)
    assert sorted(worklist(client)) == ["千代田区", "川越市"]

    client.force_login(admin)
    removed = client.post(f"/admin/grants/scope/{scope.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302
    gone = master_data_records().get(action="scope_delete")
    assert gone.data == {"user": officer.username, "stream": CSG, "prefecture": "13"}
    assert history_verify().ok

    client.force_login(officer)
    assert worklist(client) == ["川越市"]


# The services (SQLite and PostgreSQL) ---------------------------------------------------------------------


def test_a_scope_row_changed_and_removed_is_recorded_each_time_and_the_chain_holds():
    admin = administrator()
    officer = f.officer(streams=[CSG], prefectures=("11",))
    scope = scope_save(actor=admin, scope=Scope(user=officer, stream=CSG, prefecture_code="12"))
    scope.prefecture_code = "14"
    scope_save(actor=admin, scope=scope)
    scope_delete(actor=admin, scope=scope)
    records = list(master_data_records().order_by("pk").values_list("action", "data"))
    assert records == [
        ("scope_create", {"user": officer.username, "stream": CSG, "prefecture": "12", "before": None}),
        (
            "scope_update",
            {"user": officer.username, "stream": CSG, "prefecture": "14",
             "before": {"stream": CSG, "prefecture_code": "12"}},
        ),
        ("scope_delete", {"user": officer.username, "stream": CSG, "prefecture": "14"}),
    ]
    assert history_verify().ok


def test_a_scope_outside_the_bureaus_prefectures_or_a_non_administrator_writes_nothing():
    officer = f.officer(streams=[CSG], prefectures=("11",))
    with pytest.raises(ValidationError) as refused:
        scope_save(actor=administrator(), scope=Scope(user=officer, stream=CSG, prefecture_code="27"))
    assert "prefecture_code" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        scope_save(actor=f.supervisor(), scope=Scope(user=officer, stream=CSG, prefecture_code="13"))
    with pytest.raises(PermissionDenied):
        scope_delete(actor=f.officer(), scope=officer.scopes.get())
    assert Scope.objects.filter(user=officer).count() == 1 and not master_data_records().exists()


def test_the_addressee_service_records_before_and_after_and_the_chain_holds():
    saitama = f.prefecture("11")
    admin = administrator()
    recipient_addressee_save(actor=admin, recipient_id=saitama.pk, addressee_ja=HEAD)
    recipient_addressee_save(actor=admin, recipient_id=saitama.pk, addressee_ja=HEAD)  # the same: not an edit
    assert list(master_data_records().values_list("data", flat=True)) == [{"before": "埼玉県福祉部長　殿", "after": HEAD}]
    assert history_verify().ok


def test_an_officers_scope_rows_are_added_and_removed_on_their_own_page_each_recorded(client):
    officer = f.officer(streams=[CSG], prefectures=("11",), first_name="田中 一郎")
    f.prefecture("13")
    kept = officer.scopes.get()
    admin = administrator()
    client.force_login(admin)
    url = f"/admin/auth/user/{officer.pk}/change/"
    page = client.get(url).content.decode()
    assert "担当範囲（この利用者が担当する事業と都道府県）" in page and "13 東京都" in page
    assert f"{officer.username} 地域支援事業交付金 11" in page  # each row named in words, not codes
    joined = timezone.localtime(officer.date_joined)
    form = {
        "username": officer.username, "first_name": officer.first_name, "last_name": "", "email": "",
        "is_active": "on", "groups": [g.pk for g in officer.groups.all()],
        "date_joined_0": joined.date().isoformat(), "date_joined_1": joined.time().strftime("%H:%M:%S"),
        "scopes-TOTAL_FORMS": "2", "scopes-INITIAL_FORMS": "1", "scopes-MIN_NUM_FORMS": "0", "scopes-MAX_NUM_FORMS": "1000",
        "scopes-0-id": kept.pk, "scopes-0-user": officer.pk, "scopes-0-stream": CSG, "scopes-0-prefecture_code": "11",
        "scopes-0-DELETE": "on",
        "scopes-1-id": "", "scopes-1-user": officer.pk, "scopes-1-stream": CSG, "scopes-1-prefecture_code": "13",
    }
    refused = client.post(url, {**form, "scopes-1-prefecture_code": "27"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert list(officer.scopes.values_list("prefecture_code", flat=True)) == ["11"] and not master_data_records()
    done = client.post(url, form)
    assert done.status_code == 302, done.content.decode()[:2000]
    assert list(officer.scopes.values_list("prefecture_code", flat=True)) == ["13"]
    assert sorted((r.action, r.data["user"], r.data["prefecture"]) for r in master_data_records()) == [
        ("scope_create", officer.username, "13"), ("scope_delete", officer.username, "11")
    ]
    assert history_verify().ok


def user_form(user, **changes) -> dict:
    joined = timezone.localtime(user.date_joined)
    return {
        "username": user.username, "first_name": user.first_name, "last_name": "", "email": "",
        "is_active": "on", "groups": [g.pk for g in user.groups.all()],
        "date_joined_0": joined.date().isoformat(), "date_joined_1": joined.time().strftime("%H:%M:%S"),
        "scopes-TOTAL_FORMS": "0", "scopes-INITIAL_FORMS": "0", "scopes-MIN_NUM_FORMS": "0", "scopes-MAX_NUM_FORMS": "1000",
        **changes,
    }


def test_a_role_given_or_taken_in_the_admin_is_recorded_and_a_name_alone_is_not(client):
    from grants.roles import role_group

    officer = f.officer(streams=[CSG], prefectures=("11",))
    admin = administrator()
    client.force_login(admin)
    url = f"/admin/auth/user/{officer.pk}/change/"
    unchanged = {"scopes-TOTAL_FORMS": "1", "scopes-INITIAL_FORMS": "1", "scopes-0-id": officer.scopes.get().pk,
                 "scopes-0-user": officer.pk, "scopes-0-stream": CSG, "scopes-0-prefecture_code": "11"}
    assert client.post(url, user_form(officer, first_name="田中 一郎", **unchanged)).status_code == 302
    assert not HistoryEntry.objects.filter(subject_type="user").exists()
    auditor = role_group(Role.AUDITOR)
    done = client.post(url, user_form(officer, groups=[auditor.pk], is_staff="on", **unchanged))
    assert done.status_code == 302, done.content.decode()[:2000]
    record = HistoryEntry.objects.get(subject_type="user")
    assert (record.action, record.actor, record.subject_id) == ("user_access_update", admin, str(officer.pk))
    assert record.data["before"]["groups"] == [Role.OFFICER] and record.data["after"]["groups"] == [Role.AUDITOR]
    assert (record.data["before"]["is_staff"], record.data["after"]["is_staff"]) == (False, True)
    assert history_verify().ok
    client.force_login(f.auditor())
    history = client.get("/history/").content.decode()
    assert "役割・権限を変更" in history and "user_access_update" not in history
    client.force_login(admin)
    # Accounts are deactivated, never deleted (the history names them).
    assert client.post(f"/admin/auth/user/{officer.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_admin_names_the_standard_roles_in_the_readers_language_and_keeps_their_stored_names(client):
    """The groups' stored names (officer, supervisor, …) are what ``grants.roles`` finds the roles by, so they stay;
    the admin's lists name each standard role by its label, as the pages do, beside that name."""
    from django.conf import settings
    from django.contrib.auth.models import Group

    officer = f.officer(streams=[CSG], prefectures=("11",))
    Group.objects.create(name="閲覧（埼玉）")  # a role an administrator made keeps its own name
    client.force_login(administrator())
    user_page = client.get(f"/admin/auth/user/{officer.pk}/change/").content.decode()
    assert re.search(r'<option value="\d+" selected>担当者 \(officer\)</option>', user_page), "the user's groups"
    assert ">管理者 (administrator)</option>" in user_page and ">閲覧（埼玉）</option>" in user_page
    users = client.get("/admin/auth/user/").content.decode()
    assert "担当者 (officer)</a>" in users and "管理者 (administrator)</a>" in users  # the list's filter by group
    groups = client.get("/admin/auth/group/").content.decode()
    assert "担当者 (officer)" in groups and "管理者 (administrator)" in groups and "閲覧（埼玉）" in groups
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the reader chose English
    assert "Grants officer (officer)" in client.get("/admin/auth/group/").content.decode()
    assert set(Group.objects.values_list("name", flat=True)) >= {Role.OFFICER, Role.ADMINISTRATOR}


def test_an_account_made_in_the_admin_is_recorded(client):
    client.force_login(administrator())
    done = client.post(
        "/admin/auth/user/add/",
        {"username": "kimura", "usable_password": "true", "password1": "a-long-pass-phrase-42",
         "password2": "a-long-pass-phrase-42", "scopes-TOTAL_FORMS": "0", "scopes-INITIAL_FORMS": "0"},
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    record = HistoryEntry.objects.get(subject_type="user")
    assert record.action == "user_create" and record.data["user"] == "kimura" and record.data["before"] is None


def test_those_who_manage_no_accounts_cannot_reach_them(client):
    officer = f.officer()
    client.force_login(f.supervisor(is_staff=True))
    assert client.get(f"/admin/auth/user/{officer.pk}/change/").status_code == 403
    assert client.post(f"/admin/auth/user/{officer.pk}/change/", user_form(officer, is_staff="on")).status_code == 403
    with pytest.raises(PermissionDenied):
        from grants.services import user_save

        user_save(actor=f.supervisor(), user=officer, groups=[])
    assert not HistoryEntry.objects.filter(subject_type="user").exists()


def test_a_role_made_changed_and_removed_in_the_admin_is_recorded_each_time(client):
    from django.contrib.auth.models import Group, Permission

    read = Permission.objects.get(content_type__app_label="grants", codename="read_case")
    history = Permission.objects.get(content_type__app_label="grants", codename="read_history")
    viewer = f.UserFactory()
    client.force_login(administrator())
    assert client.post("/admin/auth/group/add/", {"name": "閲覧（埼玉）", "permissions": [read.pk]}).status_code == 302
    group = Group.objects.get(name="閲覧（埼玉）")
    viewer.groups.add(group)
    done = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "閲覧（埼玉）", "permissions": [read.pk, history.pk]})
    assert done.status_code == 302
    assert client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 302
    records = [(r.action, r.data) for r in HistoryEntry.objects.filter(subject_type="group").order_by("pk")]
    assert records == [
        ("group_create", {"before": None, "after": {"name": "閲覧（埼玉）", "permissions": ["grants.read_case"]}}),
        (
            "group_update",
            {"before": {"name": "閲覧（埼玉）", "permissions": ["grants.read_case"]},
             "after": {"name": "閲覧（埼玉）", "permissions": ["grants.read_case", "grants.read_history"]}},
        ),
        (
            "group_delete",
            {"deleted": {"name": "閲覧（埼玉）", "permissions": ["grants.read_case", "grants.read_history"]},
             "members": [viewer.username]},
        ),
    ]
    assert history_verify().ok
    client.force_login(f.supervisor(is_staff=True))
    assert client.post("/admin/auth/group/add/", {"name": "x", "permissions": [read.pk]}).status_code == 403
    assert HistoryEntry.objects.filter(subject_type="group").count() == 3


def test_the_index_lists_what_an_administrator_keeps_in_japanese(client):
    """Each model an administrator may see is on the admin's index, with its Japanese name: the reminder rules
    (letters app) were reachable only by typing their address, and named in English."""
    reminder_rules()  # the list shows its columns only with rows (a transactional test before this one flushed them)
    client.force_login(administrator())
    index = client.get("/admin/").content.decode()
    assert "督促ルール" in index and "/admin/letters/reminderrule/" in index
    rules = client.get("/admin/letters/reminderrule/").content.decode()
    assert "督促ルール" in rules and "期限からの開庁日数" in rules and "reminder rule" not in rules
