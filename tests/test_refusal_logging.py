"""A routine refusal (403) is one line of the log at WARNING: who, which address, the status, no traceback. A real
failure (500) still logs its traceback at ERROR. (Found on the demo: each 403 logged the PermissionDenied's whole
traceback, as Django logs an exception it turns into a response.)"""

import logging
import unittest

import pytest
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db


def request_log():
    """The records of the ``django.request`` logger as its own filters leave them (what the console prints)."""
    return unittest.TestCase().assertLogs("django.request", level="INFO")


def one_line_refusal(records, *, user: str, path: str):
    assert len(records) == 1, [record.getMessage() for record in records]
    record = records[0]
    assert (record.levelno, record.exc_info, record.status_code) == (logging.WARNING, None, 403)
    line = logging.Formatter().format(record)
    assert "\n" not in line and "Traceback" not in line, line
    assert user in line and path in line and "403" in line, line


def test_a_page_refused_to_a_user_is_one_line_naming_them_the_address_and_the_status(client):
    officer = f.officer(username="tanaka")
    client.force_login(officer)
    with request_log() as log:
        assert client.get("/approvals/").status_code == 403  # only supervisors approve
    one_line_refusal(log.records, user="tanaka", path="/approvals/")
    assert "why: permission_denied" in log.records[0].getMessage()  # the reason the traceback used to carry


def test_a_page_refused_for_scope_is_one_line_too(client):
    case = f.case(actor=f.officer())
    client.force_login(f.officer(username="suzuki", streams=[f.Stream.MEDICAL_CARE_FUND]))
    with request_log() as log:
        assert client.get(f"/cases/{case.pk}/").status_code == 403  # another stream's case
    one_line_refusal(log.records, user="suzuki", path=f"/cases/{case.pk}/")


def test_an_api_refusal_is_one_line_naming_the_token_s_user(api):
    officer = f.officer(username="sato")
    api.force_authenticate(officer)
    with request_log() as log:
        assert api.get("/api/history/export").status_code == 403  # officers do not read the history
    one_line_refusal(log.records, user="sato", path="/api/history/export")


@pytest.mark.urls("tests.error_urls")
def test_a_server_error_still_logs_its_traceback():
    with request_log() as log:
        assert Client(raise_request_exception=False).get("/test-failure/").status_code == 500
    [record] = log.records
    assert record.levelno == logging.ERROR and record.exc_info and record.exc_info[0] is RuntimeError
    assert "Traceback" in logging.Formatter().format(record)


def test_a_refusal_logged_without_a_request_keeps_its_own_message_and_loses_its_traceback():
    """A 403 record that carries no request (another part of Django's) is not renamed after a user it cannot name."""
    from web.log_filters import RefusalsInOneLine

    try:
        raise PermissionError("no")
    except PermissionError:
        import sys

        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden (%s): %s", ("CSRF", "/x/"),
                                   sys.exc_info())
    record.status_code = 403
    assert RefusalsInOneLine().filter(record)
    assert record.getMessage() == "Forbidden (CSRF): /x/" and record.exc_info is None


def test_a_refusal_made_into_its_line_keeps_its_reason_if_filtered_again(client):
    """Logging configured twice (the filter on the logger twice) leaves the line as the first pass made it."""
    from web.log_filters import RefusalsInOneLine

    logger = logging.getLogger("django.request")
    extra = RefusalsInOneLine()
    logger.addFilter(extra)
    try:
        client.force_login(f.officer(username="tanaka"))
        with request_log() as log:
            assert client.get("/approvals/").status_code == 403
    finally:
        logger.removeFilter(extra)
    assert "why: permission_denied" in log.records[0].getMessage()
