"""``manage.py render_letters``: queue a drain of the letters still waiting (after a worker outage, say)."""

from django.core.management.base import BaseCommand

from ...models import Letter, LetterStatus
from ...tasks import letters_drain_task


class Command(BaseCommand):
    help = "Queue one drain, which draws every letter whose PDF has not been drawn yet; drawing twice is harmless."

    def handle(self, *args, **options):
        waiting = Letter.objects.filter(status=LetterStatus.PENDING).count()
        letters_drain_task.enqueue()
        self.stdout.write(f"{waiting} letter(s) waiting; a drain is queued to draw them")
