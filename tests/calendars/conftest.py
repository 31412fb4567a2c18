"""Fixtures of the calendar tests: stored files in a temporary folder, a settable clock, concurrent callers."""

import threading

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Letters' PDFs go to a temporary folder, never into the working copy."""
    settings.MEDIA_ROOT = tmp_path / "media"



@pytest.fixture
def at_once():
    """Run a callable in several threads released together (use with ``live_db``): ``at_once(work, 4)``.

    Returns the results; the first exception any thread raised fails the test.
    Each thread closes its own database connection.
    """

    def run_at_once(work, callers: int) -> list:
        barrier, results, errors = threading.Barrier(callers), [], []

        def call():
            try:
                barrier.wait()
                results.append(work())
            except Exception as exc:  # noqa: BLE001 - raised in the test's thread below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=call) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return results

    return run_at_once
