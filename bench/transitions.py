"""Audited transitions per second, against a raw-SQL floor measured in the same run.

    python bench/transitions.py [--n 400] [--rounds 3] [--db sqlite|postgres|both] [--order breadth|depth]

Each case goes through the six steps request → submit → start_review → draft →
approve → notify with ``workflows.services.case_transition`` (permission,
version check, conditions, state change and hash-chained history record, one
transaction each). The cases are driven breadth first, as the peer benchmark
drives its engines: the first step for every case, then the second, and so on
(``--order depth`` takes each case through all six before the next, as this
benchmark did until 2026-12-07; the engine and the floors follow the same
order). The floor does what a hand-written engine minimally must: one UPDATE
of the case guarded by its version plus one INSERT of a history row, in one
transaction, on the same connection and durability settings — once on
bare tables (as the peer benchmark's floor), once on our own case table and
a copy of our history table with its indexes ("schema floor"), and once as the
same two statements through Django's ORM ("ORM floor": what Django itself adds
before any rule runs). Rounds interleave engine and floors; the medians are
reported. The engine runs with a key to sign the history's checkpoints, as in
production (one every 500 records, once the act commits); the floors' records
stay out of that chain.

PostgreSQL: ``BENCH_PG_URL`` (default: the server ``scripts/ensure_postgres.sh``
sets up); a database named after the URL's with ``_bench`` (``grants_bench``)
is created afresh for the run.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import name_after_url, production_environment, scratch_database, signing_key_pem

ROOT = Path(__file__).resolve().parent.parent
# request and notify also issue a letter (row, history record, a drain queued or relied on) and notify the payable items.
STEPS = ("request", "submit", "start_review", "draft", "approve", "notify")


def child(n: int, rounds: int, clients: int, order: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from tests import factories as f
    from workflows.services import case_transition

    officer, boss = f.officer(prefectures=("11",)), f.supervisor()
    for year in (2025,):
        f.budget_notice(year, "community_support_grant", amount=10**15, by=boss)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_case (id INTEGER PRIMARY KEY, state VARCHAR(30), version INTEGER)")
        cursor.execute(
            "CREATE TABLE bench_history (id %s PRIMARY KEY, case_id INTEGER, action VARCHAR(40), "
            "source VARCHAR(30), target VARCHAR(30), data TEXT, occurred_at TIMESTAMP)"
            % ("BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER")
        )

    from grants.models import HistoryEntry

    floor_history = twin_history()  # the floors' records, kept out of the chain the engine appends to

    def new_year_cases(year: int, tag: str, count: int) -> list:
        """``count`` fresh cases in fiscal year ``year``, created for them (one case per procedure-year)."""
        from grants.models import Case, FiscalYear

        fiscal_year = FiscalYear.objects.create(year=year)
        return [
            Case.objects.create(fiscal_year=fiscal_year, stream="community_support_grant", procedure="initial_grant",
                                recipient=f.municipality(code=f"11-{tag}-{i}", name=f"町{i}"), officer=officer)
            for i in range(count)
        ]

    def make_cases(round_no: int, count: int) -> list:
        """Fresh cases for the engine, with a budget notice covering their year."""
        cases = new_year_cases(2040 + round_no, f"b{round_no}", count)
        f.budget_notice(2040 + round_no, "community_support_grant", amount=10**15, by=boss)
        return cases

    def walk(items):
        """(item, k, step) in the run's order: every item's step k before any item's step k + 1 (breadth), or
        each item through all six steps before the next (depth)."""
        if order == "breadth":
            return ((item, k, step) for k, step in enumerate(STEPS) for item in items)
        return ((item, k, step) for item in items for k, step in enumerate(STEPS))

    # The states the floors write, in step order (the engine's own for initial_grant).
    case_states = ("planned", "requested", "submitted", "under_review", "drafted", "approved", "notified")

    data = {"request": {"deadline": "2031-09-01"}, "submit": {"amount": 1_000_000}, "draft": {"amount": 1_000_000}}

    def drive(cases: list, timings: dict | None = None) -> None:
        for case, k, step in walk(cases):
            actor = boss if step == "approve" else officer
            began = time.perf_counter()
            case_transition(case_id=case.pk, name=step, actor=actor, data=data.get(step, {}),
                            expected_version=case.version + k)
            if timings is not None:
                timings.setdefault(step, []).append(time.perf_counter() - began)

    def engine_round(round_no: int) -> float:
        cases = make_cases(round_no, n)
        start = time.perf_counter()
        drive(cases, per_step)
        return n * len(STEPS) / (time.perf_counter() - start)

    states = ("planned",) + tuple(f"s{k}" for k in range(len(STEPS)))

    def floor_drive(ids: range) -> None:
        for i, k, step in walk(ids):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE bench_case SET state = %s, version = version + 1 WHERE id = %s AND version = %s",
                    [states[k + 1], i, k + 1],
                )
                cursor.execute(
                    "INSERT INTO bench_history (case_id, action, source, target, data, occurred_at) "
                    "VALUES (%s, %s, %s, %s, %s, CURRENT_TIMESTAMP)",
                    [i, step, states[k], states[k + 1], '{"by": 1}'],
                )

    def floor_cases(base: int) -> range:
        with connection.cursor() as cursor:
            for i in range(base, base + n):
                cursor.execute("INSERT INTO bench_case (id, state, version) VALUES (%s, 'planned', 1)", [i])
        return range(base, base + n)

    def floor_round(round_no: int) -> float:
        """Peer-style floor: a bare case table and a bare history table (primary keys only)."""
        ids = floor_cases(round_no * 1_000_000)
        start = time.perf_counter()
        floor_drive(ids)
        return n * len(STEPS) / (time.perf_counter() - start)

    def concurrently(work, chunks: list) -> float:
        """Transitions/s of ``len(chunks)`` forked clients, each on its own connection, started together."""
        import multiprocessing

        from django.db import connections

        context = multiprocessing.get_context("fork")
        connections.close_all()
        barrier = context.Barrier(len(chunks) + 1)

        def client(chunk) -> None:
            connection.ensure_connection()
            barrier.wait()
            work(chunk)
            connections.close_all()

        processes = [context.Process(target=client, args=(chunk,)) for chunk in chunks]
        for process in processes:
            process.start()
        barrier.wait()
        start = time.perf_counter()
        for process in processes:
            process.join()
        elapsed = time.perf_counter() - start
        if any(process.exitcode for process in processes):
            raise SystemExit("a benchmark client failed")
        return sum(len(chunk) for chunk in chunks) * len(STEPS) / elapsed

    def schema_floor_round(round_no: int) -> float:
        """The same UPDATE + INSERT on our own tables, with their indexes and constraints."""
        cases = new_year_cases(2070 + round_no, f"f{round_no}", n)
        start = time.perf_counter()
        for case, k, step in walk(cases):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE grants_case SET state = %s, version = version + 1, updated_at = CURRENT_TIMESTAMP "
                    "WHERE id = %s AND version = %s",
                    [case_states[k + 1], case.pk, k + 1],
                )
                cursor.execute(
                    f"INSERT INTO {floor_history._meta.db_table} (occurred_at, actor_id, actor_role, subject_type, "
                    "subject_id, case_id, fiscal_year, stream, recipient_id, action, source, target, data, prev_hash, "
                    "hash) "
                    "VALUES (CURRENT_TIMESTAMP, %s, 'officer', 'case', %s, %s, %s, 'community_support_grant', %s, "
                    "%s, %s, %s, %s, %s, %s)",
                    [officer.pk, str(case.pk), case.pk, case.fiscal_year_id, case.recipient_id, step,
                     case_states[k], case_states[k + 1], '{"by": 1}', "0" * 64, f"floor-{case.pk}-{k}"],
                )
        return n * len(STEPS) / (time.perf_counter() - start)

    def orm_floor_round(round_no: int) -> float:
        """The schema floor's UPDATE + INSERT written with Django's ORM: what Django adds before any rule runs."""
        from django.db.models import F
        from django.utils import timezone

        from grants.models import Case

        cases = new_year_cases(2060 + round_no, f"o{round_no}", n)
        start = time.perf_counter()
        for case, k, step in walk(cases):
            with transaction.atomic():
                now = timezone.now()
                Case.objects.filter(pk=case.pk, version=k + 1).update(
                    state=case_states[k + 1], version=F("version") + 1, updated_at=now
                )
                floor_history.objects.create(
                    occurred_at=now, actor=officer, actor_role="officer", subject_type="case",
                    subject_id=str(case.pk), case=case, fiscal_year=case.fiscal_year_id, stream=case.stream,
                    recipient_id=case.recipient_id, action=step, source=case_states[k], target=case_states[k + 1],
                    data={"by": 1}, prev_hash="0" * 64, hash=f"floor-orm-{case.pk}-{k}",
                )
        return n * len(STEPS) / (time.perf_counter() - start)

    per_step: dict[str, list[float]] = {}
    engine_round(-1)  # warm-up: imports, caches, first plans
    per_step.clear()
    engine, floor, schema_floor, orm_floor = [], [], [], []
    for round_no in range(rounds):
        floor.append(floor_round(round_no))
        schema_floor.append(schema_floor_round(round_no))
        orm_floor.append(orm_floor_round(round_no))
        engine.append(engine_round(round_no))
    # Several clients at once (officers at their desks): the same work split over ``clients`` processes.
    shared = {}
    if clients > 1:
        ids = list(floor_cases(900 * 1_000_000))
        shared["floor"] = concurrently(floor_drive, [ids[k::clients] for k in range(clients)])
        cases = make_cases(50, n)
        shared["engine"] = concurrently(drive, [cases[k::clients] for k in range(clients)])
    from grants.history import entry_hash
    from grants.models import HistoryCheckpoint

    # The chain, after sequential and concurrent appends: every record links to the record before it and
    # matches its hash.
    previous, chain_ok = "0" * 64, True
    for entry in HistoryEntry.objects.order_by("pk").iterator(chunk_size=2000):
        chain_ok = chain_ok and entry.prev_hash == previous and entry_hash(entry) == entry.hash
        previous = entry.hash
    step_ms = {step: round(statistics.median(times) * 1000, 2) for step, times in per_step.items()}
    # the mean is what the peer benchmark prints per step (it times each step kind as a whole)
    step_mean_ms = {step: round(statistics.mean(times) * 1000, 2) for step, times in per_step.items()}
    print(json.dumps({"vendor": connection.vendor, "engine": engine, "floor": floor, "schema_floor": schema_floor,
                      "orm_floor": orm_floor, "clients": clients, "shared": shared,
                      "step_ms": step_ms, "step_mean_ms": step_mean_ms,
                      "chain_ok": chain_ok, "records": HistoryEntry.objects.count(),
                      "checkpoints": HistoryCheckpoint.objects.count()}))


def twin_history():
    """A model on a copy of the history table made for the floors, with the table's columns, indexes and foreign
    keys (not its append-only triggers): the floors write what the engine writes, and their records, which carry
    no real hashes, stay out of the chain the engine appends to and signs checkpoints over. (Django set up.)"""
    from django.db import connection, models

    from grants.models import HistoryEntry

    table, twin = HistoryEntry._meta.db_table, "bench_historyentry"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {twin} (LIKE {table} INCLUDING ALL)")
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = %s::regclass AND contype = 'f'", [table])
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {twin} ADD CONSTRAINT {name.replace(table, twin)} {definition}")
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = %s AND type IN ('table', 'index') "
                           "AND sql IS NOT NULL ORDER BY type DESC", [table])
            for (sql,) in cursor.fetchall():  # each index under a name of its own
                cursor.execute(re.sub(r'INDEX "([^"]+)"', r'INDEX "bench_\1"', sql.replace(table, twin), count=1))
    fields = {}
    for field in HistoryEntry._meta.local_fields:
        name, _path, args, kwargs = field.deconstruct()
        fields[name] = type(field)(*args, **({**kwargs, "related_name": "+"} if field.is_relation else kwargs))
    meta = type("Meta", (), {"app_label": "grants", "db_table": twin, "managed": False})
    return type("FloorHistoryEntry", (models.Model,), {"__module__": __name__, "Meta": meta, **fields})


def run_child(db: str, n: int, rounds: int, clients: int, order: str, tasks_backend: str) -> dict | None:
    # PostgreSQL: the run's own database, named after the URL's (grants → grants_bench), so runs on other databases
    # don't clash.
    database_url = scratch_database(db, f"{tempfile.mkdtemp(prefix='bench-')}/bench.sqlite3", name_after_url("_bench"))
    if database_url is None:
        return None
    # Production settings (DEBUG off: Django's debug cursor would time and keep every statement), with a key to
    # sign the history's checkpoints (every HISTORY_CHECKPOINT_EVERY records, after the act's commit, as in
    # production; without one each attempt fails and is logged).
    env = production_environment(DATABASE_URL=database_url, DJANGO_TASKS_BACKEND=tasks_backend,
                                 HISTORY_SIGNING_KEY=signing_key_pem())
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--n", str(n), "--rounds", str(rounds), "--clients", str(clients),
         "--order", order],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        raise SystemExit(f"{db}: benchmark failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400, help="cases per round (6 transitions each)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4, help="then the same work from this many processes at once")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--order", choices=("breadth", "depth"), default="breadth",
                        help="step 1 of every case, then step 2, … (as the peer benchmark drives them), or each case "
                             "through all six steps before the next")
    parser.add_argument("--tasks-backend", default="django_tasks_db.DatabaseBackend", help="the letters' task queue")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.n, args.rounds, args.clients, args.order)
        return
    print(f"{'database':<11}{'engine tr/s':>12}{'engine ms':>10}{'floor tr/s':>12}{'× floor':>9}"
          f"{'schema floor':>14}{'× schema':>10}  chain")
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        result = run_child(db, args.n, args.rounds, args.clients, args.order, args.tasks_backend)
        if result is None:
            continue
        engine = statistics.median(result["engine"])
        floor = statistics.median(result["floor"])
        schema = statistics.median(result["schema_floor"])
        orm = statistics.median(result["orm_floor"])
        print(f"{result['vendor']:<11}{engine:>12,.0f}{1000 / engine:>10.2f}{floor:>12,.0f}{floor / engine:>8.1f}×"
              f"{schema:>14,.0f}{schema / engine:>9.1f}×  {'ok' if result['chain_ok'] else 'BROKEN'}"
              f" ({result['records']} records, {result['checkpoints']} checkpoints signed)")
        print(f"{'':<11}floors against the bare floor: schema {floor / schema:.1f}×, "
              f"ORM (the same two statements through Django) {orm:,.0f} tr/s = {floor / orm:.1f}×")
        print(f"{'':<11}ms per step (median): " + ", ".join(f"{k} {v}" for k, v in result["step_ms"].items()))
        print(f"{'':<11}ms per step (mean, as the peer benchmark reports it): "
              + ", ".join(f"{k} {v}" for k, v in result["step_mean_ms"].items()))
        if result["shared"]:
            shared = result["shared"]
            print(f"{'':<11}{result['clients']} clients at once: engine {shared['engine']:,.0f} tr/s, "
                  f"floor {shared['floor']:,.0f} tr/s, {shared['floor'] / shared['engine']:.1f}× floor")
    print(f"({args.rounds} interleaved rounds of {args.n} cases × {len(STEPS)} steps, {args.order} first;"
          " medians of transitions/s;"
          " floor: UPDATE + INSERT on bare tables; schema floor: the same on our indexed tables;"
          " ORM floor: the schema floor through QuerySet.update and Model.save."
          " Target: ≥ 500 tr/s, ≤ 3× floor)")


if __name__ == "__main__":
    main()
