"""Fixtures of the calendar tests: stored files in a temporary folder, and a settable clock."""

from datetime import date

import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Letters' PDFs go to a temporary folder, never into the working copy."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today(monkeypatch):
    """Set "today" in Japan (the only clock the calendar reads): ``today(date(2026, 2, 16))``."""

    def set_today(day: date) -> date:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)
        return day

    return set_today
