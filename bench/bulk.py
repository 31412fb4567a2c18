"""The officer's bulk request: one request to every municipality of a stream and year, letters queued.

    python bench/bulk.py [--n 1741] [--chunk 200] [--db sqlite|postgres|both]

Two sets of ``--n`` planned cases (community support grant, initial grant, one
per municipality). The first is requested the way the bulk page did it before
chunks: ``case_transition`` once per case, each its own transaction and
commit (the baseline). The second goes through ``case_transition_bulk``:
chunks of ``--chunk`` cases sharing one commit and their reads and writes,
each case still with its own version check, permission and conditions,
history record and letter row (the letters' drain queued once, with the first chunk).
Both in the same run, on production settings (SQLite: WAL,
``synchronous=FULL``); the chain is verified afterwards. ``--profile FILE``
writes cProfile statistics of the bulk path.

PostgreSQL: ``BENCH_PG_URL`` (default: the local server); a database
``grants_perf_bulk`` (or ``BENCH_PG_DATABASE``) is created afresh.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import database_name, national_environment, scratch_database

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = database_name("grants_perf_bulk")  # another name for runs side by side


def child(n: int, chunk: int) -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from grants.history import history_verify
    from grants.models import Case, Recipient, RecipientKind
    from letters.models import Letter
    from tests import factories as f
    from workflows import services

    call_command("migrate", verbosity=0)
    call_command("load_local_governments", verbosity=0)
    towns = list(Recipient.objects.active().filter(kind=RecipientKind.MUNICIPALITY).order_by("code")[:n])
    prefectures = sorted({town.prefecture_code for town in towns})
    officer = f.officer(prefectures=tuple(prefectures), username="bulk-officer")
    deadline = (date.today() + timedelta(days=60)).isoformat()

    def planned(year: int) -> list[Case]:
        f.fiscal_year(year)
        return Case.objects.bulk_create(
            Case(fiscal_year_id=year, stream="community_support_grant", procedure="initial_grant", recipient=town,
                 officer=officer)
            for town in towns
        )

    result = {"vendor": connection.vendor, "n": len(towns)}
    # A few acts first, so both timings start warm (imports, prepared statements).
    for case in planned(2030)[:20]:
        services.case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": deadline},
                                 expected_version=case.version)
    cases = planned(2025)
    started, cpu = time.perf_counter(), time.process_time()
    for case in cases:
        services.case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": deadline},
                                 expected_version=case.version)
    result["one_by_one_s"], result["one_by_one_cpu_s"] = time.perf_counter() - started, time.process_time() - cpu
    bulk = getattr(services, "case_transition_bulk", None)
    if bulk is not None:
        cases = planned(2026)
        started, cpu = time.perf_counter(), time.process_time()
        profiler = None
        if os.environ.get("BULK_PROFILE"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        outcome = bulk(name="request", actor=officer, data={"deadline": deadline},
                       cases=[(case.pk, case.version) for case in cases], chunk_size=chunk)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(os.environ["BULK_PROFILE"])
        result["bulk_s"], result["bulk_cpu_s"] = time.perf_counter() - started, time.process_time() - cpu
        result["bulk_done"], result["bulk_refused"] = len(outcome.done), len(outcome.refused)
        result["bulk_letters"] = Letter.objects.filter(case__fiscal_year_id=2026).count()
    verified = history_verify()
    result["chain_ok"], result["records"] = verified.ok, verified.checked
    print("RESULT " + json.dumps(result))


def run(db: str, n: int, chunk: int) -> dict | None:
    """The child's result on ``db``; None when PostgreSQL cannot be reached."""
    workdir = tempfile.mkdtemp(prefix="bulk-")
    database_url = scratch_database(db, f"{workdir}/bulk.sqlite3", PG_DATABASE)
    if database_url is None:
        return None
    env = national_environment(database_url, f"{workdir}/media")
    out = subprocess.run([sys.executable, __file__, "--child", "--n", str(n), "--chunk", str(chunk)], env=env, cwd=ROOT,
                         stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{db}: bulk bench failed")
    return json.loads(next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))[7:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1741, help="municipalities (cases per set)")
    parser.add_argument("--chunk", type=int, default=200, help="cases per commit in the bulk path")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--profile", metavar="FILE", help="write cProfile statistics of the bulk path to FILE")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.n, args.chunk)
        return
    if args.profile:
        os.environ["BULK_PROFILE"] = os.path.abspath(args.profile)
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        r = run(db, args.n, args.chunk)
        if r is None:
            continue
        line = (f"{r['vendor']}: {r['n']} requests one by one {r['one_by_one_s']:.2f}s, CPU {r['one_by_one_cpu_s']:.2f}s "
                f"({r['one_by_one_s'] / r['n'] * 1000:.2f} ms each)")
        if "bulk_s" in r:
            line += (f"; in chunks of {args.chunk} {r['bulk_s']:.2f}s, CPU {r['bulk_cpu_s']:.2f}s "
                     f"({r['bulk_s'] / r['n'] * 1000:.2f} ms each, "
                     f"{r['n'] / r['bulk_s']:,.0f}/s), {r['bulk_done']} done, {r['bulk_refused']} refused, "
                     f"{r['bulk_letters']} letters")
        print(f"{line}; chain {'ok' if r['chain_ok'] else 'BROKEN'} ({r['records']} records); load before {load}")


if __name__ == "__main__":
    main()
