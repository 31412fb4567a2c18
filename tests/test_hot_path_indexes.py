"""Every act writes a case, a record and often a letter or a payable item: those tables keep no index another
index already serves (grants 0020, letters 0008, payments 0007). A query by the column dropped still has an index
that leads with it."""

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

DROPPED = [("grants_case", "fiscal_year_id"), ("grants_case", "recipient_id"), ("grants_paymentitem", "recipient_id"),
           ("calendars_letter", "batch_id")]


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: info["columns"] for name, info in found.items() if info["index"] or info["unique"]}


def _pattern_indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'grants_historyentry' "
                       "AND indexdef LIKE '%%pattern_ops%%'")
        return [name for (name,) in cursor.fetchall()]


def _check_dropped() -> None:
    for table, column in DROPPED:
        indexes = _indexes(table)
        assert [column] not in indexes.values(), (table, indexes)
        assert any(columns[0] == column and len(columns) > 1 for columns in indexes.values()), (table, indexes)
    if connection.vendor == "postgresql":
        assert _pattern_indexes() == []
        assert ["hash"] in _indexes("grants_historyentry").values()  # the unique one stays


def test_the_tables_every_act_writes_keep_no_index_another_serves():
    _check_dropped()


def test_the_migrations_that_drop_them_go_back_and_forth(live_db):
    steps = [("grants", "0019_determination_sent_back_index"), ("letters", "0007_reminder_rule_labels"),
             ("payments", "0006_item_budget_year_index")]
    try:
        for app, before in reversed(steps):
            call_command("migrate", app, before, verbosity=0)
        for table, column in DROPPED:
            assert [column] in _indexes(table).values(), table
        if connection.vendor == "postgresql":
            assert len(_pattern_indexes()) == 1
    finally:
        call_command("migrate", verbosity=0)
    _check_dropped()
