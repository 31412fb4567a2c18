"""Kill trials by the hundred: SIGKILL at random points, restart, retry, and check that nothing is half-done.

    .venv/bin/python bench/crash_soak.py [--trials 100] [--db postgres|sqlite] [--kinds K,…] [--seed N] [--keep]

A fresh demo deployment (PostgreSQL database ``grants_ops``, made anew; or an
SQLite file) with production settings and one gunicorn app server on
127.0.0.1. Trials take turns over the five kinds of ``tests/ops/trials.py``:
the app server killed during API transitions and during a bulk request,
``send_reminders``, ``db_worker`` and ``payment_run execute`` killed while
they work. On PostgreSQL three kills in four wait until the process holds a
write transaction open (``pg_stat_activity.backend_xid``); the others, and
every kill on SQLite, fall after a random delay.

After each trial its own checks run, and every ten trials (and at the end)
``tests/ops/checks.py`` checks the whole database through the API: the chain
verifies, every case's acts are whole (one record per version, no version
twice, the state its last record's), letters unique per act and per
reminder, document numbers unique, every payment item paid by one run at most
and noticed once; ``manage.py history_verify`` checks the chain against the
signed checkpoints (signed every 50 records here, so kills fall around them
too). At the end every letter must be rendered. Prints each
trial, then the outcomes counted; exits 1 if anything was found.
"""

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.demo import (  # noqa: E402
    FRESH_GROUPS,
    bureau_prefectures,
    database_url,
    drop_postgres_database,
    install_demo,
)
from tests.ops.processes import AppServer, free_port, manage_ok  # noqa: E402
from tests.ops.trials import TRIALS, Slots, Stage, run_trial  # noqa: E402

CSG = "community_support_grant"


def build_stage(db: str, run_dir: Path, seed: int) -> tuple[Stage, str]:
    """The deployment to kill things in, and the URL of its database as the owner (to drop it afterwards)."""
    url = database_url(db, name="grants_ops", run_dir=run_dir)
    print(f"==> {url.split('@')[-1]}: migrate, load_demo", flush=True)
    env, password = install_demo(url, run_dir)
    server = AppServer(env, port=free_port(), log=run_dir / "app.log", workers=2).start()
    client = server.client
    officer, supervisor, auditor = (client.login(name, password) for name in ("officer1", "supervisor1", "auditor1"))
    for year in sorted({year for year, _stream, _procedure in FRESH_GROUPS}):
        supervisor.ok("POST", "/api/budget-notices", {
            "fiscal_year": year, "stream": CSG, "part": "", "amount": 500_000_000_000,
            "received_on": "2026-06-01", "reference": f"老発0601第{year}号",
        })
    print("==> the demo's letters: db_worker --batch", flush=True)
    manage_ok(env, "db_worker", "--batch", "--no-startup-delay", log=run_dir / "commands.log")
    served = bureau_prefectures()
    recipients = [r["code"] for r in officer.pages("/api/recipients", kind="municipality") if r["prefecture"] in served]
    stage = Stage(
        env=env, server=server, database_url=env["DATABASE_URL"], run_dir=run_dir, officer=officer,
        supervisor=supervisor, auditor=auditor, officer_login=("officer1", password),
        slots=Slots(officer, recipients, FRESH_GROUPS), seed=seed,
    )
    return stage, url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--kinds", default=",".join(TRIALS), help=f"Trial kinds in turn (default: {','.join(TRIALS)})")
    parser.add_argument("--keep", action="store_true", help="Keep the database and the logs")
    args = parser.parse_args()
    kinds = [kind for kind in args.kinds.split(",") if kind]
    if not kinds or set(kinds) - set(TRIALS):
        parser.error(f"--kinds takes some of {', '.join(TRIALS)}")
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    run_dir = Path(tempfile.mkdtemp(prefix="grants-crash-soak-"))
    print(f"crash soak: {args.trials} trials on {args.db}, seed {seed}, logs in {run_dir}", flush=True)
    started = time.monotonic()
    stage, owner_url = build_stage(args.db, run_dir, seed)
    trials, sweeps = [], []
    try:
        for number in range(1, args.trials + 1):
            trial = run_trial(stage, kinds[(number - 1) % len(kinds)])
            trials.append(trial)
            verdict = "ok" if not trial.problems else "PROBLEM: " + "; ".join(trial.problems)[:500]
            print(f"[{number:3}/{args.trials}] {trial.kind:<11} killed {trial.landed:<27} {trial.outcome} -> {verdict} "
                  f"({trial.seconds} s)", flush=True)
            if number % 10 == 0 or number == args.trials:
                last = number == args.trials
                if last:
                    manage_ok(stage.env, "render_letters", log=run_dir / "commands.log")
                    manage_ok(stage.env, "db_worker", "--batch", "--no-startup-delay", log=run_dir / "commands.log")
                findings = stage.check(all_rendered=last)
                sweeps.append(findings)
                print(f"      whole-database check after {number} trials: "
                      + ("ok" if findings.ok else "PROBLEMS:\n        " + "\n        ".join(findings.problems)), flush=True)
    finally:
        stage.server.stop()
        if not args.keep and args.db == "postgres":
            drop_postgres_database(owner_url)
    report(trials, sweeps, time.monotonic() - started)
    return 0 if all(not t.problems for t in trials) and all(f.ok for f in sweeps) else 1


def report(trials, sweeps, seconds: float) -> None:
    print(f"\n{len(trials)} kill trials in {seconds:.0f} s")
    print("where the kills landed:")
    for (kind, landed), count in sorted(Counter((t.kind, t.landed) for t in trials).items()):
        print(f"  {kind:<11} {landed:<28} {count:4}")
    print("what they left, and the retry made whole:")
    for (kind, effect), count in sorted(Counter((t.kind, t.effect or "(trial failed)") for t in trials).items()):
        print(f"  {kind:<11} {effect:<44} {count:4}")
    failed = [t for t in trials if t.problems]
    print(f"trials with a problem: {len(failed)}")
    if sweeps:
        last = sweeps[-1]
        print(f"whole-database checks: {len(sweeps)}, with problems: {sum(not f.ok for f in sweeps)}")
        print("final counts: " + ", ".join(f"{key} {value}" for key, value in last.counts.items()))


if __name__ == "__main__":
    sys.exit(main())
