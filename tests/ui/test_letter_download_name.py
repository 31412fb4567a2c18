"""A letter saved from the browser keeps its document number as its file name (RFC 6266 filename*)."""

from urllib.parse import quote

import pytest

from letters.models import Letter
from tests import factories as f
from tests.letters.factories import requested_case

pytestmark = pytest.mark.django_db


def test_a_downloaded_letter_is_named_after_its_document_number(client, django_capture_on_commit_callbacks):
    officer = f.officer()
    with django_capture_on_commit_callbacks(execute=True):  # the letter renders (and is numbered) after the commit
        requested_case(officer=officer, deadline="2025-11-28")
    letter = Letter.objects.get(kind="request")
    assert letter.document_number and not letter.document_number.isascii()
    client.force_login(officer)
    header = client.get(f"/letters/{letter.pk}.pdf?download=1")["Content-Disposition"]
    assert header.startswith("attachment;")
    assert f"filename*=utf-8''{quote(letter.document_number)}.pdf" in header
    assert client.get(f"/letters/{letter.pk}.pdf")["Content-Disposition"].startswith("inline;")
