"""A render task draws its letter and a few others still waiting: each letter drawn once, numbered once, recorded once."""

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from grants.models import HistoryEntry
from letters.models import Letter
from letters.services import letters as letter_services
from letters.tasks import letter_render_task
from tests import factories as f

from .factories import act

pytestmark = pytest.mark.django_db
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SERIAL = re.compile(r"第(\d+)号$")


@pytest.fixture(autouse=True)
def queued(settings, tmp_path, today):
    """Acts queue their letters' tasks in the database, where nothing runs them until a test does."""
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


def test_one_task_draws_its_letter_and_the_oldest_others_waiting_up_to_the_batch(monkeypatch):
    letters = requests(10)  # more than a batch
    own = letters[3]
    assert letter_render_task.call(own.pk) == Letter.objects.get(pk=own.pk).sha256
    drawn = [letter for letter in letters if Letter.objects.get(pk=letter.pk).status == "rendered"]
    batch = letter_services.RENDER_BATCH
    assert {letter.pk for letter in drawn} == {own.pk, *[letter.pk for letter in letters if letter != own][: batch - 1]}
    for letter in drawn:
        assert_drawn_once(letter)
    # The letters drawn with another's task: their own tasks find them drawn and change nothing,
    # and the next task takes those still waiting.
    before = {letter.pk: (letter.document_number, letter.sha256) for letter in Letter.objects.filter(status="rendered")}
    for letter in letters:
        letter_render_task.call(letter.pk)
    for letter in letters:
        assert_drawn_once(letter)
    assert all(Letter.objects.get(pk=pk).document_number == number for pk, (number, _) in before.items())
    serials = sorted(int(SERIAL.search(letter.document_number).group(1)) for letter in Letter.objects.all())
    assert serials == list(range(1, len(letters) + 1))  # each numbered once, no gaps
    assert stored_files() == sorted(f"letter-{letter.pk}.pdf" for letter in letters)


def test_a_render_that_fails_leaves_its_letter_waiting_and_the_task_run_again_draws_it(monkeypatch):
    letters = requests(3)
    own = letters[0]
    draw = letter_services.render_letter

    def fail_on_own(content):
        if content.document_number == Letter.objects.get(pk=own.pk).document_number:
            raise RuntimeError("the drawing fails")
        return draw(content)

    monkeypatch.setattr(letter_services, "render_letter", fail_on_own)
    with pytest.raises(RuntimeError):
        letter_render_task.call(own.pk)
    # Nothing of the batch is stored or recorded; the numbers given stay with their letters.
    assert {letter.status for letter in Letter.objects.all()} == {"pending"}
    assert not HistoryEntry.objects.filter(action="letter_render").exists() and stored_files() == []
    numbered = dict(Letter.objects.values_list("pk", "document_number"))
    assert all(numbered.values())
    monkeypatch.setattr(letter_services, "render_letter", draw)
    letter_render_task.call(own.pk)  # run again, as an operator's render_letters or a retry would
    for letter in letters:
        assert_drawn_once(letter)
        assert Letter.objects.get(pk=letter.pk).document_number == numbered[letter.pk]


def test_a_companion_that_cannot_be_drawn_waits_for_its_own_task_and_fails_only_that(monkeypatch):
    letters = requests(3)
    own, broken = letters[0], letters[1]
    draw = letter_services.render_letter

    def fail_on_broken(content):
        if content.document_number == Letter.objects.get(pk=broken.pk).document_number:
            raise RuntimeError("this letter cannot be drawn")
        return draw(content)

    monkeypatch.setattr(letter_services, "render_letter", fail_on_broken)
    letter_render_task.call(own.pk)
    for letter in letters:
        if letter != broken:
            assert_drawn_once(letter)
    assert Letter.objects.get(pk=broken.pk).status == "pending" and renders(broken) == 0
    assert f"letter-{broken.pk}.pdf" not in stored_files()
    with pytest.raises(RuntimeError):
        letter_render_task.call(broken.pk)
    monkeypatch.setattr(letter_services, "render_letter", draw)
    letter_render_task.call(broken.pk)
    assert_drawn_once(Letter.objects.get(pk=broken.pk))


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_library_worker_runs_every_queued_task_and_draws_every_letter_once(live_db):
    letters = requests(6)
    tasks = DBTaskResult.objects.all()
    assert tasks.count() == len(letters)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert {task.status for task in tasks} == {"SUCCESSFUL"}
    for letter in letters:
        assert_drawn_once(letter)
    returned = {task.args_kwargs["args"][0]: task.return_value for task in tasks}
    assert returned == dict(Letter.objects.values_list("pk", "sha256"))
