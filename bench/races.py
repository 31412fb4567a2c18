"""A thousand races between two officers in separate processes, through gunicorn on PostgreSQL.

    .venv/bin/python bench/races.py [--races 1000] [--cases 40] [--workers 3] [--seed N] [--keep]

A fresh demo deployment (PostgreSQL database ``grants_ops_races``, made anew)
with production settings; gunicorn on 127.0.0.1. ``officer1`` and
``officer2`` (the demo's two officers; both may act on the community support
grant in Saitama and Chiba) each run in a process of their own and race on
the same cases as ``tests/ops/races.py`` describes: both read a case, both
post a transition with the version they read. Every race must have exactly
one winner and one 409 ``stale_version``; the history must hold each
winner's act at its version with its data (no lost update, no version
twice), and the whole-database checks of ``tests/ops/checks.py`` must pass.
Prints the winners counted; exits 1 on any problem.
"""

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.demo import FRESH_GROUPS, database_url, drop_postgres_database, install_demo  # noqa: E402
from tests.ops.processes import AppServer, free_port  # noqa: E402
from tests.ops.races import history_problems, run_races  # noqa: E402
from tests.ops.trials import TO_NOTICE, Slots, Stage, walk  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--races", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="Keep the database and the logs")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    run_dir = Path(tempfile.mkdtemp(prefix="grants-races-"))
    print(f"races: {args.races} over {args.cases} cases, seed {seed}, logs in {run_dir}", flush=True)
    url = database_url("postgres", name="grants_ops_races", run_dir=run_dir)
    env, password = install_demo(url, run_dir)
    server = AppServer(env, port=free_port(), log=run_dir / "app.log", workers=args.workers).start()
    try:
        client = server.client
        officer1, officer2, supervisor, auditor = (
            client.login(name, password) for name in ("officer1", "officer2", "supervisor1", "auditor1")
        )
        # officer2's scope (the community support grant in 11 and 12) is the one both officers share.
        shared = [r["code"] for r in officer2.pages("/api/recipients", kind="municipality") if r["prefecture"] in ("11", "12")]
        stage = Stage(
            env=env, server=server, database_url=env["DATABASE_URL"], run_dir=run_dir, officer=officer1,
            supervisor=supervisor, auditor=auditor, officer_login=("officer1", password),
            slots=Slots(officer2, shared, FRESH_GROUPS), seed=seed,
        )
        cases = stage.slots.open(args.cases)
        walk(stage, cases, TO_NOTICE[:2])
        print(f"==> {len(cases)} cases submitted; racing", flush=True)
        started = time.monotonic()
        races = run_races(
            [(client.base_url, officer1.token, "officer1"), (client.base_url, officer2.token, "officer2")],
            [case["id"] for case in cases], args.races, seed,
        )
        seconds = time.monotonic() - started
        problems = races.problems + history_problems(auditor, races)
        findings = stage.check()
        problems += findings.problems
    finally:
        server.stop()
        if not args.keep:
            drop_postgres_database(url)
    print(f"\n{races.count} races in {seconds:.0f} s ({races.count / seconds:.1f} a second), over {len(cases)} cases")
    print("winners: " + ", ".join(f"{name} {count}" for name, count in sorted(races.wins.items()))
          + f" (total {sum(races.wins.values())})")
    print("losers: " + ", ".join(f"{status} {code} {count}" for (status, code), count in sorted(races.losses.items())))
    acts = {}
    for act in races.won:
        acts[act["name"]] = acts.get(act["name"], 0) + 1
    print("winning acts: " + ", ".join(f"{name} {count}" for name, count in sorted(acts.items())))
    print("whole-database check: " + ", ".join(f"{key} {value}" for key, value in findings.counts.items()))
    print(f"problems: {len(problems)}")
    for problem in problems[:50]:
        print(f"  {problem}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
