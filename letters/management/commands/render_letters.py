"""``manage.py render_letters``: queue a drain of the letters still waiting (after a worker outage, say)."""

from django.core.management.base import BaseCommand

from ...services import letters_drain_queue


class Command(BaseCommand):
    help = "Queue one drain, which draws every letter whose PDF has not been drawn yet; drawing twice is harmless."

    def handle(self, *args, **options):
        waiting = letters_drain_queue()
        self.stdout.write(f"{waiting} letter(s) waiting; a drain is queued to draw them")
