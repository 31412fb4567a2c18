"""With the database queue, the drain that draws a letter is queued (or relied on) by the act that issued it,
and commits with it or not at all."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from letters.models import Letter
from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


DRAIN = "letters.tasks.letters_drain_task"


def request(officer, case):
    case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2025-09-01", "occurred_on": "2025-08-01"}, expected_version=1)
    return Letter.objects.get(case=case, kind="request")


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_first_act_queues_a_drain_and_the_next_ones_rely_on_it_while_it_is_ready():
    officer = f.officer()
    letter = request(officer, f.case(actor=officer))
    assert letter.status == "pending"
    (drain,) = DBTaskResult.objects.all()
    assert (drain.task_path, drain.status, drain.args_kwargs) == (DRAIN, "READY", {"args": [], "kwargs": {}})
    for n in range(3):
        request(officer, f.case(actor=officer, recipient=f.town(n)))
    assert list(DBTaskResult.objects.all()) == [drain]
    # Once a worker has claimed it, it may have looked for letters already: the next act queues a drain of its own.
    DBTaskResult.objects.filter(pk=drain.pk).update(status="RUNNING")
    request(officer, f.case(actor=officer, recipient=f.town(9)))
    assert sorted(DBTaskResult.objects.values_list("status", "task_path")) == [("READY", DRAIN), ("RUNNING", DRAIN)]


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_library_worker_draws_the_letter_the_act_queued(live_db, settings, tmp_path):
    """The task row the act committed is run by django-tasks-db's own worker, which draws and stores the PDF."""
    settings.MEDIA_ROOT = tmp_path
    officer = f.officer()
    case = f.case(actor=officer)
    case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2025-09-01", "occurred_on": "2025-08-01"}, expected_version=1)
    letter = Letter.objects.get(kind="request", case=case)
    (task,) = DBTaskResult.objects.all()
    assert task.status == "READY" and task.backend_name == "default" and task.enqueued_at is not None
    assert task.task_path == DRAIN and task.worker_ids == []
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    task.refresh_from_db()
    letter = Letter.objects.get(kind="request", case=case)
    assert task.status == "SUCCESSFUL" and task.return_value == 1
    assert letter.status == "rendered" and letter.pdf.name


@override_settings(TASKS=DATABASE_QUEUE)
def test_an_act_that_fails_after_queueing_its_letter_leaves_neither_letter_nor_task(monkeypatch):
    from letters.services import letters

    queue = letters._drain_follows

    def queue_then_fail(*found):
        queue(*found)
        assert DBTaskResult.objects.exists()  # queued inside the act's transaction
        raise RuntimeError("the act fails after its letter was queued")

    monkeypatch.setattr(letters, "_drain_follows", queue_then_fail)
    officer = f.officer()
    case = f.case(actor=officer)
    with pytest.raises(RuntimeError):
        case_transition(case_id=case.pk, name="request", actor=officer, data={}, expected_version=1)
    case.refresh_from_db()
    assert case.state == "planned"
    assert not Letter.objects.exists() and not DBTaskResult.objects.exists()
