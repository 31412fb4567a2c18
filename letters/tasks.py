"""Background work of the calendars app, run by ``manage.py db_worker`` (django-tasks-db)."""

from django.tasks import task


@task()
def letter_render_task(letter_id: int) -> str:
    """Draw and store one letter's PDF; returns its SHA-256. Safe to run again."""
    # Imported here: the letter services enqueue this task, so they import this module.
    from .services.letters import letter_render

    return letter_render(letter_id=letter_id).sha256
