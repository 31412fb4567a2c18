"""The national list of local governments: the shipped file, its codes' check digits, and the loader
that adds, renames, retires and reinstates recipients without ever deleting one."""

import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from grants.history import history_verify
from grants.local_governments import (
    COLUMNS,
    check_digit,
    code_is_valid,
    local_governments_read,
    municipality_type_of,
)
from grants.models import HistoryEntry, MunicipalityType, Recipient
from grants.recipients import local_governments_load
from grants.roles import system_user
from tests import factories as f
from web.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- the check digit


@pytest.mark.parametrize(
    "code, name",
    [
        ("122203", "流山市"),  # sum 30, remainder 8 → 3
        ("131016", "千代田区"),  # sum 27, remainder 5 → 6
        ("011002", "札幌市"),  # sum 9, remainder 9 → 2
        ("012131", "苫小牧市"),  # sum 22, remainder 0 → 11 → 1
        ("082350", "つくばみらい市"),  # sum 67, remainder 1 → 10 → 0
        ("204072", "阿智村"),
    ],
)
def test_known_codes_carry_their_check_digit(code, name):
    assert code_is_valid(code)
    assert check_digit(code[:5]) == int(code[5])
    assert {row.code: row.name_ja for row in local_governments_read()}[code] == name


@pytest.mark.parametrize("code", ["122204", "131010", "012130", "082351", "12220", "1222033", "482203", "00100x"])
def test_a_wrong_check_digit_or_shape_is_not_a_municipality_code(code):
    assert not code_is_valid(code)


def test_municipality_types_follow_the_code_and_the_name():
    assert municipality_type_of("131016", "千代田区") == MunicipalityType.SPECIAL_WARD
    assert municipality_type_of("141500", "相模原市") == MunicipalityType.DESIGNATED_CITY
    assert municipality_type_of("122203", "流山市") == MunicipalityType.CITY
    assert municipality_type_of("093611", "壬生町") == MunicipalityType.TOWN
    assert municipality_type_of("204072", "阿智村") == MunicipalityType.VILLAGE
    with pytest.raises(ValueError, match="neither a town"):
        municipality_type_of("123456", "何某")


# ---------------------------------------------------------------- the shipped file


def test_the_shipped_file_holds_every_local_government_in_japan():
    rows = local_governments_read()
    kinds = Counter(row.kind for row in rows)
    assert kinds == {"prefecture": 47, "municipality": 1741, "wide_area_union": 47}
    municipalities = [row for row in rows if row.kind == "municipality"]
    assert all(code_is_valid(row.code) for row in municipalities)
    assert Counter(row.municipality_type for row in municipalities) == {
        "city": 772, "designated_city": 20, "special_ward": 23, "town": 743, "village": 183,
    }
    assert {row.code for row in rows if row.kind == "prefecture"} == {f"{n:02d}" for n in range(1, 48)}
    assert Counter(row.prefecture_code for row in rows if row.kind == "wide_area_union") == {f"{n:02d}": 1 for n in range(1, 48)}
    assert sum(row.prefecture_code == "20" for row in municipalities) == 77  # 長野県
    assert all(row.name_kana for row in rows)
    assert all(set(row.name_kana) <= {chr(c) for c in range(ord("ァ"), ord("ヺ") + 1)} | {"ー"} for row in rows)


def test_the_shipped_file_names_its_wards_and_designated_cities():
    rows = {row.code: row for row in local_governments_read()}
    assert (rows["122203"].name_ja, rows["122203"].name_kana, rows["122203"].municipality_type) == ("流山市", "ナガレヤマシ", "city")
    assert rows["131016"].municipality_type == "special_ward"
    assert rows["141500"].name_ja == "相模原市" and rows["141500"].municipality_type == "designated_city"
    assert "011011" not in rows  # 札幌市中央区: a ward of a designated city is not a local government
    assert rows["12-wau"].name_ja == "千葉県後期高齢者医療広域連合" and rows["12-wau"].prefecture_code == "12"
    assert rows["12"].name_en == "Chiba" and rows["122203"].name_en == "Nagareyama-shi"


# ---------------------------------------------------------------- loading


def write(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join([",".join(COLUMNS), *[",".join(row) for row in rows]]) + "\n", encoding="utf-8")
    return path


CHIBA = ["12", "prefecture", "", "12", "千葉県", "チバケン", "Chiba"]
NAGAREYAMA = ["122203", "municipality", "city", "12", "流山市", "ナガレヤマシ", "Nagareyama-shi"]
MATSUDO = ["122076", "municipality", "city", "12", "松戸市", "マツドシ", "Matsudo-shi"]
KAMAGAYA = ["122246", "municipality", "city", "12", "鎌ケ谷市", "カマガヤシ", "Kamagaya-shi"]


def test_loading_the_shipped_file_twice_adds_everything_once_and_records_once():
    first = local_governments_load(actor=system_user())
    assert len(first.added) == 1835 and first.unchanged == 0
    assert Recipient.objects.count() == 1835
    assert Recipient.objects.filter(prefecture_code="20", kind="municipality").count() == 77
    nagareyama = Recipient.objects.get(code="122203")
    assert (nagareyama.name_ja, nagareyama.name_kana, nagareyama.addressee_ja) == ("流山市", "ナガレヤマシ", "流山市長　殿")
    # A prefecture the bureau serves carries its division head (grants/data/prefecture_addressees.csv).
    assert Recipient.objects.get(code="12").addressee_ja == "千葉県健康福祉部高齢者福祉課長　殿"
    assert Recipient.objects.get(code="01").addressee_ja == "北海道介護保険主管部（局）長　殿"
    records = HistoryEntry.objects.filter(action="local_governments_load")
    assert records.count() == 1 and len(records.get().data["added"]) == 1835

    second = local_governments_load(actor=system_user())
    assert not second.changed and second.unchanged == 1835
    assert records.count() == 1
    assert history_verify().ok


def test_a_load_renames_retires_reinstates_and_never_deletes(tmp_path, today):
    today(date(2027, 4, 1))
    officer = f.officer(prefectures=("12",))
    write(tmp_path / "v1.csv", [CHIBA, NAGAREYAMA, MATSUDO, ["122246", "municipality", "city", "12", "鎌ヶ谷市", "カマガヤシ", ""]])
    local_governments_load(actor=system_user(), path=tmp_path / "v1.csv")
    case = f.case(actor=officer, recipient=Recipient.objects.get(code="122076"))

    write(tmp_path / "v2.csv", [CHIBA, NAGAREYAMA, KAMAGAYA, ["12-wau", "wide_area_union", "", "12", "千葉県後期高齢者医療広域連合", "チバケンコウキコウレイシャイリョウコウイキレンゴウ", ""]])
    report = local_governments_load(actor=system_user(), path=tmp_path / "v2.csv")
    assert report.added == ["12-wau"]
    assert report.renamed == [("122246", "鎌ヶ谷市", "鎌ケ谷市")]
    assert report.retired == ["122076"] and report.reinstated == [] and report.unchanged == 2
    kamagaya = Recipient.objects.get(code="122246")
    assert kamagaya.name_en == "Kamagaya-shi" and kamagaya.addressee_ja == "鎌ケ谷市長　殿"
    matsudo = Recipient.objects.get(code="122076")  # retired: kept, with its case, marked with the day
    assert matsudo.retired_on == date(2027, 4, 1) and not matsudo.is_active
    assert list(matsudo.cases.all()) == [case]
    record = HistoryEntry.objects.filter(action="local_governments_load").last()
    assert record.data["renamed"] == [{"code": "122246", "from": "鎌ヶ谷市", "to": "鎌ケ谷市"}]
    assert record.data["retired"] == ["122076"] and record.actor.username == "system"

    again = local_governments_load(actor=system_user(), path=tmp_path / "v2.csv")
    assert not again.changed and Recipient.objects.get(code="122076").retired_on == date(2027, 4, 1)

    report = local_governments_load(actor=system_user(), path=tmp_path / "v1.csv")
    assert report.reinstated == ["122076"] and report.retired == ["12-wau"]
    assert Recipient.objects.get(code="122076").is_active
    assert Recipient.objects.count() == 5
    assert history_verify().ok


def test_a_load_keeps_an_addressee_the_bureau_wrote_itself(tmp_path):
    write(tmp_path / "v1.csv", [CHIBA, ["122246", "municipality", "city", "12", "鎌ヶ谷市", "カマガヤシ", ""]])
    local_governments_load(actor=system_user(), path=tmp_path / "v1.csv")
    Recipient.objects.filter(code="122246").update(addressee_ja="鎌ヶ谷市健康福祉部長　殿")
    write(tmp_path / "v2.csv", [CHIBA, KAMAGAYA])
    local_governments_load(actor=system_user(), path=tmp_path / "v2.csv")
    assert Recipient.objects.get(code="122246").addressee_ja == "鎌ヶ谷市健康福祉部長　殿"


@pytest.mark.parametrize(
    "row, problem",
    [
        (["122204", "municipality", "city", "12", "流山市", "ナガレヤマシ", ""], "line 3: 122204: wrong check digit (expected 3)"),
        (["122203", "municipality", "metropolis", "12", "流山市", "ナガレヤマシ", ""], "unknown municipality type"),
        (["122203", "municipality", "city", "13", "流山市", "ナガレヤマシ", ""], "not in prefecture '13'"),
        (["12", "prefecture", "", "12", "千葉県", "チバケン", "Chiba"], "12 appears twice"),
        (["122203", "town hall", "", "12", "流山市", "", ""], "unknown kind"),
    ],
)
def test_a_bad_file_is_refused_whole_naming_the_line(tmp_path, row, problem):
    f.prefecture("11")
    with pytest.raises(InvalidInput) as refused:
        local_governments_load(actor=system_user(), path=write(tmp_path / "bad.csv", [CHIBA, row]))
    assert problem in str(refused.value.message)
    assert list(Recipient.objects.values_list("code", flat=True)) == ["11"]  # nothing added, nothing retired
    assert not HistoryEntry.objects.exists()


def test_only_administrators_and_the_command_line_load_master_data(tmp_path):
    with pytest.raises(PermissionDenied):
        local_governments_load(actor=f.officer(), path=write(tmp_path / "v1.csv", [CHIBA]))
    admin = f.UserFactory(role="administrator")
    assert local_governments_load(actor=admin, path=tmp_path / "v1.csv").added == ["12"]


def test_the_command_reports_what_it_added_renamed_and_retired(tmp_path):
    write(tmp_path / "v1.csv", [CHIBA, MATSUDO, ["122246", "municipality", "city", "12", "鎌ヶ谷市", "カマガヤシ", ""]])
    out = io.StringIO()
    call_command("load_local_governments", str(tmp_path / "v1.csv"), stdout=out)
    assert "added: 3" in out.getvalue() and "+ 122076 松戸市" in out.getvalue()
    write(tmp_path / "v2.csv", [CHIBA, NAGAREYAMA, KAMAGAYA])
    out = io.StringIO()
    call_command("load_local_governments", str(tmp_path / "v2.csv"), stdout=out)
    lines = out.getvalue().splitlines()
    assert "  + 122203 流山市" in lines
    assert "renamed: 122246 鎌ヶ谷市 → 鎌ケ谷市" in lines
    assert any(line.startswith("retired: 122076 松戸市") for line in lines)
    assert lines[-1] == "v2.csv: 1 added, 1 renamed, 0 updated, 1 retired, 0 reinstated, 1 unchanged"
    out = io.StringIO()
    call_command("load_local_governments", str(tmp_path / "v2.csv"), stdout=out)
    assert out.getvalue().splitlines() == ["v2.csv: 0 added, 0 renamed, 0 updated, 0 retired, 0 reinstated, 3 unchanged"]


def test_the_command_stops_on_a_missing_or_bad_file(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("load_local_governments", str(tmp_path / "missing.csv"))
    (tmp_path / "bad.csv").write_text("code,name\n12,千葉県\n", encoding="utf-8")
    with pytest.raises(CommandError, match="the header must be"):
        call_command("load_local_governments", str(tmp_path / "bad.csv"))
    assert not Recipient.objects.exists()

