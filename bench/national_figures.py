"""The figures of ``bench/national.py --years 10``: pages, history export and chain verification.

Each figure runs in a child process of its own (``child``) against a database
the fixture laid down: the six pages at about 1k cases (one year, 150
municipalities) and at ten national years (≈90k cases); the export and the
verification on the ten years.

Pages are requested in-process through Django's test client (middleware,
sessions, templates and all: the server's time without the network), as the
user who works from them, ``--rounds`` times after a warm-up; p95 and median
are reported with the page's query count.
"""

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from common import fresh_database

ROOT = Path(__file__).resolve().parent.parent
SMALL_DATABASE = "grants_perf_small"
ROUNDS = 40
LIMITED = {"xlsx": 200_000}  # records exported per format when not the whole history


def run_ten_years(args, env: dict, run_child, log) -> None:
    """Lay down both databases, then take every figure; print the table."""
    small_env = dict(env, DATABASE_URL=_small_url(env["DATABASE_URL"]))
    results = {}
    for name, environment, extra in (("1k", small_env, ["--years", "1"]), ("90k", env, [])):
        run_child(environment, "--child", "prepare")
        started = time.perf_counter()
        laid = run_child(environment, "--child", "fixture", "--years", "1" if name == "1k" else "10",
                         *(["--municipalities", str(args.municipalities)] if args.municipalities else []))
        log(f"{name}: laid down in {time.perf_counter() - started:.0f}s: {laid}")
        results[name] = {"fixture": laid, "pages": run_child(environment, "--child", "pages")}
    exports = {fmt: run_child(env, "--child", f"export-{fmt}") for fmt in ("csv", "jsonl", "xlsx")}
    verify = run_child(env, "--child", "verify")
    print_ten_years(results, exports, verify)


def _small_url(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url.replace("national.sqlite3", "small.sqlite3")
    small = fresh_database(SMALL_DATABASE)
    if small is None:
        raise SystemExit(1)
    return small


def print_ten_years(results: dict, exports: dict, verify: dict) -> None:
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"ten national years; load average now {load}")
    for name, result in results.items():
        print(f"  {name}: {result['fixture']}")
    print(f"{'page':<16}{'p95 1k':>10}{'p95 90k':>10}{'median 90k':>12}{'p95 CPU 90k':>13}{'queries 1k':>12}{'queries 90k':>12}")
    small, large = results["1k"]["pages"], results["90k"]["pages"]
    for page in large["pages"]:
        s, g = small["pages"][page], large["pages"][page]
        print(f"{page:<16}{s['p95_ms']:>8.1f}ms{g['p95_ms']:>8.1f}ms{g['median_ms']:>10.1f}ms{g['p95_cpu_ms']:>11.1f}ms"
              f"{s['queries']:>12}{g['queries']:>12}")
    for fmt, figure in exports.items():
        print(f"export {fmt:<6} {figure['rows']:,} rows in {figure['seconds']:.1f}s = {figure['rows_per_s']:,} rows/s "
              f"({figure['rows_per_cpu_s']:,} per CPU second), "
              f"{figure['mb']:.0f} MB, RSS +{figure['rss_growth_mb']:.1f} MB (load {figure['load']})")
    print(f"verify: {verify['checked']:,} records in {verify['seconds']:.1f}s = {verify['records_per_s']:,} records/s "
          f"({verify['records_per_cpu_s']:,} per CPU second), "
          f"{'ok' if verify['ok'] else 'BROKEN'} (load {verify['load']})")


def _emit(result: dict) -> None:
    print("RESULT " + json.dumps(result, default=str), flush=True)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def child(step: str, args) -> None:
    if step == "fixture":
        from national_fixture import YEARS, Fixture

        years = YEARS if args.years == 10 else YEARS[-1:]
        municipalities = args.municipalities if args.years == 10 else 150
        started = time.perf_counter()
        counts = Fixture(years=years, municipalities=municipalities, log=lambda text: print(text, file=sys.stderr)).lay_down()
        _emit({**{k: v for k, v in counts.items() if k != "letter_numbers"}, "seconds": round(time.perf_counter() - started)})
    elif step == "pages":
        _emit(pages())
    elif step.startswith("export-"):
        _emit(export(step.removeprefix("export-")))
    elif step == "verify":
        from grants.history import history_verify

        started, cpu = time.perf_counter(), time.process_time()
        result = history_verify()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        _emit({"ok": result.ok, "checked": result.checked, "seconds": seconds, "cpu_seconds": cpu,
               "records_per_s": round(result.checked / seconds), "records_per_cpu_s": round(result.checked / cpu),
               "load": _load()})
    else:
        raise SystemExit(f"unknown step {step}")


def pages() -> dict:
    """The six pages as the user who works from each: p95 and median milliseconds, queries."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from grants.models import Case, CaseState, HistoryEntry

    users = get_user_model().objects
    officer, boss, auditor = users.get(username="officer-01"), users.get(username="supervisor-a"), users.get(username="auditor-a")
    year = Case.objects.order_by("-fiscal_year_id").values_list("fiscal_year_id", flat=True).first()
    case = (Case.objects.filter(officer=officer, fiscal_year_id=year, state=CaseState.DRAFTED).first()
            or Case.objects.filter(officer=officer).order_by("-pk").first())
    deadline = Case.objects.filter(fiscal_year_id=year, deadline_effective__isnull=False).order_by("deadline_effective")
    month = deadline.values_list("deadline_effective", flat=True).first()
    urls = {
        "worklist": (officer, "/cases/"),
        "case page": (officer, f"/cases/{case.pk}/"),
        "calendar month": (boss, f"/calendar/?view=month&month={month:%Y-%m}&fiscal_year={year}"),
        "history search": (auditor, f"/history/?fiscal_year={year}&stream=community_support_grant"),
        "dashboard": (boss, f"/dashboard/?fiscal_year={year - 1}"),
        "approval queue": (boss, "/approvals/"),
    }
    figures = {}
    clients = {}
    for page, (user, url) in urls.items():
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user)
        assert client.get(url, secure=True).status_code == 200, url  # warm-up (secure: production settings redirect HTTP)
        with CaptureQueriesContext(connection) as captured:
            client.get(url, secure=True)
        queries = len(captured)  # now: the next request clears the connection's log
        times, cpu_times = [], []
        for _ in range(ROUNDS):
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
            assert response.status_code == 200, url
        times.sort()
        cpu_times.sort()
        figures[page] = {"url": url, "queries": queries, "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
                         "median_ms": round(statistics.median(times), 1),
                         "p95_cpu_ms": round(cpu_times[int(len(cpu_times) * 0.95) - 1], 1)}
    return {"cases": Case.objects.count(), "history": HistoryEntry.objects.count(), "pages": figures, "load": _load()}


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(fmt: str) -> dict:
    """The whole history through the export the auditor downloads, streamed to nowhere; rows/s and RSS growth."""
    from django.contrib.auth import get_user_model

    from grants import checkpoints
    from grants.history_export import EXPORTERS, history_list_for_auditor

    auditor = get_user_model().objects.get(username="auditor-a")
    entries = history_list_for_auditor(actor=auditor)
    if fmt in LIMITED:  # the first records only: the rate is the figure, and the whole history would take too long
        last = entries.values_list("pk", flat=True)[LIMITED[fmt] - 1 : LIMITED[fmt]].first()
        entries = entries.filter(pk__lte=last) if last else entries
    rows = entries.count()
    exporter = EXPORTERS[fmt][0]
    before = peak = _rss_mb()
    size = 0
    started, cpu = time.perf_counter(), time.process_time()
    # The latest stored checkpoint as the trailer (signing one first would time the signing, not the export).
    for n, chunk in enumerate(exporter(entries, checkpoints.latest_in_database())):
        size += len(chunk)
        if n % 20000 == 0:
            peak = max(peak, _rss_mb())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = max(peak, _rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"format": fmt, "rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds),
            "cpu_seconds": round(cpu, 1), "rows_per_cpu_s": round(rows / cpu),
            "mb": size / 2**20, "rss_growth_mb": round(peak - before, 1), "load": _load()}
