"""``manage.py payment_run`` and ``load_payment_plans``: the services' rules, clear refusals, non-zero exits."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from payments.models import PaymentPlanRule, PaymentRun, PaymentRunState
from tests import factories as f
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_create_approve_execute_from_the_command_line(capsys):
    officer, boss = f.officer(), f.supervisor()
    pf.payment_item(officer=officer, amount=1_234_567, due_on=date(2025, 7, 1))
    call_command("payment_run", "create", "--date", "2025-07-31", "--user", officer.username)
    run = PaymentRun.objects.get()
    assert "total 1,234,567 yen to 1 recipient(s)" in capsys.readouterr().out
    call_command("payment_run", "approve", str(run.pk), "--user", boss.username)
    call_command("payment_run", "execute", str(run.pk), "--user", officer.username)
    run.refresh_from_db()
    assert run.state == PaymentRunState.EXECUTED


def test_cancel_a_draft_from_the_command_line(capsys):
    officer, boss = f.officer(), f.supervisor()
    pf.payment_item(officer=officer, amount=1_234_567, due_on=date(2025, 7, 1))
    call_command("payment_run", "create", "--date", "2025-07-31", "--user", officer.username)
    run = PaymentRun.objects.get()
    with pytest.raises(CommandError, match="permission_denied"):
        call_command("payment_run", "cancel", str(run.pk), "--user", f.auditor().username)
    call_command("payment_run", "cancel", str(run.pk), "--user", officer.username)
    assert f"payment run {run.pk} of 2025-07-31 (FY2025): cancelled" in capsys.readouterr().out
    with pytest.raises(CommandError, match="transition_not_allowed"):
        call_command("payment_run", "cancel", str(run.pk), "--user", boss.username)
    call_command("payment_run", "create", "--date", "2025-08-29", "--user", officer.username)
    assert "total 1,234,567 yen to 1 recipient(s)" in capsys.readouterr().out


def test_refusals_name_their_error_code():
    officer, boss = f.officer(), f.supervisor()
    pf.payment_item(officer=officer, amount=100, due_on=date(2025, 7, 1))
    call_command("payment_run", "create", "--date", "2025-07-31", "--user", boss.username)
    run = PaymentRun.objects.get()
    with pytest.raises(CommandError, match="four_eyes"):
        call_command("payment_run", "approve", str(run.pk), "--user", boss.username)
    with pytest.raises(CommandError, match="transition_not_allowed"):
        call_command("payment_run", "execute", str(run.pk), "--user", officer.username)
    with pytest.raises(CommandError, match="payment_run_not_found"):
        call_command("payment_run", "show", "999999", "--user", officer.username)
    with pytest.raises(CommandError, match="Unknown or inactive user"):
        call_command("payment_run", "show", str(run.pk), "--user", "nobody")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("payment_run", "create", "--date", "31.07.2025", "--user", officer.username)


def test_a_bad_command_line_exits_non_zero():
    result = subprocess.run(
        [sys.executable, "manage.py", "payment_run", "approve", "not-a-number", "--user", "x"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode != 0 and "invalid int value" in result.stderr


def test_load_payment_plans_command():
    call_command("load_payment_plans")
    assert PaymentPlanRule.objects.filter(fiscal_year_id=2023).count() == 6
