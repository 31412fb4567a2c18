"""A national fiscal year end to end, and ten national years for the page and export figures.

    python bench/national.py --years 1  [--db sqlite|postgres] [--workers N] [--municipalities N]
    python bench/national.py --years 10 [--db sqlite|postgres] [--municipalities N]

``--years 1`` plays FY2023 for every local government in the database through
the real services (``bench/national_year.py`` says what happens), with
``--workers`` ``manage.py db_worker`` processes drawing the letters as the acts
queue them (default: 2 on PostgreSQL, 1 on SQLite). The clock runs from the
first act until the last letter is drawn. Then it times the batch PDF of the
initial grant's request letters (one per municipality) and the hash chain's
verification.

``--years 10`` lays down FY2019–FY2028 with bulk inserts (``bench/national_fixture.py``:
≈90k cases, ≈1M history records whose hash chain verifies, ≈250k letters) and
measures the six pages (p95 server time, queries) at 1k and at 90k cases, the
history export (rows/s and memory growth) and the chain's verification.

Recipients: the national list when ``manage.py load_local_governments``
exists (every local government under its official code), else 1,741
municipalities made up across the 47 prefectures with the models as they are.

Production settings (DEBUG off). SQLite runs in a temporary directory;
PostgreSQL uses ``BENCH_PG_URL`` (default: the local server) and a database
``grants_perf_national1`` or ``grants_perf_national10`` (and ``grants_perf_small``)
created afresh; ``BENCH_PG_DATABASE`` names another (``{years}`` in it is replaced), so two runs
on one server do not drop each other's. ``--keep`` leaves the database (and
prints its URL) for a look afterwards.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import database_name, national_environment, scratch_database

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG_DATABASE = database_name("grants_perf_national{years}")  # {years}: 1 or 10


def _django() -> None:
    sys.path[:0] = [str(ROOT), str(BENCH)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _emit(result: dict) -> None:
    print("RESULT " + json.dumps(result, default=str), flush=True)


def _log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- child steps (Django set up)


def child_prepare() -> None:
    """Schema and recipients: the national list, or one made up with today's models."""
    _django()
    from django.core.management import call_command, get_commands

    from national_fixture import recipients_made_up

    call_command("migrate", verbosity=0)
    if "load_local_governments" in get_commands():
        call_command("load_local_governments", verbosity=0)
        source = "national list (load_local_governments)"
    else:
        recipients_made_up()
        source = "made up (no load_local_governments command yet)"
    from grants.models import Recipient

    _emit({"recipients": Recipient.objects.count(), "source": source})


def child_year(municipalities: int | None) -> None:
    """Play the year; wait for the workers to draw every letter; time the batch PDF and the chain check."""
    _django()
    from django.db import connection

    from grants.history import history_verify
    from letters.models import Letter, LetterBatch, LetterKind, LetterStatus
    from letters.selectors import letter_batch_pdf_read
    from letters.services import letter_batch_create
    from national_year import YEAR, Scenario

    scenario = Scenario(log=_log, municipalities=municipalities)
    scenario.setup()
    scenario.plan()
    started = time.perf_counter()
    cpu = time.process_time()
    scenario.run()
    acts_done = time.perf_counter() - started
    acts_cpu = time.process_time() - cpu
    _log(f"acts done in {acts_done:.0f}s; waiting for the workers")
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    pending = Letter.objects.filter(status=LetterStatus.PENDING)
    queued = DBTaskResult.objects.filter(status__in=("READY", "RUNNING"))
    requeued = 0
    while pending.exists():
        if not queued.exists():  # a drain failed (SQLite: "database is locked"): queue another, as an operator would
            requeued += pending.count()
            call_command("render_letters", verbosity=0)
        time.sleep(0.5)
    end_to_end = time.perf_counter() - started
    failed = DBTaskResult.objects.filter(status="FAILED")
    failures = sorted({line for text in failed.values_list("traceback", flat=True) for line in text.splitlines()[-1:]})
    summary = scenario.summary()
    # The initial grant's request letters, one per municipality, as one batch to print.
    requests = Letter.objects.filter(
        kind=LetterKind.REQUEST, case__fiscal_year_id=YEAR, case__procedure="initial_grant",
        case__stream="community_support_grant", batch__isnull=True,
    ).values_list("pk", flat=True)
    batch = letter_batch_create(actor=scenario.bosses[0], letter_ids=list(requests), title="当初交付申請依頼")
    began = time.perf_counter()
    merged = letter_batch_pdf_read(batch=LetterBatch.objects.get(pk=batch.pk))
    batch_seconds = time.perf_counter() - began
    began = time.perf_counter()
    verified = history_verify()
    verify_seconds = time.perf_counter() - began
    _emit({
        **summary,
        "acts_seconds": round(acts_done, 1), "acts_cpu_seconds": round(acts_cpu, 1),
        "end_to_end_seconds": round(end_to_end, 1),
        "failed_tasks": failed.count(), "failures": failures, "requeued": requeued,
        "batch_letters": batch.letters.count(), "batch_pdf_seconds": round(batch_seconds, 2),
        "batch_pdf_mb": round(len(merged) / 2**20, 2),
        "chain_ok": verified.ok, "chain_checked": verified.checked,
        "verify_records_per_s": round(verified.checked / verify_seconds),
        "database": connection.vendor,
    })


# ---------------------------------------------------------------- the parent


def _child(env: dict, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench step {args[0]} failed")
    results = [line[len("RESULT "):] for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(results[-1])


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run_year(args, env: dict) -> dict:
    prepared = _child(env, "--child", "prepare")
    _log(f"recipients: {prepared['recipients']} ({prepared['source']})")
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--worker-id", f"bench-{n}"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for n in range(args.workers)
    ]
    try:
        load_before = _load()
        result = _child(env, "--child", "year", *(["--municipalities", str(args.municipalities)] if args.municipalities else []))
        worker_cpu = sum(_cpu_seconds(worker.pid) for worker in workers)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    return {**result, "recipients": prepared, "workers": args.workers, "workers_cpu_seconds": round(worker_cpu, 1),
            "load_before": load_before, "load_after": _load()}


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_year(result: dict) -> None:
    print(f"national year FY2023 on {result['database']}, {result['workers']} worker(s); "
          f"load average before {result['load_before']}, after {result['load_after']}")
    print(f"  recipients: {result['recipients']['recipients']} ({result['recipients']['source']})")
    print(f"  cases {result['cases']:,}, transitions {result['transitions']:,}, history records {result['history']:,}, "
          f"letters {result['letters']:,}, payment runs {result['payment_runs']}, payments {result['payments']:,}, "
          f"return claims {result['return_claims']:,}")
    print(f"  acts {result['acts_seconds']}s (CPU {result['acts_cpu_seconds']}s in the acting process); "
          f"end to end, last letter drawn: {result['end_to_end_seconds']}s; "
          f"the workers' CPU {result['workers_cpu_seconds']}s")
    print(f"  batch of {result['batch_letters']:,} request letters as one PDF: {result['batch_pdf_seconds']}s, "
          f"{result['batch_pdf_mb']} MB")
    print(f"  chain: {'verifies' if result['chain_ok'] else 'BROKEN'}, {result['chain_checked']:,} records, "
          f"{result['verify_records_per_s']:,} records/s")
    print(f"  acts by kind: {result['acts']}")
    print(f"  seconds by phase: {result['phase_seconds']}")
    if result["refused"]:
        print(f"  REFUSED: {result['refused']}")
    if result["failed_tasks"]:
        print(f"  render tasks failed: {result['failed_tasks']} ({result['failures']}); letters queued again: {result['requeued']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, choices=(1, 10), default=1)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--workers", type=int, help="db_worker processes (default: 2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--municipalities", type=int, help="fewer municipalities, for a quick run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step = args.child[0]
        if step == "prepare":
            child_prepare()
        elif step == "year":
            child_year(args.municipalities)
        else:
            import national_figures

            _django()
            national_figures.child(step, args)
        return
    args.workers = args.workers or (2 if args.db == "postgres" else 1)
    workdir = Path(tempfile.mkdtemp(prefix="national-"))
    database_url = scratch_database(args.db, f"{workdir}/national.sqlite3", PG_DATABASE.format(years=args.years))
    if database_url is None:
        raise SystemExit(1)
    # Production settings: DEBUG off, a secret key, history checkpoints signed as records come, every prefecture
    # served; testserver: the pages of --years 10 are requested through Django's test client.
    env = national_environment(database_url, workdir / "media", DJANGO_ALLOWED_HOSTS="localhost,testserver")
    _log(f"database {database_url}; files in {workdir}")
    if args.years == 1:
        print_year(run_year(args, env))
    else:
        import national_figures

        national_figures.run_ten_years(args, env, _child, _log)
    if args.keep:
        print(f"kept: DATABASE_URL={database_url} DJANGO_MEDIA_ROOT={workdir / 'media'}")


if __name__ == "__main__":
    main()
