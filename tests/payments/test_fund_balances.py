"""Fund balances add up within a year and join from one year to the next, or the import writes nothing."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from grants.limits import MAX_YEN
from grants.models import HistoryEntry
from payments.errors import ARITHMETIC_MESSAGE, DISCONTINUITY_MESSAGE, FundBalanceArithmetic, FundBalanceDiscontinuity
from payments.models import FundBalance
from payments.services import FundBalanceRow, fund_balance_import
from tests import factories as f
from web.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

HEADER = "prefecture,fiscal_year,opening,national_contribution,prefectural_contribution,interest,spending,closing"


def row(year, opening, closing=None, *, prefecture="11", national=600, prefectural=300, interest=7, spending=500):
    closing = opening + national + prefectural + interest - spending if closing is None else closing
    return FundBalanceRow(prefecture, year, opening, national, prefectural, interest, spending, closing)


@pytest.fixture
def boss():
    for code in ("11", "12"):
        f.prefecture(code)
    for year in (2022, 2023, 2024):
        f.fiscal_year(year)
    return f.supervisor()


def test_a_continuous_import_is_recorded_with_one_history_record(boss):
    written = fund_balance_import(actor=boss, rows=[row(2022, 1_000), row(2023, 1_407), row(2024, 1_814)])
    assert [b.closing for b in written] == [1_407, 1_814, 2_221]
    assert HistoryEntry.objects.filter(action="fund_balance_import").count() == 1


def test_a_break_between_years_is_refused_naming_the_prefecture_and_years_and_nothing_is_written(boss):
    with pytest.raises(FundBalanceDiscontinuity) as refused:
        fund_balance_import(actor=boss, rows=[row(2022, 1_000, prefecture="12"), row(2022, 1_000), row(2023, 1_400)])
    assert refused.value.message == DISCONTINUITY_MESSAGE.format(
        prefecture="埼玉県 (11)", year=2022, next_year=2023, closing=1_407, opening=1_400
    )
    assert refused.value.details["breaks"] == [
        {"prefecture": "11", "fiscal_year": 2022, "closing": 1_407, "next_fiscal_year": 2023, "next_opening": 1_400}
    ]
    assert not FundBalance.objects.exists()
    assert not HistoryEntry.objects.filter(action="fund_balance_import").exists()


def test_a_break_with_a_year_already_on_file_is_refused(boss):
    fund_balance_import(actor=boss, rows=[row(2023, 1_000)])
    with pytest.raises(FundBalanceDiscontinuity):
        fund_balance_import(actor=boss, rows=[row(2022, 500)])  # its closing, 907, is not 2023's opening 1,000
    with pytest.raises(FundBalanceDiscontinuity):
        fund_balance_import(actor=boss, rows=[row(2024, 1_406)])  # 2023 closed at 1,407
    assert FundBalance.objects.count() == 1


def test_amounts_above_the_yen_ceiling_are_refused(boss):
    with pytest.raises(InvalidInput):
        fund_balance_import(actor=boss, rows=[row(2023, MAX_YEN + 1, national=0, prefectural=0, interest=0, spending=0)])
    assert not FundBalance.objects.exists()


def test_a_year_that_does_not_add_up_is_refused(boss):
    with pytest.raises(FundBalanceArithmetic) as refused:
        fund_balance_import(actor=boss, rows=[row(2023, 1_000, closing=1_408)])
    assert refused.value.message == ARITHMETIC_MESSAGE.format(
        prefecture="埼玉県 (11)", year=2023, expected=1_407, closing=1_408
    )


def test_the_database_refuses_a_year_that_does_not_add_up(boss):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundBalance.objects.create(
            prefecture=f.prefecture("11"), fiscal_year_id=2023, opening=1, national_contribution=0,
            prefectural_contribution=0, interest=0, spending=0, closing=2, recorded_by=boss,
        )


def test_reimporting_the_same_figures_writes_nothing(boss):
    fund_balance_import(actor=boss, rows=[row(2023, 1_000)])
    assert fund_balance_import(actor=boss, rows=[row(2023, 1_000)]) == []
    assert HistoryEntry.objects.filter(action="fund_balance_import").count() == 1


def test_officers_import_for_their_prefectures_only(boss):
    fund_officer = f.officer(streams=("medical_care_fund",), prefectures=("11",))
    assert len(fund_balance_import(actor=fund_officer, rows=[row(2023, 1_000)])) == 1
    with pytest.raises(PermissionDenied):
        fund_balance_import(actor=fund_officer, rows=[row(2023, 1_000, prefecture="12")])
    with pytest.raises(PermissionDenied):
        fund_balance_import(actor=f.auditor(), rows=[row(2024, 1_407)])


def test_the_command_imports_a_csv_excel_wrote(boss, tmp_path):
    path = tmp_path / "balances.csv"
    path.write_text(
        f"{HEADER}\n11,2022,\"1,000\",600,300,7,500,\"1,407\"\n11,2023,1407,600,300,7,500,1814\n", encoding="utf-8-sig"
    )
    call_command("import_fund_balances", str(path), "--user", boss.username)
    assert list(FundBalance.objects.values_list("fiscal_year_id", "closing")) == [(2022, 1_407), (2023, 1_814)]


def test_the_command_refuses_a_break_and_names_it(boss, tmp_path):
    path = tmp_path / "balances.csv"
    path.write_text(f"{HEADER}\n11,2022,1000,600,300,7,500,1407\n11,2023,1400,600,300,7,500,1807\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"fund_balance_discontinuity: 埼玉県 \(11\).*2022.*2023"):
        call_command("import_fund_balances", str(path), "--user", boss.username)
    assert not FundBalance.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (f"{HEADER}\n11,2022,1000,600,300,7,500,abc\n", "line 2: closing must be a whole number"),
        (f"{HEADER}\n11,2022,1000²,600,300,7,500,1407\n", "line 2: opening must be a whole number"),
        (f"{HEADER}\n\n11,2022,1000,600,300,7,500,1407\n\n11,2023,1407,600,300,7,500,x\n", "line 5: closing must be"),
        ("prefecture,fiscal_year\n11,2022\n", "missing column"),
        (f"{HEADER}\n", "no rows"),
        (f"{HEADER}\n99,2022,1000,600,300,7,500,1407\n", "invalid_input: .*登録されていない都道府県コード：99"),
        (f"{HEADER}\n11,2031,1000,600,300,7,500,1407\n", "invalid_input: .*設定されていない年度：\\[2031\\]"),
        (f"{HEADER}\n11,99999999999999999999,1000,600,300,7,500,1407\n", "invalid_input: .*設定されていない年度"),
        (f"{HEADER}\n11,2022,{10**20},0,0,0,0,{10**20}\n", "invalid_input: .*金額は0円から"),
        (f"{HEADER}\n11,2022,{'9' * 5000},0,0,0,0,1\n", "line 2: opening must be a whole number"),
        (f'{HEADER}\n11,2022,"1000,600,300,7,500,1407\n' + "11,2023,1,1,1,1,1,3\n" * 8000, "cannot read the file"),
    ],
)
def test_the_command_names_what_it_cannot_read(boss, tmp_path, content, message):
    path = tmp_path / "balances.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=f"(?s){message}"):  # the places a refusal names follow on lines of their own
        call_command("import_fund_balances", str(path), "--user", boss.username)
