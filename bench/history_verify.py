"""Chain verification, one checkout against another, taking turns on the same chain: CPU per record and wall.

    python bench/history_verify.py [--records 200000] [--db sqlite|postgres|both] [--rounds 3] [--code DIR ...]

Lays down ``--records`` chained records of ``bench/history_speed.py``'s shapes
(an act's amount and reason, amounts before and after, a payment run's
recipients and items, awkward values) with this checkout's code, signs their
checkpoints (one per ``HISTORY_CHECKPOINT_EVERY`` records, copies in the
checkpoint directory), then runs ``history_verify`` in one process and with two
worker processes (``workers=2``), with the code of each ``--code`` checkout in
turn (default: this one; give an older checkout first to compare, e.g. a clean
copy of ``main`` made with ``git archive``), ``--rounds`` times, each run in a
fresh process. Each run reports the CPU seconds of the verifying process, of
its worker processes and, on PostgreSQL, of every server process it used (read
as each connection closes); the figure kept for each checkout is its run with
the least CPU. On two idle cores the work spreads to about
max(verifier, all CPU / 2): the estimate of records per second printed beside
the wall time of a shared machine.

PostgreSQL: ``BENCH_PG_URL`` (default: the server ``scripts/ensure_postgres.sh`` makes), database
``BENCH_PG_DATABASE`` (default ``grants_bench_verify``).
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from common import database_name
from signed_child import run_child, signed_env

ROOT = Path(__file__).resolve().parent.parent


def lay(records: int) -> None:
    """The chain, with this checkout's code, and its checkpoints."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from history_speed import chain_laid

    from grants import history
    from grants.models import HistoryEntry
    from grants.roles import system_user
    from tests import factories as f

    call_command("migrate", verbosity=0)
    actor, officer = system_user(), f.officer(username="officer-bench")
    recipients = [f.municipality(), f.municipality(code="122203", name="流山市", prefecture_code="12")]
    case = f.case(actor=officer)
    chain_laid(records, actors=(actor, officer), case=case, recipients=recipients)
    signed = history.history_checkpoint()
    if connection.vendor == "postgresql":  # hint bits and statistics set now, not by the first run measured
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {HistoryEntry._meta.db_table}")
    assert history.history_verify().ok  # and the chain verifies (this reads it once before the runs measured)
    print(json.dumps({"records": HistoryEntry.objects.count(), "checkpoints": len(signed)}))


def measure(code: str) -> None:
    """``history_verify`` with one process and with two workers, the code of the checkout ``code``."""
    sys.path.insert(0, str(Path(code).resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import DEFAULT_DB_ALIAS, connections

    from grants import history

    database = connections[DEFAULT_DB_ALIAS]
    log = Path(os.environ["HISTORY_CHECKPOINT_DIR"]).parent / f"server-cpu-{os.getpid()}.log"

    def server_cpu() -> float:
        """The CPU seconds so far of the PostgreSQL process serving this connection (same machine), 0 on SQLite."""
        if database.vendor != "postgresql" or database.connection is None:
            return 0.0
        with database.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:  # nanoseconds on a CPU: ``stat``'s user and system clock ticks (10 ms) each cut a process's figure short
            return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
        except OSError:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    close = database.close

    def close_logged():  # each server process's CPU as its connection closes, here and in the forked workers
        spent = server_cpu()
        if spent:
            with log.open("a") as out:
                out.write(f"{spent}\n")
        close()

    database.close = close_logged
    figures = {"code": code, "vendor": database.vendor}
    for workers in (1, 2):
        database.ensure_connection()
        log.write_text("")
        before = (server_cpu(), time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter())
        result = history.history_verify(workers=workers)
        wall = time.perf_counter() - before[3]
        here = time.process_time() - before[1]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        in_workers = children.ru_utime + children.ru_stime - before[2].ru_utime - before[2].ru_stime
        server = sum(float(line) for line in log.read_text().split()) + server_cpu() - before[0]
        assert result.ok, result.as_dict()
        figures[f"workers_{workers}"] = {
            "records": result.checked, "cpu_s": round(here, 3), "workers_cpu_s": round(in_workers, 3),
            "server_cpu_s": round(server, 3), "wall_s": round(wall, 3),
        }
    log.unlink()
    figures["load"] = os.getloadavg()
    print(json.dumps(figures))


def report(db: str, runs: list[dict]) -> None:
    for workers in (1, 2):
        for code in dict.fromkeys(run["code"] for run in runs):
            mine = [run[f"workers_{workers}"] for run in runs if run["code"] == code]
            best = min(mine, key=lambda one: one["cpu_s"] + one["workers_cpu_s"] + one["server_cpu_s"])
            client = best["cpu_s"] + best["workers_cpu_s"]
            total = client + best["server_cpu_s"]
            idle = max(best["cpu_s"], total / workers) if workers > 1 else total
            print(f"  {db} {code}, workers={workers}: CPU {best['cpu_s']} s here + {best['workers_cpu_s']} s in workers "
                  f"+ {best['server_cpu_s']} s server = {total:.3f} s ({best['records'] / client / 1000:.1f}k records per "
                  f"client CPU s, {best['records'] / total / 1000:.1f}k with the server's); wall {best['wall_s']} s "
                  f"(walls {', '.join(str(one['wall_s']) for one in mine)})"
                  + (f"; on two idle cores ≈ {best['records'] / idle / 1000:.0f}k records/s (estimate)" if workers > 1 else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", action="append", help="a checkout whose history_verify is measured (repeatable)")
    parser.add_argument("--lay", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.lay:
        lay(args.records)
        return
    if args.measure:
        measure(args.measure)
        return
    codes = args.code or [str(ROOT)]
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        env = signed_env(db, database_name("grants_bench_verify"))
        if env is None:
            continue
        laid = run_child(env, [__file__, "--lay", "--records", str(args.records)], db)
        print(f"{db}: {laid['records']:,} records, {laid['checkpoints']} checkpoints")
        runs = []
        for _round in range(args.rounds):
            for code in codes:
                runs.append(run_child(env, [__file__, "--measure", code], db))
                print(f"  {json.dumps(runs[-1])}")
        report(db, runs)


if __name__ == "__main__":
    main()
