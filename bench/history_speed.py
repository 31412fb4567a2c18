"""Chain verification and history export, in CPU seconds, against the first implementation in the same run.

    python bench/history_speed.py [--records 200000] [--xlsx 50000] [--db sqlite|postgres|both]

Lays down ``--records`` chained records (bulk inserted, hashes computed as
``history_append`` does) whose data has the shapes the history holds (an act's
amount and reason, amounts before and after, a payment run's recipients and
items) and awkward values (floats, nulls, nested lists, emoji, quotes, control
characters, times with and without microseconds), then measures, each in the
client's CPU seconds (``time.process_time``; PostgreSQL's server process too):

- the chain read that checkpoints and verification run on (every record's
  content hash recomputed): the reference (``tests/grants/history_reference.py``,
  the ORM read record by record) and ``grants.history._chain_rows``;
- ``history_verify`` as a whole (checkpoints signed first, outside the timing),
  over the reference read and over the current one;
- each export format, reference and current (XLSX over the first ``--xlsx``
  records), with the RSS growth, and checks that both give the same bytes (an XLSX: the
  same cells read back);
- `history_verify` with two worker processes: CPU here and in the workers, and wall time.

PostgreSQL: ``BENCH_PG_URL`` (default: the server ``scripts/ensure_postgres.sh`` makes); a database
``grants_bench_speed`` (or ``BENCH_PG_DATABASE``) is created afresh.
"""

import argparse
import hashlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import chain_stored, database_name
from signed_child import run_signed_child

ROOT = Path(__file__).resolve().parent.parent


def awkward_data(number: int) -> dict:
    """Data of the shapes the history holds, with awkward values now and then."""
    shape = number % 4
    if shape == 0:
        return {"fields": {"amount": number * 1000}, "reason": "事業費の見直し", "document_number": f"関厚発第{number}号"}
    if shape == 1:
        return {"amounts_before": {"total": number * 7, "parts": {"国庫": number, "県": None}},
                "amounts_after": {"total": number * 7 - 1, "parts": {"国庫": number - 1, "県": 0}},
                "reason": "=SUM(A1) 減額\t" if number % 8 == 1 else "減額（精算）", "version": number}
    if shape == 2:
        return {"date": "2025-04-01", "total": number * 13,
                "recipients": {f"11{n:04d}": n * 1000 for n in range(5)}, "items": list(range(number, number + 10))}
    return {"rate": number / 7, "none": None, "flag": number % 3 == 0, "text": "改行\n\"引用\" \\ 😀 \x07 end",
            "nested": {"z": [1, {"b": None, "a": 1.5e-7}], "prev_hash": "x"}, "big": 10**18 + number}


def chain_laid(records: int, *, actors, case, recipients) -> None:
    """``records`` hash-chained records of ``awkward_data`` after the chain's head, in one transaction, in bulk
    (5,000 to an INSERT): every other record by each of ``actors``, some about ``case`` or ``recipients``."""
    from datetime import datetime, timedelta

    from django.db import transaction
    from django.utils import timezone

    from grants import history
    from grants.models import HistoryEntry

    previous = HistoryEntry.objects.order_by("pk").values_list("hash", flat=True).last() or history.GENESIS_HASH
    started = datetime(2025, 4, 1, 0, 0, tzinfo=timezone.UTC)
    with transaction.atomic():
        chain_stored((
            HistoryEntry(
                occurred_at=started + timedelta(seconds=number, microseconds=(number * 7919) % 1_000_000 if number % 3 else 0),
                actor_id=actors[number % 2].pk, actor_role="system" if number % 2 == 0 else "officer",
                subject_type="case", subject_id=str(number), case_id=case.pk if number % 5 == 0 else None,
                fiscal_year=2025 if number % 7 else None, stream="community_support_grant" if number % 6 else "",
                recipient_id=recipients[number % 2].pk if number % 4 else None, action="submit",
                source="requested", target="submitted", data=awkward_data(number),
            )
            for number in range(records)
        ), previous)


def _cpu_pg(connection) -> float:
    """The PostgreSQL backend's CPU seconds so far (same machine), 0 on SQLite."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the verifier's worker processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssPeak:
    """The peak RSS growth while the block runs, sampled every 20 ms by a thread (an XLSX grows before its first chunk)."""

    def __enter__(self):
        self.before = self.peak = _rss_mb()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self.done.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def growth(self) -> float:
        return round(max(self.peak, _rss_mb()) - self.before, 1)

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()


def child(records: int, xlsx_records: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from grants import checkpoints, history, history_export
    from grants.models import HistoryEntry
    from grants.roles import system_user
    from tests import factories as f
    from tests.grants import history_reference as reference

    call_command("migrate", verbosity=0)
    actor = system_user()
    officer = f.officer(username="officer-bench")
    auditor = f.auditor(username="auditor-bench")
    recipients = [f.municipality(), f.municipality(code="122203", name="流山市", prefecture_code="12")]
    case = f.case(actor=officer)
    laying = time.process_time()
    chain_laid(records, actors=(actor, officer), case=case, recipients=recipients)
    laying = time.process_time() - laying
    records = HistoryEntry.objects.count()  # with the few the factories' acts wrote
    history.history_checkpoint()
    latest = checkpoints.latest_in_database()

    def cpu(function):
        client, server = time.process_time(), _cpu_pg(connection)
        value = function()
        return round(time.process_time() - client, 2), round(_cpu_pg(connection) - server, 2), value

    figures = {"db": connection.vendor, "records": records, "laying_cpu_s": round(laying, 1), "chain": {}, "export": {}}
    for name, rows in (("reference", reference.chain_rows), ("now", history._chain_rows)):
        client, server, intact = cpu(lambda rows=rows: sum(1 for _pk, _prev, stored, computed in rows() if stored == computed))
        assert intact == records, (name, intact)
        figures["chain"][name] = {"cpu_s": client, "server_cpu_s": server, "per_cpu_s": round(records / client)}
    current = history._chain_rows
    for name, rows in (("history_verify_reference", reference.chain_rows), ("history_verify", current)):
        history._chain_rows = rows  # the verifier over the reference read, then over the current one
        wall = time.perf_counter()
        client, server, result = cpu(history.history_verify)
        wall = time.perf_counter() - wall
        assert result.ok and result.checked == records, result
        figures["chain"][name] = {"cpu_s": client, "server_cpu_s": server, "per_cpu_s": round(records / client),
                                  "wall_s": round(wall, 2)}
    # Two worker processes (forked, each its own connection): this process's CPU, the workers' and the wall time.
    workers = 2
    wall, children = time.perf_counter(), _children_cpu()
    client, server, result = cpu(lambda: history.history_verify(workers=workers))
    wall, children = time.perf_counter() - wall, round(_children_cpu() - children, 2)
    assert result.ok and result.checked == records, result
    figures["chain"]["history_verify_parallel"] = {
        "workers": workers, "cpu_s": client, "workers_cpu_s": children, "server_cpu_s": server,
        "per_cpu_s": round(records / (client + children)), "wall_s": round(wall, 2),
        "per_wall_s": round(records / wall),
        # On two idle cores: the workers' CPU shared by both, this process's reading of the links overlapping theirs.
        "idle_two_cores_estimate_s": round(max(client, (client + children) / 2), 2),
    }

    entries = history_export.history_list_for_auditor(actor=auditor)
    last_xlsx = entries.values_list("pk", flat=True)[xlsx_records - 1 : xlsx_records].first()
    for fmt in ("csv", "jsonl", "xlsx"):
        subset = entries.filter(pk__lte=last_xlsx) if fmt == "xlsx" and last_xlsx else entries
        rows = subset.count()
        outputs = {}
        for name, exporter in (("reference", reference.EXPORTERS[fmt]), ("now", history_export.EXPORTERS[fmt][0])):
            with tempfile.TemporaryFile() as out, RssPeak() as rss:
                def run(exporter=exporter, out=out):
                    for chunk in exporter(subset, latest):
                        out.write(chunk)
                client, server, _ = cpu(run)
                growth = rss.growth()
                size = out.tell()
                out.seek(0)
                outputs[name] = out.read() if fmt == "xlsx" else hashlib.sha256(out.read()).hexdigest()
            figures["export"].setdefault(fmt, {})[name] = {
                "rows": rows, "cpu_s": client, "server_cpu_s": server, "per_cpu_s": round(rows / client),
                "mb": round(size / 2**20, 1), "rss_growth_mb": growth,
            }
        figures["export"][fmt]["same_bytes"] = same_export(fmt, outputs["reference"], outputs["now"])
    figures["load"] = os.getloadavg()
    print(json.dumps(figures))


def same_export(fmt: str, a, b) -> bool:
    """Byte for byte (CSV and JSON Lines: their SHA-256); an XLSX cell by cell as openpyxl reads it back
    (XlsxWriter writes its own XML: ``tests/grants/test_history_fast.py``, ``docs/dependencies.md``)."""
    if fmt != "xlsx":
        return a == b
    from tests.grants.test_history_fast import _unescaped, workbook_cells

    return _unescaped(workbook_cells(b)) == workbook_cells(a)


def run_child(db: str, records: int, xlsx_records: int) -> dict | None:
    return run_signed_child(__file__, db, database_name("grants_bench_speed"), "--records", str(records),
                            "--xlsx", str(xlsx_records))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--xlsx", type=int, default=50_000, help="records in the XLSX export (the first ones)")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.records, args.xlsx)
        return
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        figures = run_child(db, args.records, args.xlsx)
        if not figures:
            continue
        print(f"{db}: {figures['records']:,} records (laid down in {figures['laying_cpu_s']} CPU s), "
              f"load {' / '.join(f'{x:.1f}' for x in figures['load'])}")
        print(f"  {'step':<28}{'reference CPU s':>16}{'now CPU s':>11}{'ref /CPU s':>12}{'now /CPU s':>12}"
              f"{'server CPU s':>14}{'RSS +MB':>9}{'same':>6}")
        chain = figures["chain"]
        print(f"  {'chain read + hashes':<28}{chain['reference']['cpu_s']:>16}{chain['now']['cpu_s']:>11}"
              f"{chain['reference']['per_cpu_s']:>12,}{chain['now']['per_cpu_s']:>12,}"
              f"{chain['reference']['server_cpu_s']:>7} → {chain['now']['server_cpu_s']:<4}")
        ref, now = chain["history_verify_reference"], chain["history_verify"]
        print(f"  {'history_verify':<28}{ref['cpu_s']:>16}{now['cpu_s']:>11}{ref['per_cpu_s']:>12,}{now['per_cpu_s']:>12,}"
              f"{ref['server_cpu_s']:>7} → {now['server_cpu_s']:<4}")
        par = chain["history_verify_parallel"]
        print(f"  history_verify, {par['workers']} workers: CPU {par['cpu_s']} s here + {par['workers_cpu_s']} s in the "
              f"workers ({par['per_cpu_s']:,} records per CPU s), wall {par['wall_s']} s ({par['per_wall_s']:,}/s) "
              f"against {now['wall_s']} s in one process; on two idle cores ≈ {par['idle_two_cores_estimate_s']} s "
              f"({round(figures['records'] / par['idle_two_cores_estimate_s']):,}/s, estimate)")
        for fmt, pair in figures["export"].items():
            ref, now = pair["reference"], pair["now"]
            print(f"  {f'export {fmt} ({now['rows']:,} rows)':<28}{ref['cpu_s']:>16}{now['cpu_s']:>11}"
                  f"{ref['per_cpu_s']:>12,}{now['per_cpu_s']:>12,}{ref['server_cpu_s']:>7} → {now['server_cpu_s']:<4}"
                  f"{ref['rss_growth_mb']:>4}/{now['rss_growth_mb']:<4}{str(pair['same_bytes']):>6}")
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
