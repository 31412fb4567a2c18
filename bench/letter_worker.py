"""CPU a queued letter costs in ``manage.py db_worker``: the queue, numbering, drawing, storing and the record.

    python bench/letter_worker.py --from-database grants_perf_national1 [--letters 2000] [--workers 1] [--code DIR]

Copies a PostgreSQL database the national year left (``bench/national.py --years 1``,
whose letters are all drawn) as a template, puts its latest ``--letters`` letters back
to waiting (no file, no hash; those numbered when drawn lose their number too), queues
their drawing as the code under test does (one drain task per worker: acts queue one
and a drain queues a helper for a second worker; the code before queued a render task
per letter: the queueing step runs from ``--code``), and runs ``--workers``
``db_worker --batch`` processes until the queue is empty. Prints the workers' CPU seconds (user + system)
and wall seconds, and checks every letter was drawn once with a stored file whose
SHA-256 is the recorded one. ``--code`` runs the workers from another checkout (the
code before a change, for a baseline in the same conditions).
"""

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import drop_database, fresh_database, national_environment  # noqa: E402

NUMBERED_WHEN_DRAWN = ("request", "covering_request", "reminder", "overdue_demand", "payment_notice", "presentation")


def _prepare(count: int, workers: int) -> list[int]:
    """Put the latest ``count`` letters back to waiting and queue a drain for each of ``workers``; their ids."""
    import django

    django.setup()
    from django.db import transaction

    from letters.models import Letter, LetterStatus
    from letters.tasks import letters_drain_task

    ids = list(Letter.objects.order_by("-pk").values_list("pk", flat=True)[:count])
    with transaction.atomic():
        letters = Letter.objects.filter(pk__in=ids)
        letters.update(status=LetterStatus.PENDING, sha256="", pdf="", rendered_at=None)
        letters.filter(kind__in=NUMBERED_WHEN_DRAWN).update(document_number="")
        for _worker in range(workers):
            letters_drain_task.enqueue()
    return ids


def _check(ids: list[int]) -> dict:
    import django

    django.setup()
    from grants.models import HistoryEntry
    from letters.models import Letter

    letters = Letter.objects.filter(pk__in=ids)
    drawn = letters.filter(status="rendered").count()
    mismatched = 0
    for letter in letters.filter(status="rendered"):
        with letter.pdf.open("rb") as stored:
            mismatched += hashlib.sha256(stored.read()).hexdigest() != letter.sha256
    records = HistoryEntry.objects.filter(action="letter_render", subject_id__in=[str(pk) for pk in ids])
    recorded = records.count() - len(ids)  # each letter was recorded once by the national run already
    return {"drawn": drawn, "recorded": recorded, "hash_mismatch": mismatched}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-database", required=True, help="a PostgreSQL database a national year left")
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout the workers run from (default: this one)")
    parser.add_argument("--child", choices=("prepare", "check"), help=argparse.SUPPRESS)
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "prepare":
        print(",".join(map(str, _prepare(args.letters, args.workers))))
        return
    if args.child == "check":
        print(_check([int(pk) for pk in Path(args.ids).read_text().split(",")]))
        return

    copy = f"{args.from_database}_worker"
    copy_url = fresh_database(copy, template=args.from_database)
    if copy_url is None:
        raise SystemExit(1)
    workdir = Path(tempfile.mkdtemp(prefix="letter-worker-"))
    env = national_environment(copy_url, workdir / "media", DJANGO_SETTINGS_MODULE="config.settings")
    me = [sys.executable, __file__, "--from-database", args.from_database, "--letters", str(args.letters)]
    queue = [sys.executable, str(args.code / "bench" / "letter_worker.py"), *me[2:], "--workers", str(args.workers)]
    ids = subprocess.run([*queue, "--child", "prepare"], env=env, cwd=args.code, check=True, capture_output=True,
                         text=True)
    (workdir / "ids").write_text(ids.stdout.strip())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, load = time.perf_counter(), os.getloadavg()
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--worker-id", f"w{n}", "-v0"],
            env=env, cwd=args.code,
        )
        for n in range(args.workers)
    ]
    for worker in workers:
        worker.wait()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    checked = subprocess.run([*me, "--child", "check", "--ids", str(workdir / "ids")], env=env, cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout.strip()
    print(f"code {args.code}: {args.letters} letters, {args.workers} worker(s): CPU {cpu:.1f}s "
          f"({cpu / args.letters * 1000:.1f} ms a letter), wall {wall:.1f}s; load before "
          f"{' '.join(f'{x:.1f}' for x in load)}; {checked}")
    drop_database(copy)


if __name__ == "__main__":
    main()
