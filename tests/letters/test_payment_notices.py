"""Payment notices: an executed run sends each recipient one 支払通知, all in the run's batch, once."""

import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from grants.models import Case, HistoryEntry
from letters.letter_texts import payment_wording
from letters.models import Letter, LetterBatch, LetterKind
from letters.services import payment_notices_issue
from payments.errors import RunTransitionNotAllowed
from payments.models import PaymentItem, PaymentPlanRule, ShareBase
from payments.services import payment_run_approve, payment_run_create, payment_run_execute
from payments.signals import payment_run_executed
from tests import factories as f
from tests.payments import factories as pf
from web.errors import Conflict

pytestmark = pytest.mark.django_db
RUN_ON = date(2024, 1, 29)  # FY2023 run ②: tranche ② and the prior-year settlements


def pdf_text(letter: Letter) -> str:
    """The letter's text as a reader's tool extracts it, NFKC-normalised and without white space."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext not found: install poppler-utils")
    text = subprocess.run(["pdftotext", letter.pdf.path, "-"], check=True, capture_output=True).stdout.decode()
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def notices(run_id: int):
    return Letter.objects.filter(kind=LetterKind.PAYMENT_NOTICE, basis__payment_run=run_id).order_by("recipient__code")


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(first_name="花子", last_name="山田"), "boss": f.supervisor()}


@pytest.fixture
def approved_run(people):
    """The run of 2024-01-29, approved: 川越市 gets tranche ② of FY2023 and its FY2022 settlement, 川口市 tranche ②."""
    pf.plan(2022, "initial_grant", ShareBase.AMOUNT, ("tranche_1", 75, date(2022, 10, 29)))  # no FY2022 plan shipped
    town, other = f.municipality(), f.municipality("112038", "川口市")
    pf.notified(**people, year=2022, amount=20_000_000, on=date(2022, 10, 1), recipient=town)
    pf.paid_run(date(2022, 10, 31), **people)  # 15,000,000 of FY2022
    pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19), recipient=town)
    pf.notified(**people, year=2023, amount=40_000_000, on=date(2023, 10, 19), recipient=other)
    pf.paid_run(date(2023, 10, 30), **people)  # the two ①
    pf.notified(
        **people, year=2023, amount=19_000_000, on=date(2024, 1, 19), procedure="prior_year_settlement", recipient=town
    )
    run = payment_run_create(actor=people["officer"], run_on=RUN_ON)
    return payment_run_approve(actor=people["boss"], run_id=run.pk)


@pytest.fixture
def executed_run(approved_run, people, django_capture_on_commit_callbacks):
    """The run executed; the notices are issued and drawn once the execution commits."""
    with django_capture_on_commit_callbacks(execute=True):
        return payment_run_execute(actor=people["officer"], run_id=approved_run.pk)


def test_executed_run_sends_one_notice_per_recipient_in_one_batch(executed_run):
    town_notice, other_notice = notices(executed_run.pk)
    assert [town_notice.recipient.code, other_notice.recipient.code] == ["112011", "112038"]
    assert town_notice.batch == other_notice.batch
    assert town_notice.batch.key == f"payment_notices/{executed_run.pk}"
    assert town_notice.status == other_notice.status == "rendered"
    assert town_notice.subject == "令和4年度及び令和5年度地域支援事業交付金の支払について（通知）"
    assert other_notice.subject == "令和5年度地域支援事業交付金の支払について（通知）"
    assert town_notice.content["items"] == [
        ["内訳", "金25,000,000円　令和5年度地域支援事業交付金当初交付　第2回（当初交付決定額の25％）"],
        ["内訳", "金4,000,000円　令和5年度地域支援事業交付金前年度確定（令和4年度分）　確定額と支払済額との差額"],
        ["支払額", "金29,000,000円"],
        ["支払日", "令和6年1月29日（月）"],
    ]


def test_notice_is_filed_on_the_first_case_and_names_every_case_and_item(executed_run):
    town_notice = notices(executed_run.pk).first()
    items = list(PaymentItem.objects.filter(run=executed_run, recipient=town_notice.recipient).order_by("due_on", "pk"))
    cases = list(dict.fromkeys(item.case_id for item in items))
    assert len(cases) == 2 and town_notice.case_id == cases[0]
    assert town_notice.basis == {
        "payment_run": executed_run.pk,
        "run_on": "2024-01-29",
        "cases": cases,
        "items": [
            {"item": item.pk, "case": item.case_id, "budget_year": item.budget_year, "basis": item.basis,
             "amount": item.amount}
            for item in items
        ],
        "total": 29_000_000,
    }
    execution = HistoryEntry.objects.get(subject_type="payment_run", subject_id=str(executed_run.pk), action="execute")
    assert town_notice.history_entry == execution
    records = HistoryEntry.objects.filter(subject_type="letter", subject_id=str(town_notice.pk))
    issued = records.get(action="letter_issue")
    assert issued.actor.username == "system" and issued.data["trigger"] == execution.pk
    assert issued.data["batch"] == town_notice.batch_id
    assert records.filter(action="letter_render").exists()


def test_rendered_notice_reads_right(executed_run):
    town_notice = notices(executed_run.pk).first()
    text = pdf_text(town_notice)
    for expected in (
        town_notice.document_number,
        "川越市長殿",
        "令和4年度及び令和5年度地域支援事業交付金の支払について(通知)",
        "令和6年1月29日(月)に支払うこととしたので通知します",
        "第2回(当初交付決定額の25%)",
        "前年度確定(令和4年度分)",
        "金29,000,000円",
        "担当者:山田花子",
    ):
        assert unicodedata.normalize("NFKC", expected) in text, expected


def test_the_run_notices_download_as_one_pdf_or_a_zip(executed_run, people, api):
    batch = notices(executed_run.pk).first().batch
    api.force_authenticate(people["officer"])
    merged = api.get(f"/api/letter-batches/{batch.pk}.pdf")
    assert merged.status_code == 200 and len(PdfReader(io.BytesIO(merged.content)).pages) == 2
    archive = zipfile.ZipFile(io.BytesIO(api.get(f"/api/letter-batches/{batch.pk}.zip").content))
    assert sorted(archive.namelist()) == ["112011_川越市.pdf", "112038_川口市.pdf"]


def test_issuing_again_or_executing_again_sends_no_second_notice(
    executed_run, people, django_capture_on_commit_callbacks
):
    sent = list(notices(executed_run.pk).values_list("pk", flat=True))
    records = HistoryEntry.objects.filter(subject_type="letter").count()
    batch = payment_notices_issue(run_id=executed_run.pk)
    with pytest.raises(RunTransitionNotAllowed), django_capture_on_commit_callbacks(execute=True):
        payment_run_execute(actor=people["officer"], run_id=executed_run.pk)
    assert list(notices(executed_run.pk).values_list("pk", flat=True)) == sent
    assert batch.letters.count() == 2 and LetterBatch.objects.filter(key__startswith="payment_notices/").count() == 1
    assert HistoryEntry.objects.filter(subject_type="letter").count() == records


def test_an_approved_run_has_no_notices(approved_run):
    assert not Letter.objects.filter(kind=LetterKind.PAYMENT_NOTICE).exists()
    with pytest.raises(Conflict):
        payment_notices_issue(run_id=approved_run.pk)
    assert not LetterBatch.objects.exists()


def test_notices_that_fail_leave_the_execution_standing_and_are_logged(
    approved_run, people, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*, run_id):
        raise RuntimeError("storage unavailable")

    monkeypatch.setattr("letters.receivers.payment_notices_issue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        run = payment_run_execute(actor=people["officer"], run_id=approved_run.pk)
    assert run.state == "executed" and not notices(run.pk).exists()
    assert f"Payment notices of payment run {run.pk} were not issued" in caplog.text


# ---------------------------------------------------------------- wording of unsaved items


def _item(
    procedure: str, basis: str, amount: int, *, year: int = 2025, budget_year: int | None = None,
    stream: str = "community_support_grant", part: str = "",
) -> PaymentItem:
    case = Case(fiscal_year_id=year, stream=stream, part=part, procedure=procedure)
    return PaymentItem(case=case, basis=basis, amount=amount, budget_year=budget_year or year)


def _rule(base: str, percent: int) -> PaymentPlanRule:
    return PaymentPlanRule(base=base, percent=percent)


def test_a_single_full_payment_has_no_tranche_number():
    wording = payment_wording(
        paid_on=date(2026, 3, 31),
        lines=[(_item("initial_grant", "tranche_1", 1_000_001), _rule(ShareBase.AMOUNT, 100))],
    )
    assert wording.subject == "令和7年度地域支援事業交付金の支払について（通知）"
    assert wording.items[0] == ("内訳", "金1,000,001円　令和7年度地域支援事業交付金当初交付　当初交付決定額の全額")
    assert len(wording.body_paragraphs) == 1  # no sum to explain


def test_a_change_tranche_and_an_unplanned_item_say_what_they_are_shares_of():
    wording = payment_wording(
        paid_on=date(2024, 3, 25),
        lines=[
            (_item("change_grant", "tranche_3_change", 15_000_000, year=2023), _rule(ShareBase.INCREASE, 75)),
            (_item("past_year_resettlement", "resettlement", 2_500_000, year=2023, budget_year=2021), None),
        ],
    )
    assert wording.items[0][1] == (
        "金15,000,000円　令和5年度地域支援事業交付金変更交付　第3回（変更交付決定額と変更前の交付決定額との差額の75％）"
    )
    assert wording.items[1][1] == (
        "金2,500,000円　令和5年度地域支援事業交付金過年度再確定（令和3年度分）　再確定額と支払済額との差額"
    )
    assert wording.subject == "令和3年度及び令和5年度地域支援事業交付金の支払について（通知）"
    assert wording.items[2] == ("支払額", "金17,500,000円")


def test_more_than_two_budget_years_are_named_by_the_latest_and_nado():
    wording = payment_wording(
        paid_on=date(2024, 1, 29),
        lines=[
            (_item("initial_grant", "tranche_2", 25_000_000, year=2023), _rule(ShareBase.AMOUNT, 25)),
            (_item("prior_year_settlement", "settlement_remainder", 4_000_000, year=2023, budget_year=2022), None),
            (_item("past_year_resettlement", "resettlement", 2_500_000, year=2023, budget_year=2021), None),
        ],
    )
    assert wording.subject == "令和5年度地域支援事業交付金等の支払について（通知）"
    assert wording.items[3] == ("支払額", "金31,500,000円")


def test_payments_of_several_streams_name_the_first_and_add_nado():
    wording = payment_wording(
        paid_on=date(2024, 3, 25),
        lines=[
            (_item("initial_grant", "tranche_1", 3_000, year=2023, stream="medical_care_fund", part="personnel"), None),
            (_item("adjustment_grant", "adjustment_grant", 2_000, year=2023), _rule(ShareBase.AMOUNT, 100)),
        ],
    )
    assert wording.subject == "令和5年度地域支援事業交付金等の支払について（通知）"


# ---------------------------------------------------------------- committed for real


def test_the_hook_issues_the_notices_once_the_execution_really_commits(live_db, people):
    pf.payment_item(officer=people["officer"], amount=5_000, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=people["officer"], run_on=date(2025, 7, 31))
    payment_run_approve(actor=people["boss"], run_id=run.pk)
    payment_run_execute(actor=people["officer"], run_id=run.pk)
    (notice,) = notices(run.pk)
    assert notice.status == "rendered" and notice.content["items"][-2] == ["支払額", "金5,000円"]


def test_two_callers_at_once_send_each_notice_once(live_db, people, monkeypatch, at_once):
    monkeypatch.setattr(payment_run_executed, "receivers", [])  # the two callers below are the only ones
    for n in range(3):
        recipient = f.town(n)
        pf.payment_item(officer=people["officer"], amount=1_000 + n, due_on=date(2025, 7, 1), recipient=recipient)
    run = pf.paid_run(date(2025, 7, 31), **people)
    batches = at_once(lambda: payment_notices_issue(run_id=run.pk).pk, 2)
    assert len(batches) == 2 and batches[0] == batches[1]
    assert notices(run.pk).count() == 3
    assert HistoryEntry.objects.filter(action="letter_issue").count() == 3

