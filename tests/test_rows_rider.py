"""``web.rows.scalar_carrying``: a read that rides in another statement's round trip (a notice's tranche plan in its
document number's statement, docs/architecture.md "Lock order")."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from calendars.models import DocumentSequence
from calendars.numbering import document_number_issue
from web.rows import Rider

pytestmark = pytest.mark.django_db


def test_a_number_issued_with_a_rider_counts_on_and_hands_the_riders_rows_over():
    taken = []
    rider = Rider("SELECT n FROM (SELECT 2 AS n UNION ALL SELECT 1) numbers WHERE n >= %s", [1], taken.extend)
    with transaction.atomic(), CaptureQueriesContext(connection) as seen:
        first = document_number_issue(on=date(2027, 6, 1))
        second = document_number_issue(on=date(2027, 6, 1), rider=rider)
    assert first.endswith("0601第1号") and second.endswith("0601第2号")
    assert sorted(taken) == [(1,), (2,)]
    assert DocumentSequence.objects.get(day=date(2027, 6, 1)).last_serial == 2
    numbered = [query["sql"] for query in seen.captured_queries if "calendars_documentsequence" in query["sql"]]
    if connection.vendor == "postgresql":  # one statement carries both
        assert "UNION ALL" in numbered[1]
    else:  # SQLite: the read follows in a statement of its own
        assert [query["sql"] for query in seen.captured_queries if "UNION ALL" in query["sql"]]


def test_a_rider_that_finds_no_row_still_gets_its_number():
    taken = []
    rider = Rider("SELECT 1 WHERE 1 = %s", [0], taken.extend)
    with transaction.atomic():
        number = document_number_issue(on=date(2027, 6, 2), rider=rider)
    assert number.endswith("0602第1号") and taken == []
