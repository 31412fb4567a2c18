"""A run's execution killed part-way (SIGKILL, a real separate process) pays nothing; the retry pays every item once.

The executor runs as ``manage.py payment_run execute`` in its own process
(``slow_execute.py``) against the test database, so the kill hits a real
connection in the middle of a real transaction.
"""

import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from grants.models import HistoryEntry
from payments.models import PaymentRecord, PaymentRunState
from payments.services import payment_run_approve, payment_run_create
from tests import factories as f
from tests.payments import factories as pf

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the point is a server-side transaction whose client dies holding row locks",
    ),
]


def _database_url() -> str:
    settings = connection.settings_dict
    credentials = f"{quote(settings['USER'])}:{quote(settings['PASSWORD'])}"
    return f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


class Executor:
    """``payment_run execute`` in a child process; its output lines arrive on a queue."""

    def __init__(self, run_id: int, username: str, pause: float):
        env = dict(os.environ, DATABASE_URL=_database_url(), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.payments.slow_execute", str(run_id), username, str(pause)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def wait_for_payments(self, count: int) -> None:
        for _ in range(count):
            line = self.lines.get(timeout=60)
            assert line and line.startswith("paid "), (line, self.process.stderr.read())

    def finish(self) -> tuple[int, str]:
        code = self.process.wait(timeout=60)
        return code, self.process.stderr.read()


@pytest.fixture
def approved_run(live_db):
    officer, boss = f.officer(), f.supervisor()
    items = [
        pf.payment_item(
            officer=officer, amount=1_000_000 + n, due_on=date(2025, 7, 1),
            recipient=f.town(n),
        )
        for n in range(6)
    ]
    run = payment_run_create(actor=officer, run_on=date(2025, 7, 31))
    payment_run_approve(actor=boss, run_id=run.pk)
    return run, items, officer


def _paid_once(items) -> bool:
    counts = PaymentRecord.objects.filter(item__in=items).values("item").annotate(n=Count("id"))
    return sorted((row["item"], row["n"]) for row in counts) == sorted((item.pk, 1) for item in items)


def test_killed_mid_execution_pays_nothing_and_the_retry_pays_every_item_exactly_once(approved_run):
    run, items, officer = approved_run
    executor = Executor(run.pk, officer.username, pause=0.5)
    executor.wait_for_payments(3)  # half the items written, not committed
    os.kill(executor.process.pid, signal.SIGKILL)
    code, _ = executor.finish()
    assert code == -signal.SIGKILL

    assert not PaymentRecord.objects.exists()
    run.refresh_from_db()
    assert run.state == PaymentRunState.APPROVED

    call_command("payment_run", "execute", str(run.pk), "--user", officer.username)
    run.refresh_from_db()
    assert run.state == PaymentRunState.EXECUTED
    assert _paid_once(items)

    with pytest.raises(CommandError, match="transition_not_allowed"):
        call_command("payment_run", "execute", str(run.pk), "--user", officer.username)
    assert _paid_once(items)
    executions = HistoryEntry.objects.filter(subject_type="payment_run", subject_id=str(run.pk), action="execute")
    assert executions.count() == 1


def test_two_executors_at_once_pay_every_item_exactly_once(approved_run):
    run, items, officer = approved_run
    first = Executor(run.pk, officer.username, pause=0.2)
    first.wait_for_payments(1)  # the first holds the run's lock
    second = Executor(run.pk, officer.username, pause=0)
    results = sorted([first.finish(), second.finish()])
    assert [code for code, _ in results] == [0, 1]
    assert "transition_not_allowed" in results[1][1]
    assert _paid_once(items)
