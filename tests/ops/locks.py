"""Acts run in the background while a test holds what they wait for, and a watcher that sees them wait (PostgreSQL)."""

import threading
import time

import psycopg
from django.db import connection

from .conftest import database_url_for_processes


def in_background(work) -> tuple[threading.Thread, dict]:
    """Start ``work`` in a thread on a connection of its own; the dict gets its ``value`` or its ``error``."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def wait_until_blocked(wait_event: str, thread, outcome, *, sessions: int = 1) -> None:
    """Until ``sessions`` sessions of the test's database wait on a ``wait_event`` lock (the acts, behind what the
    holder holds); another test database's sessions on the same server (another pytest-xdist worker's) do not count.

    Asked on a connection of its own, outside any transaction: ``pg_stat_activity`` is read once per transaction.
    """
    with psycopg.connect(database_url_for_processes(), autocommit=True) as watcher:
        for _ in range(600):
            assert thread.is_alive(), f"the act ended without waiting: {outcome}"
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND wait_event = %s AND pid <> pg_backend_pid()"
                " AND datname = current_database()",
                [wait_event],
            ).fetchone()[0]
            if waiting >= sessions:
                return
            time.sleep(0.05)
    raise AssertionError(f"the act never waited on a {wait_event} lock")
