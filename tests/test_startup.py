"""What a process does once Django is set up (web.apps.WebConfig.ready)."""

import gc
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_process_freezes_what_it_loaded_so_full_collections_skip_it():
    code = ("import gc, django; before = gc.get_freeze_count(); django.setup(); "
            "print(before, gc.get_freeze_count())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", "PATH": "/usr/bin:/bin"})
    before, after = map(int, out.stdout.split())
    assert after > before + 50_000  # the models, apps and libraries, out of the collector's walk


def test_the_collector_still_collects_what_comes_later():
    import weakref

    assert gc.isenabled() and gc.get_freeze_count() > 50_000  # this test process was set up the same way

    class Node:
        pass

    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle made after start-up
    gone = weakref.ref(first)
    del first, second
    # no gc.collect(): the collector's own young-generation pass, which new allocations start, finds it
    garbage = [[] for _ in range(gc.get_threshold()[0] * 3)]
    assert gone() is None and garbage
