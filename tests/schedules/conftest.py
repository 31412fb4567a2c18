"""Fixtures of the schedule tests: stored files in a temporary folder (a request's letter is drawn too)."""

import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Letters' PDFs go to a temporary folder, never into the working copy."""
    settings.MEDIA_ROOT = tmp_path / "media"
