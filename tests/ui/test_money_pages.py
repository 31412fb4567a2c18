"""Return claims (返還金) and fund balances (基金残高): read-only pages for supervisors and auditors,
in their menu, with interest as of today and a constant number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments.models import ReturnClaim
from payments.services import FundBalanceRow, fund_balance_import, return_claim_payment_record
from tests import factories as f
from tests.payments import factories as pf
from tests.ui.html import table_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor(), "auditor": f.auditor()}


def revoked_claim(people) -> ReturnClaim:
    """FY2023's 10,000,000 grant, 7,500,000 of it paid, revoked on 2024-03-01: a claim due 2024-04-01 (see tests/payments)."""
    officer, boss = people["officer"], people["boss"]
    case = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.paid_run(date(2024, 1, 29), officer=officer, boss=boss)
    pf.revoked(case, boss, today=date(2024, 3, 1), reason="補助目的外への使用", legal_basis="art_17_1")
    return ReturnClaim.objects.get()


def test_return_claims_show_principal_interest_as_of_today_balance_and_due_date(client, people, today):
    claim = revoked_claim(people)
    return_claim_payment_record(actor=people["officer"], claim_id=claim.pk, amount=3_000_000, paid_on=date(2024, 4, 1))
    today(date(2024, 5, 1))
    for reader in (people["boss"], people["auditor"]):
        client.force_login(reader)
        body = client.get("/return-claims/").content.decode()
        assert "令和6年5月1日現在" in body
        [row] = table_rows(body)
        assert row["交付先"] == "川越市" and "交付決定の取消" in row["事業・年度と返還理由"]
        assert row["納期限"].startswith("令和6年4月1日（月） 期限超過")
        # Hand-computed in tests/payments/test_return_claims.py: 加算金 321,000 and 延滞金 40,500 on 2024-05-01.
        assert (row["返還額（元金）"], row["加算金"], row["延滞金"]) == ("7,500,000円", "321,000円", "40,500円")
        assert (row["納付済額"], row["未納額"]) == ("3,000,000円", "4,861,500円")
        assert "row--overdue" in row["_class"]


def test_fund_balances_per_prefecture_and_year_with_filters(client, people):
    f.prefecture("11")
    f.prefecture("12")
    for year in (2023, 2024):
        f.fiscal_year(year)
    fund_balance_import(
        actor=people["boss"],
        rows=[
            FundBalanceRow("11", 2023, 1_000, 600, 300, 7, 500, 1_407),
            FundBalanceRow("11", 2024, 1_407, 600, 300, 7, 500, 1_814),
            FundBalanceRow("12", 2023, 2_000, 600, 300, 7, 500, 2_407),
        ],
    )
    client.force_login(people["auditor"])
    rows = table_rows(client.get("/fund-balances/").content.decode())
    assert [(row["都道府県"], row["年度"], row["期首残高"], row["期末残高"]) for row in rows] == [
        ("埼玉県", "令和5年度", "1,000円", "1,407円"),
        ("埼玉県", "令和6年度", "1,407円", "1,814円"),
        ("千葉県", "令和5年度", "2,000円", "2,407円"),
    ]
    assert rows[0]["国の積立額"] == "600円" and rows[0]["都道府県の積立額"] == "300円"
    assert rows[0]["運用益"] == "7円" and rows[0]["取崩額"] == "500円"
    only = table_rows(client.get("/fund-balances/?prefecture=12&fiscal_year=2023").content.decode())
    assert [row["都道府県"] for row in only] == ["千葉県"]


def test_the_menu_links_the_money_pages_for_supervisors_and_auditors_only(client, people):
    for user, shown in ((people["boss"], True), (people["auditor"], True), (people["officer"], False)):
        client.force_login(user)
        body = client.get("/dashboard/").content.decode()
        assert ('href="/return-claims/"' in body, 'href="/fund-balances/"' in body) == (shown, shown), user
    client.force_login(people["boss"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/return-claims/"})
    body = client.get("/return-claims/").content.decode()
    assert ">Return claims</a>" in body and ">Fund balances</a>" in body and "There are no return claims." in body


def test_the_money_pages_do_not_issue_more_queries_for_more_rows(client, people):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.force_login(people["boss"])
    case = f.case(actor=people["officer"])
    claim = dict(case=case, recipient=case.recipient, budget_year=2025, reason="revocation", principal=1_000,
                 noticed_on=date(2025, 6, 2), due_on=date(2025, 6, 30), surcharge_applies=True, created_by=people["boss"])
    ReturnClaim.objects.create(**claim)
    f.fiscal_year(2023)
    f.prefecture("11")
    fund_balance_import(actor=people["boss"], rows=[FundBalanceRow("11", 2023, 1_000, 600, 300, 7, 500, 1_407)])
    small = [queries("/return-claims/"), queries("/fund-balances/")]
    ReturnClaim.objects.bulk_create([ReturnClaim(**claim) for _ in range(20)])
    f.prefecture("12")
    fund_balance_import(actor=people["boss"], rows=[FundBalanceRow("12", 2023, 2_000, 600, 300, 7, 500, 2_407)])
    assert [queries("/return-claims/"), queries("/fund-balances/")] == small
