"""Background work of the letters app, run by ``manage.py db_worker`` (django-tasks-db)."""

from django.tasks import task


@task()
def letter_render_task(letter_id: int) -> str:
    """Draw and store one letter's PDF, and with it a few others still waiting; returns its SHA-256.

    Safe to run again: a letter another task drew with its own is left alone.
    """
    # Imported here: the letter services enqueue this task, so they import this module.
    from .services.letters import RENDER_BATCH, letter_render

    return letter_render(letter_id=letter_id, others=RENDER_BATCH - 1).sha256


@task()
def letters_render_task(letter_ids: list[int]) -> list[str]:
    """Draw and store the PDFs of several letters (those a bulk step issued in one commit), in turn; returns
    their SHA-256. Safe to run again: a letter already drawn is left alone."""
    from .services.letters import letter_render

    digests, failed = [], None
    for letter_id in letter_ids:
        try:
            digests.append(letter_render(letter_id=letter_id).sha256)
        except Exception as exc:  # the others are still drawn; the task fails, and its retry draws what is left
            failed = failed or exc
    if failed is not None:
        raise failed
    return digests
