"""Soak the API with schemathesis: thousands of generated requests per role, counted by status.

    python bench/fuzz.py [--requests 5000] [--db sqlite|postgres|both] [--roles officer,auditor,...]

The same requests and checks as tests/test_fuzz.py (tests/fuzzing.py: no 5xx,
statuses, content types and bodies as /api/openapi.json describes them, every
4xx in the error shape), but random rather than fixed and repeated until each
role (officer, supervisor, auditor, administrator, nobody signed in) has sent
``--requests``. Production settings (DEBUG off), in process through the WSGI
application, on a scratch database made for the run: a SQLite file, or on
PostgreSQL (``BENCH_PG_URL``, default: the server ``scripts/ensure_postgres.sh``
sets up) a database named after the URL's with ``_fuzz`` (``grants_fuzz``) made
afresh. Exits non-zero on any failure.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import name_after_url, production_environment, scratch_database

ROOT = Path(__file__).resolve().parent.parent


def child(target: int, roles: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from tests.fuzzing import fuzz_role, load_schema, users

    schema = load_schema()
    people = users()
    results = {}
    for role in roles:
        started, total, statuses, failures = time.monotonic(), 0, {}, []
        per_example = None  # requests one example per operation and mode makes, found by the first round
        while total < target:
            examples = 1 if per_example is None else max(1, -(-(target - total) // per_example))
            tally = fuzz_role(schema, people[role], examples=examples, derandomize=False)
            per_example = per_example or tally.requests
            total += tally.requests
            for status, count in tally.statuses.items():
                statuses[status] = statuses.get(status, 0) + count
            failures += tally.failures
        results[role] = {"requests": total, "statuses": dict(sorted(statuses.items())), "failures": failures,
                         "seconds": round(time.monotonic() - started, 1)}
    print(json.dumps({"vendor": connection.vendor, "roles": results}))


def run_child(db: str, target: int, roles: list[str]) -> dict | None:
    # PostgreSQL: the run's own database, named after the URL's (grants → grants_fuzz), so runs on other databases
    # don't clash.
    database_url = scratch_database(db, f"{tempfile.mkdtemp(prefix='fuzz-')}/fuzz.sqlite3", name_after_url("_fuzz"))
    if database_url is None:
        return None
    env = production_environment(
        DATABASE_URL=database_url, DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
        DJANGO_MEDIA_ROOT=tempfile.mkdtemp(prefix="fuzz-media-"), DJANGO_LOG_LEVEL="CRITICAL",
    )
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--requests", str(target), "--roles", ",".join(roles)],
        env=env, cwd=ROOT, capture_output=True, text=True,  # stderr: Django's line for every 4xx
    )
    if out.returncode != 0:
        print(out.stderr[-5000:], file=sys.stderr)
        raise SystemExit(f"{db}: the fuzz run failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from tests.fuzzing import ROLES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000, help="at least this many requests per role")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    roles = args.roles.split(",")
    if args.child:
        child(args.requests, roles)
        return
    failed = False
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        result = run_child(db, args.requests, roles)
        if result is None:
            continue
        print(f"{result['vendor']}:")
        for role, tally in result["roles"].items():
            fives = sum(count for status, count in tally["statuses"].items() if int(status) >= 500)
            statuses = ", ".join(f"{status}: {count}" for status, count in tally["statuses"].items())
            print(f"  {role:<11}{tally['requests']:>7} requests in {tally['seconds']:>6} s   5xx: {fives}   "
                  f"failures: {len(tally['failures'])}   by status: {statuses}")
            for failure in tally["failures"][:3]:
                print("    " + failure.replace("\n", "\n    "))
            failed = failed or bool(tally["failures"]) or fives > 0
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
