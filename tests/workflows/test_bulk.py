"""The officer's bulk request: many cases, a chunk of them per commit, each still its own act."""

from datetime import date

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


@pytest.fixture(autouse=True)
def before_the_deadline(today):
    """The requests go out on 1 October 2025, before their deadline (a deadline comes after its request)."""
    today(date(2025, 10, 1))


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

    The letters' drain is queued in the database with the first chunk, so no render commits in between.
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
    # the chunks' letters drawn by one drain, queued with the first chunk and relied on by the others
    assert [(task.task_path, task.status) for task in DBTaskResult.objects.all()] == [
        ("letters.tasks.letters_drain_task", "READY")
    ]
    assert Letter.objects.filter(case__in=cases, kind="request", status="pending").count() == 5


@pytest.mark.django_db
def test_a_chunk_refuses_a_failed_condition_a_missing_case_and_one_out_of_scope_and_commits_the_rest():
    officer = f.officer(prefectures=("11",))
    cases = planned(officer, 4)
    elsewhere = f.case(actor=f.officer(prefectures=("12",), username="chiba"), recipient=f.municipality(f.municipality_code(5, "12"), "千葉町", "12"))
    pre_consulted = cases[2]  # this year's definition, as the case copied it, starts with a pre-consultation
    Case.objects.filter(pk=pre_consulted.pk).update(definition={**pre_consulted.definition, "pre_consultation": True})
    pairs = [(c.pk, c.version) for c in cases] + [(elsewhere.pk, elsewhere.version), (999_999, 1)]
    outcome = case_transition_bulk(name="request", actor=officer, data=DEADLINE, cases=pairs, chunk_size=10)
    assert [c.pk for c in outcome.done] == [cases[0].pk, cases[1].pk, cases[3].pk]
    assert [(r["case_id"], r["code"]) for r in outcome.refused] == [
        (pre_consulted.pk, "condition_unmet"), (elsewhere.pk, "out_of_scope"), (999_999, "case_not_found")
    ]
    assert Case.objects.get(pk=pre_consulted.pk).state == "planned"
    assert not Letter.objects.filter(case__in=[pre_consulted, elsewhere]).exists()
    assert history_verify().ok


@pytest.mark.django_db
def test_each_act_of_a_chunk_has_its_own_record_in_the_chain_and_its_letter_under_that_record(
    django_capture_on_commit_callbacks,
):
    officer = f.officer()
    cases = planned(officer, 7)
    before = HistoryEntry.objects.order_by("-id").first()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        outcome = case_transition_bulk(
            name="request", actor=officer, data=DEADLINE, cases=[(c.pk, c.version) for c in cases], chunk_size=3
        )
    assert len(queued) >= 3  # a drain after each chunk's commit (the immediate queue; and any checkpoint due)
    assert len(outcome.done) == 7
    records = list(HistoryEntry.objects.filter(id__gt=before.pk, action="request").order_by("id"))
    assert [record.case_id for record in records] == [c.pk for c in cases]  # in the order acted, one each
    previous = before.hash
    for record in HistoryEntry.objects.filter(id__gt=before.pk).order_by("id"):
        assert record.prev_hash == previous
        previous = record.hash
    for record in records:
        letter = Letter.objects.get(case_id=record.case_id, kind="request")
        assert letter.history_entry_id == record.pk
        assert record.data["letter"]["subject"] == letter.subject
        assert record.data["snapshot"]["version"] == 2
        assert letter.status == "rendered"  # the drain drew it once the chunk committed
    assert history_verify().ok


@pytest.mark.django_db
def test_a_case_named_twice_in_a_chunk_is_refused_as_stale_and_written_nothing():
    """Its second act sees the version its first raised; the chunk is played again without the case."""
    officer = f.officer()
    cases = planned(officer, 2)
    pairs = [(cases[0].pk, 1), (cases[1].pk, 1), (cases[0].pk, 1)]
    outcome = case_transition_bulk(name="request", actor=officer, data=DEADLINE, cases=pairs)
    assert [c.pk for c in outcome.done] == [cases[1].pk]
    assert [(r["case_id"], r["code"]) for r in outcome.refused] == [(cases[0].pk, "stale_version")]
    assert not HistoryEntry.objects.filter(case=cases[0], action="request").exists()
    assert not Letter.objects.filter(case=cases[0]).exists()
    assert Case.objects.get(pk=cases[0].pk).version == 1
    assert history_verify().ok


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True])
def test_a_row_an_addition_hands_over_is_stored_under_its_acts_record_single_or_bulk(bulk):
    """``ActAddition.row`` of a receiver that names no ``with_records``: stored with the act's record in a single
    act and in a bulk step's chunk alike, before its ``with_record`` runs."""
    from workflows.signals import ActAddition, case_transition_recording

    officer = f.officer()
    cases = planned(officer, 3)
    told = []

    def note_letter(sender, *, case, transition, actor, on, **kwargs):
        row = Letter(case=case, kind="reminder", recipient=case.recipient, issued_on=on, subject="覚書", content={},
                     created_by=actor)
        return ActAddition(record={"note": "覚書"}, with_record=lambda entry: told.append((row.pk, entry.pk)), row=row,
                           record_field="history_entry")

    case_transition_recording.connect(note_letter, dispatch_uid="test-note-letter")
    try:
        if bulk:
            case_transition_bulk(name="request", actor=officer, data=DEADLINE, cases=[(c.pk, c.version) for c in cases])
        else:
            for case in cases:
                case_transition(case_id=case.pk, name="request", actor=officer, data=DEADLINE, expected_version=1)
    finally:
        case_transition_recording.disconnect(dispatch_uid="test-note-letter")
    for case in cases:
        record = HistoryEntry.objects.get(case=case, action="request")
        note = Letter.objects.get(case=case, kind="reminder")
        assert note.history_entry_id == record.pk and record.data["note"] == "覚書"
        assert (note.pk, record.pk) in told
    assert len(told) == len(cases) and history_verify().ok
