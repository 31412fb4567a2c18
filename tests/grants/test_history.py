"""The decision history is append-only in the database and its chain exposes tampering."""

import pytest
from django.db import DatabaseError, connection, transaction

from grants import history_triggers
from grants.history import GENESIS_HASH, history_verify
from grants.models import HistoryEntry
from tests import factories as f
from workflows.errors import TransitionNotAllowed
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
TABLE = HistoryEntry._meta.db_table


def some_history():
    officer = f.officer()
    case = f.case(actor=officer)
    case = case_transition(case_id=case.pk, name="request", actor=officer, data={}, expected_version=1)
    case_transition(case_id=case.pk, name="submit", actor=officer, data={"amount": 10}, expected_version=2)
    return list(HistoryEntry.objects.order_by("pk"))


@pytest.mark.parametrize(
    "sql",
    [f"UPDATE {TABLE} SET action = 'forged'", f"DELETE FROM {TABLE}", f"UPDATE {TABLE} SET data = '{{}}' WHERE id = %s"],
)
def test_raw_sql_cannot_change_or_delete_history(sql):
    entries = some_history()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entries[0].pk] if "%s" in sql else None)
    assert HistoryEntry.objects.count() == len(entries)
    assert HistoryEntry.objects.filter(action="forged").count() == 0


def test_orm_delete_of_a_record_is_refused_too():
    entry = some_history()[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryEntry.objects.filter(pk=entry.pk)._raw_delete(HistoryEntry.objects.db)


def test_chain_links_every_record_to_the_one_before():
    entries = some_history()
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(entries, entries[1:]))
    result = history_verify()
    assert result.ok and result.checked == len(entries) and result.head_hash == entries[-1].hash


def _tamper(sql, params):
    history_triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        history_triggers.install(connection)


def test_verifier_names_a_record_changed_behind_the_databases_back():
    entries = some_history()
    victim = entries[2]
    _tamper(f"UPDATE {TABLE} SET data = %s WHERE id = %s", ['{"fields": {"amount": 999999}}', victim.pk])
    result = history_verify()
    assert not result.ok
    assert result.first_broken_id == victim.pk
    assert result.checked == 2


def test_verifier_notices_a_deleted_record():
    entries = some_history()
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])
    result = history_verify()
    assert not result.ok and result.first_broken_id == entries[2].pk


def test_history_verify_api_is_for_auditors_and_supervisors(api):
    some_history()
    for user, status in ((f.officer(), 403), (f.supervisor(), 200), (f.auditor(), 200)):
        api.force_authenticate(user)
        response = api.get("/api/history/verify")
        assert response.status_code == status
    assert response.json()["ok"] is True and response.json()["checked"] == HistoryEntry.objects.count()


def test_history_verify_page_is_refused_to_officers(client):
    some_history()
    client.force_login(f.officer())
    assert client.get("/history/verify/").status_code == 403
    client.force_login(f.auditor())
    response = client.get("/history/verify/")
    assert response.status_code == 200 and response.context["result"].ok


def test_a_failed_transition_leaves_no_trace():
    officer = f.officer()
    case = f.case(actor=officer)
    count = HistoryEntry.objects.count()
    with pytest.raises(TransitionNotAllowed):
        case_transition(case_id=case.pk, name="submit", actor=officer, data={"amount": 1}, expected_version=1)
    case.refresh_from_db()
    assert case.state == "planned" and case.version == 1 and HistoryEntry.objects.count() == count
