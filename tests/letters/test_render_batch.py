"""The drain: one task draws every letter waiting, in batches; each letter drawn once, numbered once, recorded once."""

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from grants.models import HistoryEntry
from letters.models import Letter
from letters.services import letters as letter_services
from letters.services.letters import LettersNotDrawn, letter_issue
from letters.tasks import letter_render_task, letters_drain_task
from tests import factories as f
from tests.threads import at_once, errors

from .factories import act

pytestmark = pytest.mark.django_db
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SERIAL = re.compile(r"第(\d+)号$")
DRAIN = "letters.tasks.letters_drain_task"


@pytest.fixture(autouse=True)
def queued(settings, tmp_path, today):
    """Acts queue their letters' drain in the database, where nothing runs it until a test does."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE
    today(date(2026, 2, 2))


def requests(count: int) -> list[Letter]:
    """``count`` request acts, each sending its request letter (to the prefecture, naming the town), waiting."""
    officer = f.officer()
    for n in range(count):
        act(f.case(actor=officer, recipient=f.town(n)), "request", officer, deadline="2026-02-27")
    letters = list(Letter.objects.order_by("pk"))
    assert len(letters) == count and {letter.status for letter in letters} == {"pending"}
    return letters


def renders(letter: Letter) -> int:
    return HistoryEntry.objects.filter(action="letter_render", subject_id=str(letter.pk)).count()


def stored_files() -> list[str]:
    return sorted(path.name for path in Path(letter_services.default_storage.location).rglob("*.pdf"))


def serials() -> list[int]:
    return sorted(int(SERIAL.search(letter.document_number).group(1)) for letter in Letter.objects.all())


def assert_drawn_once(letter: Letter) -> None:
    letter.refresh_from_db()
    assert letter.status == "rendered" and renders(letter) == 1
    with letter.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == letter.sha256
    record = HistoryEntry.objects.get(action="letter_render", subject_id=str(letter.pk))
    assert record.data == {
        "case": letter.case_id, "document_number": letter.document_number, "sha256": letter.sha256,
        "file": letter.pdf.name,
    }


def assert_all_drawn_once(letters: list[Letter]) -> None:
    for letter in letters:
        assert_drawn_once(letter)
    assert serials() == list(range(1, len(letters) + 1))  # each numbered once, no gaps
    # no file but the letters' own (SQLite: of two workers drawing one letter, the second's file is removed)
    assert stored_files() == sorted(Path(Letter.objects.get(pk=letter.pk).pdf.name).name for letter in letters)


def drains():
    return DBTaskResult.objects.filter(task_path=DRAIN)


def run_worker(name: str) -> None:
    """django-tasks-db's own worker loop, as ``db_worker --batch`` runs it (without its signal handlers, which only
    the main thread may install): it claims READY tasks until none is left."""
    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=name, excluded_queue_names=[],
    ).run()


def test_many_acts_queue_one_drain_which_draws_every_letter_waiting_once_in_batches():
    letters = requests(letter_services.RENDER_BATCH + 3)  # more than a batch
    # Each act found the drain the first one queued still READY and relied on it.
    assert [(task.task_path, task.status, task.args_kwargs["args"]) for task in DBTaskResult.objects.all()] == [
        (DRAIN, "READY", [])
    ]
    assert letters_drain_task.call() == len(letters)
    assert_all_drawn_once(letters)
    assert drains().count() == 1  # a helper is queued only when none is READY: the acts' one still is
    before = dict(Letter.objects.values_list("pk", "sha256"))
    assert letters_drain_task.call() == 0  # run again: nothing waits, nothing changes
    assert dict(Letter.objects.values_list("pk", "sha256")) == before
    assert_all_drawn_once(letters)


def test_a_letter_that_cannot_be_drawn_is_tried_once_the_others_are_drawn_and_the_drain_fails_naming_it(monkeypatch):
    letters = requests(letter_services.RENDER_BATCH + 3)
    broken = letters[1]
    draw, tries = letter_services.render_letter, []

    def fail_on_broken(content):
        if content.document_number == Letter.objects.get(pk=broken.pk).document_number:
            tries.append(broken.pk)
            raise RuntimeError("this letter cannot be drawn")
        return draw(content)

    monkeypatch.setattr(letter_services, "render_letter", fail_on_broken)
    with pytest.raises(LettersNotDrawn, match=rf"letter\(s\) {broken.pk} could not be drawn") as failure:
        letters_drain_task.call()
    assert failure.value.letter_ids == [broken.pk] and failure.value.drawn == len(letters) - 1
    assert tries == [broken.pk]  # skipped for the rest of the run: never a loop on it
    for letter in letters:
        if letter != broken:
            assert_drawn_once(letter)
    broken.refresh_from_db()
    assert broken.status == "pending" and renders(broken) == 0 and broken.document_number
    assert f"letter-{broken.pk}.pdf" not in stored_files()
    number = broken.document_number
    monkeypatch.setattr(letter_services, "render_letter", draw)
    assert letters_drain_task.call() == 1  # the next drain (or render_letters') draws it, keeping its number
    assert_all_drawn_once(letters)
    assert Letter.objects.get(pk=broken.pk).document_number == number


def test_a_drain_that_draws_a_batch_with_more_waiting_queues_a_helper_where_workers_skip_locked_letters():
    letters = requests(3 * letter_services.RENDER_BATCH)
    drains().update(status="RUNNING")  # claimed by a worker, as the drain running below is
    assert letters_drain_task.call() == len(letters)
    # PostgreSQL: a second worker may help (it skips the letters this one holds). SQLite: it would draw the same
    # letters again, so none is queued.
    helpers = ["READY"] if connection.features.has_select_for_update_skip_locked else []
    assert list(drains().exclude(status="RUNNING").values_list("status", flat=True)) == helpers
    assert_all_drawn_once(letters)


def test_drains_that_cannot_draw_anything_fail_once_and_queue_no_other(live_db, monkeypatch):
    """Every letter broken (a font gone, say): the worker's drain fails naming them all, and stops there."""
    letters = requests(2 * letter_services.RENDER_BATCH + 1)

    def fail(content):
        raise RuntimeError("nothing can be drawn")

    monkeypatch.setattr(letter_services, "render_letter", fail)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    (drain,) = drains()
    assert drain.status == "FAILED" and "LettersNotDrawn" in drain.exception_class_path
    assert ", ".join(str(letter.pk) for letter in letters) in drain.traceback
    assert set(Letter.objects.values_list("status", flat=True)) == {"pending"}
    assert not HistoryEntry.objects.filter(action="letter_render").exists()


def test_render_letters_says_how_many_wait_and_queues_a_drain(capsys):
    letters = requests(3)
    call_command("render_letters")
    assert "3 letter(s) waiting" in capsys.readouterr().out
    assert list(drains().values_list("status", flat=True)) == ["READY", "READY"]
    assert letters_drain_task.call() == 3
    assert_all_drawn_once(letters)


def test_a_task_of_the_version_before_the_drain_still_draws_its_letter():
    """Rows an older version queued name ``letter_render_task`` with a letter's id (migration letters.0001)."""
    letter = requests(1)[0]
    assert letter_render_task.call(letter.pk) == Letter.objects.get(pk=letter.pk).sha256
    assert_all_drawn_once([letter])


def test_the_library_worker_runs_the_drain_and_draws_every_letter_once(live_db):
    letters = requests(letter_services.RENDER_BATCH + 3)
    assert drains().count() == 1
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert set(drains().values_list("status", flat=True)) == {"SUCCESSFUL"}
    # the acts' drain drew them all; a helper it queued (PostgreSQL: more than a batch waited) found none left
    assert sorted(drains().values_list("return_value", flat=True)) in ([len(letters)], [0, len(letters)])
    assert_all_drawn_once(letters)


def test_two_workers_drain_everything_each_letter_drawn_numbered_and_recorded_once(live_db):
    letters = requests(3 * letter_services.RENDER_BATCH)
    call_command("render_letters", verbosity=0)  # a second drain, so each worker starts with one
    outcomes = at_once(lambda: run_worker("w1"), lambda: run_worker("w2"))
    assert not errors(outcomes), outcomes
    assert set(drains().values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert not drains().filter(worker_ids=[]).exists()
    assert sum(drains().values_list("return_value", flat=True)) == len(letters)
    assert_all_drawn_once(letters)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks (SQLite serialises writers)")
def test_an_act_holds_the_ready_drain_it_relies_on_so_a_worker_claims_it_only_after_the_act_commits(live_db):
    drawn = requests(1)
    letters_drain_task.call()  # the drain queued by that act is still READY, with nothing left to draw
    (drain,) = drains()
    assert drain.status == "READY"
    officer = f.officer()
    case = f.case(actor=officer, recipient=f.town(7))
    with transaction.atomic():  # an act that stores a letter (letter_issue: the service every letter goes through)
        letter_issue(case=case, actor=officer, kind="request")
        assert list(drains()) == [drain]  # the act queued none: it relies on this one, and holds its row
        # A worker, on its own connection, claims with SELECT … FOR UPDATE SKIP LOCKED: it skips the row and,
        # in batch mode, stops, finding nothing else to run.
        assert not errors(at_once(lambda: run_worker("early")))
        drain.refresh_from_db()
        assert drain.status == "READY" and drain.worker_ids == []
    (letter,) = Letter.objects.exclude(pk=drawn[0].pk)
    assert letter.status == "pending"
    assert not errors(at_once(lambda: run_worker("after")))  # the act committed: the worker claims it now
    drain.refresh_from_db()
    assert drain.status == "SUCCESSFUL" and drain.worker_ids == ["after"] and drain.return_value == 1
    assert_all_drawn_once([*drawn, letter])
