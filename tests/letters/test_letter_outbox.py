"""With the database queue, a letter's render task commits with the act that issued it, or not at all."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from letters.models import Letter
from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(TASKS=DATABASE_QUEUE)
def test_request_letter_and_its_render_task_are_written_by_the_act():
    officer = f.officer()
    case = f.case(actor=officer)
    case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2025-09-01"}, expected_version=1)
    letter = Letter.objects.get(case=case, kind="request")
    assert letter.status == "pending"
    # one letter (a single request sends no covering letter: it is itself the prefecture's), queued once
    assert [task.args_kwargs["args"] for task in DBTaskResult.objects.all()] == [[letter.pk]]


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_library_worker_draws_the_letter_the_act_queued(live_db, settings, tmp_path):
    """The task row the act committed is run by django-tasks-db's own worker, which draws and stores the PDF."""
    settings.MEDIA_ROOT = tmp_path
    officer = f.officer()
    case = f.case(actor=officer)
    case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2025-09-01"}, expected_version=1)
    letter = Letter.objects.get(kind="request", case=case)
    task = next(task for task in DBTaskResult.objects.all() if task.args_kwargs["args"] == [letter.pk])
    assert task.status == "READY" and task.backend_name == "default" and task.enqueued_at is not None
    assert task.task_path == "letters.tasks.letter_render_task" and task.worker_ids == []
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    task.refresh_from_db()
    letter = Letter.objects.get(kind="request", case=case)
    assert task.status == "SUCCESSFUL" and task.return_value == letter.sha256
    assert letter.status == "rendered" and letter.pdf.name


@override_settings(TASKS=DATABASE_QUEUE)
def test_an_act_that_fails_after_queueing_its_letter_leaves_neither_letter_nor_task(monkeypatch):
    from letters.services import letters

    queue = letters._enqueue_render

    def queue_then_fail(letter_id):
        queue(letter_id)
        assert DBTaskResult.objects.exists()  # queued inside the act's transaction
        raise RuntimeError("the act fails after its letter was queued")

    monkeypatch.setattr(letters, "_enqueue_render", queue_then_fail)
    officer = f.officer()
    case = f.case(actor=officer)
    with pytest.raises(RuntimeError):
        case_transition(case_id=case.pk, name="request", actor=officer, data={}, expected_version=1)
    case.refresh_from_db()
    assert case.state == "planned"
    assert not Letter.objects.exists() and not DBTaskResult.objects.exists()
