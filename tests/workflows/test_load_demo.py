"""The demo loader builds a realistic, audited database and is safe to run twice."""

from datetime import date

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from grants import demo
from grants.history import _chain_rows, history_verify
from grants.local_governments import code_is_valid
from grants.models import Case, Recipient
from payments.models import FundBalance, PaymentRun
from tests.budget_ledger import assert_ledger_agrees
from tests.grants import history_reference as reference

pytestmark = pytest.mark.django_db


def test_load_demo_twice_builds_once_and_keeps_the_chain(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("load_demo", verbosity=0)
    assert_ledger_agrees()  # its acts go through the transition service, which keeps the budget ledger
    cases = Case.objects.count()
    assert Recipient.objects.filter(kind="prefecture").count() == 47
    assert Recipient.objects.filter(kind="municipality").count() == 1741
    demo_recipients = Recipient.objects.filter(cases__isnull=False).distinct()
    assert set(demo_recipients.values_list("prefecture_code", flat=True)) == set(settings.BUREAU_PREFECTURES)
    assert all(code_is_valid(r.code) for r in demo_recipients.filter(kind="municipality"))
    assert demo_recipients.filter(kind="municipality").count() == len(demo.DEMO_MUNICIPALITIES) == 103
    assert cases > 200
    assert set(Case.objects.values_list("fiscal_year", flat=True)) == {2023, 2025, 2026}
    assert Case.objects.filter(state="drafted").exists() and Case.objects.filter(state="notified").exists()
    assert set(PaymentRun.objects.values_list("state", flat=True)) == {"executed"}
    # the fund's demand surveys: FY2025's accepted beside FY2025's fund balances, FY2026's under way
    surveys = Case.objects.filter(procedure="demand_survey")
    funds = FundBalance.objects.filter(fiscal_year=2025)
    assert surveys.filter(fiscal_year=2025, state="accepted").count() == 2 * funds.count() > 0
    assert {"requested", "submitted", "under_review", "accepted"} <= set(surveys.filter(fiscal_year=2026).values_list("state", flat=True))
    assert all(case.amounts_expected for case in surveys.filter(fiscal_year=2025))
    call_command("load_demo", verbosity=0)
    assert Case.objects.count() == cases
    assert history_verify().ok
    # Every record of the demo hashes as the first form hashed it (orjson writes the text where it gives json's bytes).
    assert list(_chain_rows()) == list(reference.chain_rows())
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    # django-axes counts sign-ins per request, so authenticate() is always given one.
    sign_in = RequestFactory().post("/login/")
    assert authenticate(sign_in, username="officer1", password="demo-pass-for-tests") is not None


def test_load_demo_without_a_password_stops_with_a_message(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("load_demo", verbosity=0)


def test_demo_fy2023_cases_stand_as_they_did_on_their_days(monkeypatch):
    from datetime import datetime, time

    from django.utils import timezone

    from grants.history import history_verify
    from workflows.selectors import case_as_of

    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("load_demo", verbosity=0)
    case = Case.objects.filter(fiscal_year=2023, procedure="initial_grant").order_by("pk").first()
    end_of_year = datetime.combine(datetime(2024, 3, 31).date(), time.max, tzinfo=timezone.get_default_timezone())
    snapshot = case_as_of(case=case, moment=end_of_year)
    notice = case.determinations.get(notified_on__isnull=False)
    assert str(notice.notified_on) == "2023-10-19"
    assert snapshot["state"] == "notified" and snapshot["amounts"]["current"] == notice.amount
    before = datetime.combine(datetime(2023, 7, 30).date(), time.max, tzinfo=timezone.get_default_timezone())
    assert case_as_of(case=case, moment=before) is None  # the case began with its request on 2023-07-31
    request = case.letters.get(kind="request")
    assert str(request.issued_on) == "2023-07-31" and request.basis["recorded_later"] is True
    assert history_verify().ok


def test_demo_community_support_papers_carry_the_day_the_prefecture_received_them(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("load_demo", verbosity=0)
    # papers of an application (a pre-consultation's papers record no prefecture day)
    routed = Case.objects.filter(stream="community_support_grant", submitted_on__isnull=False, amount_requested__isnull=False)
    assert routed.filter(fiscal_year=2023).exists() and routed.filter(fiscal_year=2025).exists()
    assert not routed.filter(prefecture_received_on__isnull=True).exists()
    assert all(0 < (c.submitted_on - c.prefecture_received_on).days <= 7 for c in routed)
    # the fund's prefectures and the unions send their papers straight to the bureau
    assert not Case.objects.exclude(stream="community_support_grant").filter(prefecture_received_on__isnull=False).exists()
    assert history_verify().ok


def test_demo_dates_run_forward_papers_are_received_after_the_request_that_asked_for_them(monkeypatch):
    """Every demo case's acts take place in order, and the day papers were received (書類受理日) is never before
    the act that came before them (the request): FY2025's and FY2026's requests were once recorded on the day the
    demo was loaded, after papers received months earlier."""
    from collections import defaultdict

    from grants.models import HistoryEntry
    from grants.selectors import history_entry_day

    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("load_demo", verbosity=0)
    acts = defaultdict(list)
    for entry in HistoryEntry.objects.filter(case__isnull=False).exclude(action="create").order_by("pk"):
        acts[entry.case_id].append(entry)
    backwards, received_early = [], []
    for case_id, entries in acts.items():
        days = [history_entry_day(entry) for entry in entries]
        backwards += [(case_id, entry.action) for entry, day, before in zip(entries[1:], days[1:], days) if day < before]
        for entry, before in zip(entries[1:], days):
            received = (entry.data.get("fields") or {}).get("date") if entry.action.startswith("submit") else None
            if received and date.fromisoformat(received) < before:
                received_early.append((case_id, entry.action, received, before))
    assert not received_early, received_early[:5]
    assert not backwards, backwards[:5]
    surveys = Case.objects.filter(fiscal_year=2026, procedure="demand_survey", submitted_on__isnull=False)
    assert surveys.exists()


def test_demo_budget_notices_are_realistic_and_one_draft_in_the_queue_meets_its_ceiling(monkeypatch):
    """The demo's notices (支出負担行為示達) cover the decisions it approved, in the scale of those decisions, each
    with its own number (老発MMDD第N号, dated a few days before it arrived) and recorded in the order they came;
    a fund draft in the approval queue passes its ceiling, and the supervisor's approval is refused."""
    import re

    from grants.models import BudgetNotice
    from grants.selectors import budget_position, determination_pending
    from web.errors import DomainError
    from workflows.services import case_transition

    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("load_demo", verbosity=0)
    notices = list(BudgetNotice.objects.order_by("pk"))
    assert len({notice.reference for notice in notices}) == len(notices) > 1
    for notice in notices:
        issued = re.fullmatch(r"老発(\d\d)(\d\d)第\d+号", notice.reference)
        assert issued, notice.reference
        issued_on = date(notice.received_on.year, int(issued[1]), int(issued[2]))
        assert 0 <= (notice.received_on - issued_on).days <= 7, notice.reference
        assert date(notice.fiscal_year_id, 4, 1) <= notice.received_on <= date(notice.fiscal_year_id + 1, 3, 31)
    assert [notice.received_on for notice in notices] == sorted(notice.received_on for notice in notices)
    for key in {(n.fiscal_year_id, n.stream, n.part) for n in notices}:
        position = budget_position(fiscal_year=key[0], stream=key[1], part=key[2])
        assert position.covered, key
        if position.committed:
            assert position.ceiling < position.committed * 1.1, key  # in the scale of what was decided
    over = []
    for case in Case.objects.filter(state="drafted", procedure="initial_grant").order_by("pk"):
        pending = determination_pending(case_id=case.pk)
        position = budget_position(fiscal_year=case.fiscal_year_id, stream=case.stream, part=case.part, pending=pending)
        if not position.covered:
            over.append(case)
    assert over, "no draft in the demo's queue meets its budget ceiling"
    boss = demo_user("supervisor1")
    case = over[0]
    with pytest.raises(DomainError) as refused:
        case_transition(case_id=case.pk, name="approve", actor=boss, data={}, expected_version=case.version)
    assert refused.value.code == "budget_ceiling_exceeded"
    case.refresh_from_db()
    assert case.state == "drafted"


def demo_user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_demo_fund_plans_ask_for_amounts_of_their_own_and_the_tight_notices_still_bite(monkeypatch):
    """Each prefecture's fund plan (地域医療介護総合確保基金) asks for its own amount in each part, the same on every
    install; of the two facilities drafts awaiting approval each fits its notice alone but not both, and of the
    two personnel drafts the larger does not fit at all."""
    from grants.selectors import budget_position, determination_pending

    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("load_demo", verbosity=0)
    fund = Case.objects.filter(fiscal_year=2026, stream="medical_care_fund", procedure="initial_grant")
    asked = [(case.recipient.code, case.part, case.amount_consulted) for case in fund.select_related("recipient")]
    assert len(asked) == 2 * len(settings.BUREAU_PREFECTURES)
    amounts = [amount for _code, _part, amount in asked]
    assert len(set(amounts)) == len(amounts), sorted(asked)
    assert all(amount % 1_000 == 0 for amount in amounts)
    for part in ("facilities", "personnel"):
        ceiling = budget_position(fiscal_year=2026, stream="medical_care_fund", part=part).ceiling
        pending = sorted((determination_pending(case_id=case.pk) for case in fund.filter(state="drafted", part=part)),
                         key=lambda draft: draft.amount)
        assert len(pending) == 2 and pending[0].amount < pending[1].amount, (part, pending)
        fits = [budget_position(fiscal_year=2026, stream="medical_care_fund", part=part, pending=draft).covered
                for draft in pending]
        if part == "facilities":  # each alone, not both
            assert fits == [True, True] and sum(draft.amount for draft in pending) > ceiling
        else:  # the larger not at all
            assert fits == [True, False]
