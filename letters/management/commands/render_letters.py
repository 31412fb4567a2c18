"""``manage.py render_letters``: queue the PDFs of letters still waiting (after a worker outage, say)."""

from django.core.management.base import BaseCommand

from ...models import Letter, LetterStatus
from ...tasks import letter_render_task


class Command(BaseCommand):
    help = "Queue rendering for every letter whose PDF has not been drawn yet; rendering twice is harmless."

    def handle(self, *args, **options):
        pending = list(Letter.objects.filter(status=LetterStatus.PENDING).values_list("pk", flat=True))
        for letter_id in pending:
            letter_render_task.enqueue(letter_id)
        self.stdout.write(f"{len(pending)} letter(s) queued for rendering")
