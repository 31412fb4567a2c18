"""Finding recipients by name, reading or code (API and pages), and which of them take cases."""

from datetime import date

import pytest
from django.test import override_settings

from tests.factories import Stream
from grants.models import Recipient
from grants.recipients import local_governments_load
from grants.roles import system_user
from tests import factories as f
from tests.http import assert_error
from tests.ui.html import table_rows
from web.errors import InvalidInput

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT


@pytest.fixture
def national():
    local_governments_load(actor=system_user())


@pytest.fixture
def officer(api):
    user = f.officer(prefectures=("12", "20"))
    api.force_authenticate(user)
    return user


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


# ---------------------------------------------------------------- API


def test_nagano_has_77_municipalities(api, officer, national):
    response = api.get("/api/recipients", {"prefecture": "20", "kind": "municipality"})
    body = response.json()
    assert body["count"] == 77 and len(body["items"]) == 50  # first page of 50
    page_two = api.get("/api/recipients", {"prefecture": "20", "kind": "municipality", "page": 2}).json()["items"]
    assert {item["prefecture"] for item in body["items"] + page_two} == {"20"} and len(page_two) == 27
    assert {item["kind"] for item in body["items"] + page_two} == {"municipality"}


def test_122203_is_nagareyama(api, officer, national):
    [item] = api.get("/api/recipients", {"code": "122203"}).json()["items"]
    assert item == {
        "code": "122203", "name": "流山市", "name_kana": "ナガレヤマシ", "name_en": "Nagareyama-shi",
        "kind": "municipality", "municipality_type": "city", "prefecture": "12", "active": True,
        "retired_on": None, "former_code": "",
    }


def test_a_code_with_a_wrong_check_digit_is_refused_naming_it(api, officer, national):
    error = assert_error(api.get("/api/recipients", {"code": "122204"}), 422, "invalid_input")
    assert "122204" in error["details"]["code"][0] and "3" in error["details"]["code"][0]
    error = assert_error(api.get("/api/recipients", {"q": "１２２２０４"}), 422, "invalid_input")
    assert "122204" in error["details"]["q"][0]
    assert_error(api.get("/api/recipients", {"code": "12-nagareyama"}), 422, "invalid_input")
    assert codes(api.get("/api/recipients", {"code": "12-wau"})) == ["12-wau"]
    assert codes(api.get("/api/recipients", {"code": "20"})) == ["20"]


@pytest.mark.parametrize("typed", ["ながれやま", "ナガレヤマ", "ﾅｶﾞﾚﾔﾏ", "流山", "nagareyama", "12220", "１２２２０３"])
def test_search_by_name_reading_or_code_finds_nagareyama(api, officer, national, typed):
    assert "122203" in codes(api.get("/api/recipients", {"q": typed}))


def test_search_is_narrow_enough_to_pick_from(api, officer, national):
    assert codes(api.get("/api/recipients", {"q": "ながれやま"})) == ["122203"]
    assert codes(api.get("/api/recipients", {"q": "12"})) == ["12"]  # the prefecture, not all it holds
    assert codes(api.get("/api/recipients", {"q": "鎌ヶ谷"})) == ["122246"]  # the official name is 鎌ケ谷市
    assert codes(api.get("/api/recipients", {"q": "ちよだく"})) == ["131016"]
    assert set(codes(api.get("/api/recipients", {"q": "広域連合", "prefecture": "20"}))) == {"20-wau"}


def test_only_the_bureaus_prefectures_take_cases(api, officer, national):
    sapporo = api.get("/api/recipients", {"code": "011002"}).json()["items"][0]
    assert sapporo["name"] == "札幌市" and sapporo["active"] is False
    assert api.get("/api/recipients", {"prefecture": "01", "active": "true"}).json()["count"] == 0
    assert api.get("/api/recipients", {"active": "true", "kind": "prefecture"}).json()["count"] == 10
    assert api.get("/api/recipients", {"active": "false", "kind": "prefecture"}).json()["count"] == 37
    with override_settings(BUREAU_PREFECTURES=("01",)):
        assert api.get("/api/recipients", {"code": "011002"}).json()["items"][0]["active"] is True
        assert api.get("/api/recipients", {"active": "true", "kind": "municipality"}).json()["count"] == 179


# ---------------------------------------------------------------- cases only for recipients that take them


def test_a_case_is_refused_for_a_recipient_outside_the_bureau_or_retired(api, officer, national, today):
    today(date(2026, 4, 1))
    f.fiscal_year(2025)
    body = {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant"}
    error = assert_error(api.post("/api/cases", body | {"recipient": "011002"}, format="json"), 422, "invalid_input")
    assert "011002" in error["details"]["recipient"][0]
    error = assert_error(api.post("/api/cases", body | {"recipient": "122204"}, format="json"), 422, "invalid_input")
    assert "122204" in error["details"]["recipient"][0] and "検査数字" in error["details"]["recipient"][0]
    Recipient.objects.filter(code="122076").update(retired_on=date(2026, 1, 1))
    error = assert_error(api.post("/api/cases", body | {"recipient": "122076"}, format="json"), 422, "invalid_input")
    assert "2026-01-01" in error["details"]["recipient"][0]
    assert api.post("/api/cases", body | {"recipient": "122203"}, format="json").status_code == 201


def test_another_bureau_runs_the_product_with_its_own_prefectures(officer, national):
    f.fiscal_year(2025)
    hokkaido_officer = f.officer(prefectures=("01",))
    with pytest.raises(InvalidInput):
        f.case(actor=hokkaido_officer, recipient=Recipient.objects.get(code="011002"))
    with override_settings(BUREAU_PREFECTURES=("01",)):
        case = f.case(actor=hokkaido_officer, recipient=Recipient.objects.get(code="011002"))
        assert case.recipient.name_ja == "札幌市"
        with pytest.raises(InvalidInput):
            f.case(actor=officer, recipient=Recipient.objects.get(code="122203"))


# ---------------------------------------------------------------- pages


def test_the_recipients_page_finds_nagareyama_by_reading_or_name(client, officer, national):
    client.force_login(officer)
    for typed in ("ながれやま", "流山"):
        response = client.get("/recipients/", {"q": typed})
        assert response.status_code == 200
        [row] = table_rows(response.content.decode())
        assert (row["コード"], row["名称"], row["よみ"], row["種類"], row["都道府県"], row["案件対象"]) == (
            "122203", "流山市", "ナガレヤマシ", "市", "千葉県", "対象"
        )
        assert f'href="/cases/?recipient_search=122203"' in response.content.decode()


def test_the_recipients_page_shows_a_wrong_check_digit_on_the_form(client, officer, national):
    client.force_login(officer)
    response = client.get("/recipients/", {"q": "122204"})
    assert response.status_code == 422
    assert "122204" in response.context["form"].errors["q"][0]
    # a search that does not parse finds nothing, rather than every local government on file
    assert response.context["page_obj"].paginator.count == 0 and "流山市" not in response.content.decode()


def test_the_worklist_filters_by_a_recipient_typed_in_kana(client, officer, national):
    f.fiscal_year(2025)
    nagareyama = f.case(actor=officer, recipient=Recipient.objects.get(code="122203"))
    f.case(actor=officer, recipient=Recipient.objects.get(code="122076"))
    client.force_login(officer)
    response = client.get("/cases/", {"recipient_search": "ながれやま"})
    assert [case.pk for case in response.context["page_obj"]] == [nagareyama.pk]
    assert len(client.get("/cases/").context["page_obj"]) == 2
