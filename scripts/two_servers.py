"""Two app servers and two task workers on one PostgreSQL database, load through both, then count duplicates.

    scripts/two_servers.sh [--cases 40] [--races 200] [--reminders 20] [--seconds 300] [--keep]

(the shell script finds PostgreSQL with ``scripts/ensure_postgres.sh`` and
runs this file with the project's virtualenv.) It makes the database
``grants_ops_two`` anew, migrates it and loads the demo, then starts on
127.0.0.1 two gunicorn app servers (A and B, two workers each) and two
``manage.py db_worker`` processes, all with production settings and one
media folder (the storage they share). Load, bounded in count and time:

- walkers open ``--cases`` cases and take each through request → submit →
  start_review → draft → approve → notify, every act on the other server
  than the one before (request letters, decision notices, payable items);
- meanwhile officer1 through A and officer2 through B race ``--races``
  times on the same cases (``tests/ops/races.py``), and a bulk request is
  posted through B's web form;
- then ``--reminders`` requested cases fall overdue and ``send_reminders``
  runs from two processes at once, as two machines' timers would;
- then a payment run is drafted through A, approved through B and executed
  through A and B at the same moment.

Once the workers have drawn every letter, it checks through the API
(``tests/ops/checks.py``): the chain verifies, no case act is half there,
no letter twice, no document number twice, no payment item paid twice,
every letter rendered, and ``manage.py history_verify`` agrees with the
signed checkpoints — and fetches each letter's PDF through one server or
the other and compares its SHA-256. Prints the counts; stops and removes
everything it started (the database too, unless ``--keep``); exits 1 on any
problem. Traffic goes to 127.0.0.1 only.
"""

import argparse
import hashlib
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.api import Client, WebSession  # noqa: E402
from tests.ops.checks import check_everything, verify_command  # noqa: E402
from tests.ops.demo import (  # noqa: E402
    FRESH_GROUPS,
    bureau_prefectures,
    database_url,
    drop_postgres_database,
    install_demo,
)
from tests.ops.processes import AppServer, free_port, manage_process  # noqa: E402
from tests.ops.races import history_problems, run_races  # noqa: E402
from tests.ops.trials import TO_NOTICE, Deadlines, Slots, step_data, today_in_japan  # noqa: E402

CSG = "community_support_grant"


class Deployment:
    """Two servers, two workers, and each demo user's API on both servers."""

    def __init__(self, env: dict, run_dir: Path, password: str):
        self.env, self.run_dir, self.password = env, run_dir, password
        self.servers = [
            AppServer(env, port=free_port(), log=run_dir / f"app-{name}.log", name=f"ops-app-{name}")
            for name in ("a", "b")
        ]
        self.workers = []

    def start(self) -> None:
        for server in self.servers:
            server.start()
        self.workers = [
            manage_process(self.env, "db_worker", "--interval", "0.5", log=self.run_dir / f"worker-{n}.log", name=f"ops-worker-{n}")
            for n in (1, 2)
        ]
        first = self.servers[0].client
        self.tokens = {name: first.login(name, self.password).token
                       for name in ("officer1", "officer2", "supervisor1", "supervisor2", "auditor1")}

    def api(self, username: str, server: int) -> Client:
        return self.servers[server % 2].client.as_user(self.tokens[username])

    def stop(self) -> dict:
        """SIGTERM to everything (workers finish the letter in hand); the exit codes."""
        codes = {}
        for n, worker in enumerate(self.workers, 1):
            codes[f"worker {n}"] = worker.stop()
        for server in self.servers:
            server.stop()
            codes[server.name] = server.process.popen.returncode if server.process else None
        return codes


def walk_across(deployment: Deployment, case: dict, deadline, errors: list) -> None:
    """One case to its notice, each act through the other server than the act before."""
    version = case["version"]
    for index, (name, role) in enumerate(TO_NOTICE):
        user = "supervisor1" if role == "supervisor" else "officer1"
        api = deployment.api(user, case["id"] + index)
        reply = api.post(f"/api/cases/{case['id']}/transitions/{name}",
                         {"version": version, **step_data(name, case["id"], deadline)})
        if reply.status != 200:
            errors.append(f"case {case['id']} {name}: {reply.status} {reply.body[:300]}")
            return
        version = reply.json()["version"]


def walkers(deployment: Deployment, slots: Slots, count: int, deadline, until: float, threads: int = 4) -> dict:
    done, errors, lock = [], [], threading.Lock()

    def work():
        while time.monotonic() < until:
            with lock:
                if len(done) >= count:
                    return
                case = slots.open(1)[0]
                done.append(case["id"])
            walk_across(deployment, case, deadline, errors)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {"cases": len(done), "acts": len(done) * len(TO_NOTICE), "errors": errors}


def bulk_through_b(deployment: Deployment, slots: Slots, count: int, deadline) -> dict:
    cases = slots.open(count, one_group=True)
    session = WebSession(deployment.servers[1].client).login("officer1", deployment.password)
    first = cases[0]
    reply = session.request("POST", "/bulk/request/", {
        "transition": "request", "fiscal_year": first["fiscal_year"], "stream": CSG, "part": "",
        "procedure": first["procedure"], "deadline": deadline.isoformat(),
        "cases": ",".join(f"{case['id']}:{case['version']}" for case in cases),
    })
    api = deployment.api("officer1", 0)
    requested = sum(api.ok("GET", f"/api/cases/{case['id']}")["state"] == "requested" for case in cases)
    return {"status": reply.status, "cases": len(cases), "requested": requested}


def reminders_from_two_timers(deployment: Deployment, slots: Slots, count: int, deadlines: Deadlines) -> dict:
    deadline, due_on = deadlines.take()
    cases = slots.open(count)
    for n, case in enumerate(cases):
        reply = deployment.api("officer1", n).post(f"/api/cases/{case['id']}/transitions/request",
                                                  {"version": case["version"], "deadline": deadline.isoformat()})
        assert reply.status == 200, reply.body[:300]
    runs = [
        manage_process(deployment.env, "send_reminders", "--date", due_on.isoformat(),
                       log=deployment.run_dir / f"reminders-{n}.log", name=f"ops-reminders-{n}")
        for n in (1, 2)
    ]
    codes = [run.wait(600) for run in runs]
    produced = [int(m.group(1)) if (m := re.search(r"(\d+) reminder\(s\) produced", run.log.read_text())) else None
                for run in runs]
    api = deployment.api("auditor1", 0)
    demands = Counter(
        case["id"] for case in cases for letter in api.pages("/api/letters", case=case["id"]) if letter["kind"] == "overdue_demand"
    )
    return {"cases": len(cases), "exit_codes": codes, "produced_by_each": produced,
            "cases_with_one_demand": sum(n == 1 for n in demands.values()), "demands": sum(demands.values())}


def payment_run_from_both(deployment: Deployment) -> dict:
    run = deployment.api("officer1", 0).ok("POST", "/api/payment-runs", {"date": today_in_japan().isoformat()})
    deployment.api("supervisor2", 1).ok("POST", f"/api/payment-runs/{run['id']}/transitions/approve")
    executors = [deployment.api("officer1", 0), deployment.api("supervisor1", 1)]
    barrier, answers = threading.Barrier(2), [None, None]

    def execute(n):
        barrier.wait()
        answers[n] = executors[n].post(f"/api/payment-runs/{run['id']}/transitions/execute")

    pool = [threading.Thread(target=execute, args=(n,)) for n in (0, 1)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    items = list(deployment.api("auditor1", 0).pages("/api/payment-items", run=run["id"]))
    return {
        "run": run["id"], "items": len(items), "recipients": len(run["lines"]), "total_yen": run["total"],
        "answers": sorted((answer.status, answer.error_code) for answer in answers),
        "items_paid_in_this_run": sum(item["paid_in_run"] == run["id"] for item in items),
    }


def wait_for_letters(deployment: Deployment, patience: float = 90) -> int:
    """Poll (through A and B in turn) until no letter is pending, or none was drawn for ``patience`` seconds.

    Returns how many are still pending.
    """
    last, since, turn = None, time.monotonic(), 0
    while True:
        turn += 1
        pending = sum(letter["status"] == "pending" for letter in deployment.api("auditor1", turn).pages("/api/letters"))
        if pending != last:
            last, since = pending, time.monotonic()
        if not pending or time.monotonic() - since > patience:
            return pending
        time.sleep(2)


def pdfs_through_both(deployment: Deployment) -> dict:
    """Each rendered letter's PDF, fetched through A or B in turn, against its recorded SHA-256."""
    api = deployment.api("auditor1", 0)
    checked, wrong = Counter(), []
    for n, letter in enumerate(api.pages("/api/letters")):
        reply = deployment.api("auditor1", n).request("GET", f"/api/letters/{letter['id']}.pdf")
        checked["ab"[n % 2]] += 1
        if reply.status != 200 or hashlib.sha256(reply.body).hexdigest() != letter["sha256"]:
            wrong.append(letter["id"])
    return {"fetched_through_a": checked["a"], "fetched_through_b": checked["b"], "wrong": wrong}


def requests_served(server: AppServer) -> int:
    return sum(1 for line in server.log.read_text(errors="replace").splitlines() if re.search(r'"(GET|POST) /', line))


def tasks_done(worker) -> int:
    return worker.log.read_text(errors="replace").count("state=SUCCESSFUL")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=40, help="cases the walkers take to their notice")
    parser.add_argument("--races", type=int, default=200)
    parser.add_argument("--reminders", type=int, default=20)
    parser.add_argument("--bulk", type=int, default=10, help="cases in the bulk request through B")
    parser.add_argument("--seconds", type=int, default=300, help="time budget of the load; the walkers stop opening cases after it")
    parser.add_argument("--keep", action="store_true", help="Keep the database and the logs")
    args = parser.parse_args()
    run_dir = Path(tempfile.mkdtemp(prefix="grants-two-servers-"))
    print(f"two servers: logs in {run_dir}", flush=True)
    started = time.monotonic()
    url = database_url("postgres", name="grants_ops_two", run_dir=run_dir)
    env, password = install_demo(url, run_dir)
    deployment = Deployment(env, run_dir, password)
    results, problems, served, rendered_by, exits = {}, [], {}, {}, {}
    findings = races = None
    try:
        deployment.start()
        a, b = deployment.servers
        print(f"==> servers A 127.0.0.1:{a.port}, B 127.0.0.1:{b.port}; workers pid {[w.pid for w in deployment.workers]}", flush=True)
        supervisor = deployment.api("supervisor1", 1)
        for year in sorted({year for year, _stream, _procedure in FRESH_GROUPS}):
            supervisor.ok("POST", "/api/budget-notices", {"fiscal_year": year, "stream": CSG, "part": "", "amount": 500_000_000_000,
                                                          "received_on": "2026-06-01", "reference": f"老発0601第{year}号"})
        officer = deployment.api("officer1", 0)
        served = bureau_prefectures()
        municipalities = [r for r in officer.pages("/api/recipients", kind="municipality") if r["prefecture"] in served]
        # officer2 acts on the community support grant in Saitama (11) and Chiba (12): the races' cases are there.
        shared = [r["code"] for r in municipalities if r["prefecture"] in ("11", "12")]
        slots = Slots(officer, [r["code"] for r in municipalities if r["code"] not in shared], FRESH_GROUPS)
        race_slots = Slots(deployment.api("officer2", 1), shared, FRESH_GROUPS)
        deadlines = Deadlines(today_in_japan())
        until = time.monotonic() + args.seconds

        race_cases = race_slots.open(min(10, race_slots.left()))
        deadline = deadlines.take()[0]
        for case in race_cases:
            for step in ("request", "submit"):
                reply = deployment.api("officer1", case["id"]).post(
                    f"/api/cases/{case['id']}/transitions/{step}", {"version": case["version"], **step_data(step, case["id"], deadline)})
                assert reply.status == 200, reply.body[:300]
                case["version"] = reply.json()["version"]
        print(f"==> load: {args.cases} walked cases, {args.races} races, a bulk request of {args.bulk}", flush=True)
        raced = {}
        racing = threading.Thread(target=lambda: raced.update(races=run_races(
            [(a.client.base_url, deployment.tokens["officer1"], "officer1"), (b.client.base_url, deployment.tokens["officer2"], "officer2")],
            [case["id"] for case in race_cases], args.races, seed=random.randrange(10**6))))
        racing.start()
        bulk = {}
        bulking = threading.Thread(target=lambda: bulk.update(bulk_through_b(deployment, slots, args.bulk, deadlines.take()[0])))
        bulking.start()
        results["walk"] = walkers(deployment, slots, args.cases, deadline, until)
        racing.join()
        bulking.join()
        results["bulk"] = bulk
        races = raced["races"]
        print("==> reminders from two timers at once", flush=True)
        results["reminders"] = reminders_from_two_timers(deployment, slots, args.reminders, deadlines)
        print("==> a payment run executed through A and B at once", flush=True)
        results["payment"] = payment_run_from_both(deployment)
        print("==> waiting for the workers to draw every letter", flush=True)
        still = wait_for_letters(deployment)
        results["pdfs"] = pdfs_through_both(deployment)
        findings = check_everything(deployment.api("auditor1", 1), all_rendered=True)
        verify_command(env, run_dir / "commands.log", findings)
        problems += findings.problems + races.problems + history_problems(deployment.api("auditor1", 0), races)
        problems += results["walk"]["errors"]
        if still:
            problems.append(f"{still} letters still pending")
        if results["pdfs"]["wrong"]:
            problems.append(f"letters whose PDF does not match its SHA-256: {results['pdfs']['wrong'][:20]}")
        if results["bulk"]["requested"] != results["bulk"]["cases"]:
            problems.append(f"bulk request: {results['bulk']}")
        reminders = results["reminders"]
        if reminders["cases_with_one_demand"] != reminders["cases"] or reminders["demands"] != reminders["cases"]:
            problems.append(f"reminders: {reminders}")
        payment = results["payment"]
        if payment["answers"] != [(200, None), (409, "transition_not_allowed")] or payment["items_paid_in_this_run"] != payment["items"]:
            problems.append(f"payment run: {payment}")
        served = {server.name: requests_served(server) for server in deployment.servers}
        rendered_by = {f"worker {n}": tasks_done(worker) for n, worker in enumerate(deployment.workers, 1)}
    finally:
        exits = deployment.stop()
        if not args.keep:
            drop_postgres_database(url)
    print(f"\ntwo servers, two workers, {time.monotonic() - started:.0f} s in all")
    print(f"requests served: {served}")
    print(f"letters drawn per worker: {rendered_by}")
    print(f"walked to their notice: {results['walk']['cases']} cases ({results['walk']['acts']} acts, each on the other server)")
    print(f"races: {races.count}, winners {dict(races.wins)}, losers {dict(races.losses)}")
    print(f"bulk request through B: {results['bulk']}")
    print(f"reminders from two timers: {results['reminders']}")
    print(f"payment run through A and B at once: {results['payment']}")
    print(f"PDFs fetched and compared: {results['pdfs']['fetched_through_a']} through A, "
          f"{results['pdfs']['fetched_through_b']} through B, {len(results['pdfs']['wrong'])} wrong")
    print("whole-database check: " + ", ".join(f"{key} {value}" for key, value in findings.counts.items()
                                              if not key.startswith(("duplicate_", "missing_"))))
    print(f"exit codes after SIGTERM: {exits}")
    duplicates = {key: value for key, value in findings.counts.items() if key.startswith(("duplicate_", "missing_"))}
    print(f"duplicates and gaps: {duplicates}")
    print(f"problems found: {len(problems)}")
    for problem in problems[:50]:
        print(f"  {problem}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
