"""Background work of the letters app, run by ``manage.py db_worker`` (django-tasks-db)."""

from django.tasks import task


@task()
def letters_drain_task() -> int:
    """Draw, number, store and record every letter still waiting; returns how many it drew.

    Acts that store letters queue it unless one is READY already
    (docs/architecture.md#after-commit). It fails, after drawing the others,
    naming the letters it could not draw. Safe to run again, and from two workers at once.
    """
    # Imported here: the letter services enqueue this task, so they import this module.
    from .services import letters_drain

    return letters_drain()


@task()
def letter_render_task(letter_id: int) -> str:
    """Draw and store one letter's PDF; returns its SHA-256.

    Queued by versions before the drain, one task per letter (migration
    ``letters.0001`` names it): kept so such rows still in a queue run after an
    upgrade. Nothing queues it any more.
    """
    from .services.letters import letter_render

    return letter_render(letter_id=letter_id).sha256
