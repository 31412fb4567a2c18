"""``web.rows.statement_cursor``: the hot path's hand-written statements run on the driver's cursor unless something
watches them (on PostgreSQL psycopg's ``RawCursor``, handed PostgreSQL's own placeholders), and behave the same either
way: Django's placeholders and ``%%``, statements of more than 50 parameters, ``executemany``, prepared statements,
Django's error classes, Django's refusal to run a statement in a transaction that must roll back, and every statement
seen by whoever watches."""

from contextlib import nullcontext

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from grants.models import FiscalYear
from web.rows import first_row, row_insert, rows_of, scalar, statement_cursor

pytestmark = pytest.mark.django_db


def _watched(watch: bool):
    return CaptureQueriesContext(connection) if watch else nullcontext()


@pytest.mark.parametrize("watch", [False, True])
def test_placeholders_and_a_literal_percent_read_the_same_whether_watched_or_not(watch):
    with _watched(watch):
        assert first_row("SELECT '100%%', %s, %s", [7, "町"]) == ("100%", 7, "町")
        assert rows_of("SELECT %s UNION ALL SELECT %s ORDER BY 1", [2, 1]) == [(1,), (2,)]


@pytest.mark.parametrize("watch", [False, True])
def test_a_doubled_percent_is_a_percent_sign_even_before_an_s_in_a_literal(watch):
    # the placeholders are rewritten without reading the SQL (as psycopg and Django do): in a literal too, a
    # percent sign is written ``%%``, so ``'%%s'`` is the text %s and not a placeholder
    with _watched(watch):
        assert first_row("SELECT '%%s', %s, '%%%%', %s", ["a", "b"]) == ("%s", "a", "%%", "b")


@pytest.mark.parametrize("watch", [False, True])
def test_a_statement_of_more_than_fifty_parameters_reads_them_in_order(watch):
    values = list(range(100, 161))
    sql = "SELECT " + ", ".join(["%s"] * len(values)) + ", '%%'"
    with _watched(watch):
        assert first_row(sql, values) == (*values, "%")
        assert first_row(sql, values[::-1]) == (*values[::-1], "%")


@pytest.mark.parametrize("watch", [False, True])
def test_executemany_runs_the_statement_for_every_row(watch):
    table = connection.ops.quote_name(FiscalYear._meta.db_table)
    with _watched(watch), statement_cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (year, is_open) VALUES (%s, %s)", [(2061, True), (2062, False)])
    assert list(FiscalYear.objects.filter(year__in=(2061, 2062)).values_list("year", "is_open")) == [
        (2061, True), (2062, False)]


def test_a_placeholder_other_than_s_is_refused_with_djangos_error_and_nothing_runs():
    # (watched, Django's own cursor fails earlier still: its record of the statement formats it with the values)
    table = connection.ops.quote_name(FiscalYear._meta.db_table)
    with pytest.raises(DatabaseError):
        first_row(f"INSERT INTO {table} (year, is_open) VALUES (%d, %s) RETURNING year", [2061, True])
    assert not FiscalYear.objects.filter(year=2061).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
@pytest.mark.parametrize("watch", [False, True])
def test_a_statement_run_often_is_prepared_on_postgresql(watch):
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    if threshold is None:
        pytest.skip("prepared statements are off (DATABASE_PREPARED_STATEMENTS=0)")
    sql = f"SELECT %s AS prepared_{'watched' if watch else 'fast'}"
    with _watched(watch):
        for value in range(threshold + 1):
            assert scalar(sql, [value]) == value
    prepared = rows_of("SELECT statement FROM pg_prepared_statements WHERE statement = %s", [sql.replace("%s", "$1")])
    assert len(prepared) == 1


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


@pytest.mark.parametrize("params", [[1], [1, 2, 3]])
def test_a_statement_given_more_or_fewer_parameters_than_placeholders_is_refused_before_it_is_sent(params):
    """PostgreSQL binds ``$n`` by number: a parameter too many would bind silently (psycopg's own cursor counts
    them; its raw cursor does not), so the count is checked here, before anything reaches the server, and the
    transaction stays usable."""
    with transaction.atomic():
        with pytest.raises(DatabaseError), statement_cursor() as cursor:
            cursor.execute("SELECT %s + %s", params)
        assert scalar("SELECT %s + %s", [1, 2]) == 3  # nothing was sent that broke the transaction
    with pytest.raises(DatabaseError), statement_cursor() as cursor:
        cursor.executemany("SELECT %s + %s", [[1, 2], params])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's server-side binding")
def test_on_postgresql_the_hot_path_runs_on_psycopgs_raw_cursor_with_numbered_placeholders():
    import psycopg

    from web.rows import _numbered

    connection.ensure_connection()
    with statement_cursor() as cursor:
        assert isinstance(cursor._cursor, psycopg.RawCursor)
    assert _numbered("SELECT %s, '%%s', %s") == ("SELECT $1, '%s', $2", 2)
    assert _numbered("SELECT 1 %% 2") == ("SELECT 1 % 2", 0)
    for refused in ("SELECT %d", "SELECT 1 %", "SELECT %(name)s"):
        with pytest.raises(DatabaseError):
            _numbered(refused)
