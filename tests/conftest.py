"""Shared fixtures. Tests hit the real database (SQLite, or PostgreSQL when
DATABASE_URL points at one); only the clock, mail and tasks are stand-ins.

django-axes counts failed sign-ins in the database (its AccessAttempt table),
so each test's rollback, or ``live_db``'s flush, clears them: a test that
locks an account out never locks out the next one.
"""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from grants import history_triggers
from tests.threads import at_once as run_together


@pytest.fixture
def live_db(transactional_db):
    """Committed data visible to other connections (threads, processes, a live server).

    The append-only triggers would refuse the flush that empties the database
    after the test, so they are lifted for our own flush and put back at once;
    pytest-django's flush that follows then finds an empty history table.
    """
    yield
    history_triggers.drop(connection)
    try:
        call_command("flush", interactive=False, verbosity=0)
    finally:
        history_triggers.install(connection)


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    """Each test keeps its copies of the history checkpoints in a directory of its own, as its database is its own."""
    settings.HISTORY_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return tmp_path / "checkpoints"


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def today(monkeypatch):
    """Set "today" in Japan, the day services and pages take from ``timezone.localdate()``: ``today(date(2026, 2, 16))``."""

    def set_today(day: date) -> date:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)
        return day

    return set_today


@pytest.fixture
def at_once():
    """Run a callable in several threads released together (use with ``live_db``): ``at_once(work, 4)``.

    Returns the results; the first exception any thread raised fails the test.
    """

    def run_at_once(work, callers: int) -> list:
        outcomes = run_together(*[work] * callers)
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome
        return outcomes

    return run_at_once
