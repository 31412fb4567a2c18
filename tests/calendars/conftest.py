"""Fixtures of the calendar tests: stored files in a temporary folder, a settable clock, concurrent callers."""

import pytest

from tests.threads import at_once as run_together


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Letters' PDFs go to a temporary folder, never into the working copy."""
    settings.MEDIA_ROOT = tmp_path / "media"


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
