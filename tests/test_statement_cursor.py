"""``web.rows.statement_cursor``: the hot path's hand-written statements run on the driver's cursor unless something
watches them, and behave the same either way: Django's placeholders and ``%%``, Django's error classes, Django's
refusal to run a statement in a transaction that must roll back, and every statement seen by whoever watches."""

from contextlib import nullcontext

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from grants.models import FiscalYear
from web.rows import first_row, row_insert, rows_of, statement_cursor

pytestmark = pytest.mark.django_db


def _watched(watch: bool):
    return CaptureQueriesContext(connection) if watch else nullcontext()


@pytest.mark.parametrize("watch", [False, True])
def test_placeholders_and_a_literal_percent_read_the_same_whether_watched_or_not(watch):
    with _watched(watch):
        assert first_row("SELECT '100%%', %s, %s", [7, "町"]) == ("100%", 7, "町")
        assert rows_of("SELECT %s UNION ALL SELECT %s ORDER BY 1", [2, 1]) == [(1,), (2,)]


def test_a_watcher_sees_every_statement_the_hot_path_runs():
    with CaptureQueriesContext(connection) as seen:
        first_row("SELECT %s", [1])
        with statement_cursor() as cursor:
            cursor.execute("SELECT %s", [2])
            assert cursor.fetchone() == (2,)
    assert len(seen.captured_queries) == 2


def test_an_execute_wrapper_sees_the_hot_paths_statements():
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        first_row("SELECT %s", [3])
    assert seen == ["SELECT %s"]


def test_a_duplicate_key_raises_djangos_integrity_error():
    FiscalYear.objects.create(year=2061)
    with pytest.raises(IntegrityError), transaction.atomic():
        row_insert(FiscalYear(year=2061))
    assert FiscalYear.objects.filter(year=2061).count() == 1


def test_a_statement_in_a_transaction_that_must_roll_back_is_refused_as_djangos_cursor_refuses_it():
    with transaction.atomic():
        with pytest.raises(DatabaseError):
            first_row("SELECT * FROM no_such_table_here", [])
        # the failed statement marks the atomic block for rollback; whatever runs next is refused
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            first_row("SELECT %s", [1])
