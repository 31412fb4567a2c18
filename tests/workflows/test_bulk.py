"""The officer's bulk request: many cases, a chunk of them per commit, each still its own act."""

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from grants.history import history_verify
from grants.models import Case, HistoryEntry
from letters.models import Letter
from tests import factories as f
from web.errors import InvalidInput
from workflows.services import case_transition, case_transition_bulk

DEADLINE = {"deadline": "2025-10-31"}


def planned(officer, count: int) -> list[Case]:
    return [f.case(actor=officer, recipient=f.municipality(f"11-b{n}", f"町{n}")) for n in range(count)]


@pytest.mark.django_db
def test_every_case_of_a_bulk_request_gets_its_own_act_record_and_letter():
    officer = f.officer()
    cases = planned(officer, 5)
    outcome = case_transition_bulk(
        name="request", actor=officer, data=DEADLINE, cases=[(c.pk, c.version) for c in cases], chunk_size=2
    )
    assert [c.pk for c in outcome.done] == [c.pk for c in cases] and outcome.refused == []
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
        assert (case.state, case.version, str(case.deadline_stated)) == ("requested", 2, "2025-10-31")
        assert HistoryEntry.objects.filter(case=case, action="request", source="planned", target="requested").count() == 1
        assert Letter.objects.filter(case=case, kind="request").count() == 1
    assert history_verify().ok


@pytest.mark.django_db
def test_a_refused_case_writes_nothing_and_the_rest_of_its_chunk_still_commits():
    officer = f.officer()
    cases = planned(officer, 5)
    stale, already = cases[1], cases[3]
    already = case_transition(case_id=already.pk, name="request", actor=officer, data=DEADLINE, expected_version=1)
    cases[3] = already  # seen at its new version: refused for its state, not as stale
    records_of_requests = HistoryEntry.objects.filter(action="request").count()
    pairs = [(c.pk, 99 if c == stale else c.version) for c in cases]
    outcome = case_transition_bulk(name="request", actor=officer, data=DEADLINE, cases=pairs, chunk_size=5)
    assert sorted(c.pk for c in outcome.done) == sorted(c.pk for c in cases if c not in (stale, already))
    assert [(r["case_id"], r["code"]) for r in outcome.refused] == [
        (stale.pk, "stale_version"), (already.pk, "transition_not_allowed")
    ]
    assert Case.objects.get(pk=stale.pk).state == "planned"
    assert not HistoryEntry.objects.filter(case=stale, action="request").exists()
    assert Letter.objects.filter(case=already, kind="request").count() == 1  # the one it had, none more
    assert HistoryEntry.objects.filter(action="request").count() == records_of_requests + 3
    assert history_verify().ok


@pytest.mark.django_db
def test_invalid_fields_refuse_the_whole_bulk_request_before_anything_is_written():
    officer = f.officer()
    cases = planned(officer, 3)
    records = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput):
        case_transition_bulk(
            name="request", actor=officer, data={"deadline": "not a date"}, cases=[(c.pk, c.version) for c in cases]
        )
    assert HistoryEntry.objects.count() == records
    assert set(Case.objects.values_list("state", flat=True)) == {"planned"}


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_a_chunk_of_acts_shares_one_commit(live_db, monkeypatch):
    """Five cases in chunks of two commit three times (one by one, they committed five times).

    The letters' render tasks are queued in the database with each act, so no render commits in between.
    """
    officer = f.officer()
    cases = planned(officer, 5)
    commits = []
    connection.ensure_connection()
    commit = connection.commit
    monkeypatch.setattr(connection, "commit", lambda: (commits.append(1), commit())[1])
    outcome = case_transition_bulk(
        name="request", actor=officer, data=DEADLINE, cases=[(c.pk, c.version) for c in cases], chunk_size=2
    )
    assert len(outcome.done) == 5
    assert len(commits) == 3
    assert set(Case.objects.values_list("state", flat=True)) == {"requested"}
    assert DBTaskResult.objects.filter(status="READY").count() == 5  # each act's letter queued with it
