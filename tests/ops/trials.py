"""Kill trials: SIGKILL a process in the middle of its work, restart, retry, and report what the kill left.

One trial per kind of work a crash can cut short:

- ``transitions``: the app server killed while an officer and a supervisor
  take cases through request → submit → start_review → draft → approve →
  notify over the API; the request in flight is sent again, unchanged.
- ``bulk``: the app server killed while the bulk-request page issues the same
  request to several cases; the same form is posted again.
- ``reminders``: ``manage.py send_reminders`` killed while it produces
  overdue demands; the command is run again.
- ``render``: ``manage.py db_worker`` killed while it draws letters;
  ``render_letters`` queues a drain of what is left and ``db_worker --batch`` runs it.
- ``payment``: ``manage.py payment_run execute`` killed; the run is executed
  again if it is still approved, and ``issue_payment_notices`` completes
  the notices.

Each trial returns what the kill left (``landed``, ``outcome``) and the
problems its own checks found; ``checks.check_everything`` then checks the
whole database.
"""

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jpholiday

from .api import LOST, Client, WebSession
from .checks import Findings, check_everything, history_records, verify_command
from .processes import AppServer, WriteWatch, kill_after_progress, kill_at_random_point, manage, manage_process

CSG = "community_support_grant"
_startup_seconds: float | None = None
TO_NOTICE = (
    ("request", "officer"),
    ("submit", "officer"),
    ("start_review", "officer"),
    ("draft", "officer"),
    ("approve", "supervisor"),
    ("notify", "officer"),
)


def today_in_japan() -> date:
    return datetime.now(ZoneInfo("Asia/Tokyo")).date()


def business_day(day: date) -> bool:
    """Not a weekend, a national holiday or 12/29–1/3 (the government's closing days)."""
    year_end = (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and not year_end


class Deadlines:
    """Distinct future deadlines, each a business day followed by one: (deadline, the day its overdue demand is due)."""

    def __init__(self, after: date):
        self.day = after + timedelta(days=14)

    def take(self) -> tuple[date, date]:
        while True:
            self.day += timedelta(days=1)
            following = self.day + timedelta(days=1)
            if business_day(self.day) and business_day(following):
                deadline, self.day = self.day, following
                return deadline, following


class Slots:
    """Fresh cases: (fiscal year, stream, procedure) groups × recipients with no case yet, opened through the API."""

    def __init__(self, officer: Client, recipients: list[str], groups: list[tuple[int, str, str]]):
        self.officer = officer
        self.lock = threading.Lock()  # the two-server script opens cases from several threads
        self.free = {}
        for year, stream, procedure in groups:
            taken = {
                case["recipient"]["code"]
                for case in officer.pages("/api/cases", fiscal_year=year, stream=stream, procedure=procedure)
            }
            self.free[(year, stream, procedure)] = [code for code in recipients if code not in taken]

    def left(self) -> int:
        return sum(len(codes) for codes in self.free.values())

    def open(self, count: int, *, one_group: bool = False) -> list[dict]:
        """``count`` new cases in ``planned`` (all of one group when ``one_group``), as the API returns them."""
        with self.lock:
            return self._open(count, one_group)

    def _open(self, count: int, one_group: bool) -> list[dict]:
        groups = [group for group, codes in self.free.items() if len(codes) >= (count if one_group else 1)]
        if not groups:
            raise RuntimeError("no fresh recipient left for new cases")
        opened = []
        while len(opened) < count:
            group = groups[0] if one_group else max(self.free, key=lambda key: len(self.free[key]))
            year, stream, procedure = group
            code = self.free[group].pop(0)
            reply = self.officer.request(
                "POST", "/api/cases",
                {"fiscal_year": year, "stream": stream, "part": "", "procedure": procedure, "recipient": code},
            )
            if reply.error_code == "duplicate_case":
                continue
            assert reply.status == 201, (reply.status, reply.body[:500])
            opened.append(reply.json())
        return opened


@dataclass
class Stage:
    """A running deployment to kill things in: its environment, app server, signed-in clients and fresh material."""

    env: dict
    server: AppServer
    database_url: str
    run_dir: Path
    officer: Client
    supervisor: Client
    auditor: Client
    officer_login: tuple[str, str]
    slots: Slots
    seed: int  # of the random kill points, to report
    deadlines: Deadlines = field(default_factory=lambda: Deadlines(today_in_japan()))
    prefer_writes: bool = False  # aim every kill inside a write transaction (PostgreSQL)
    # Whether reminders of earlier days can still be owed (a long soak): then a reminder run's kill is drawn
    # over the day's whole list, which a dry run gives first.
    earlier_reminders: bool = True

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.seen_share: dict[str, float] = {}  # per process name: the share of its writes a watch saw

    def startup(self) -> float:
        """Seconds a ``manage.py`` command takes to start here (measured once a run), for the timed kills' windows."""
        global _startup_seconds
        if _startup_seconds is None:
            started = time.monotonic()
            self.manage_ok("check")
            _startup_seconds = time.monotonic() - started
        return _startup_seconds

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    def watch(self, name: str) -> WriteWatch | None:
        return WriteWatch(self.database_url, name) if self.postgres else None

    def kill(self, target, *, name: str, writes: int, window, done=lambda: False):
        """SIGKILL ``target`` at a random point of its ``writes`` write transactions, or of a time window.

        ``window(startup)`` gives the window in seconds from a command's start-up
        time (measured only when a timed kill is possible).

        A watch polling ``pg_stat_activity`` misses some short transactions on
        a busy machine; when the work ended before the drawn transaction came,
        the share it did see scales the next draw for the same process name.
        """
        watch = self.watch(name)
        seconds = window(self.startup()) if watch is None or not self.prefer_writes else 0.0
        try:
            kill = kill_at_random_point(
                target, self.rng, watch=watch, writes=max(1, round(writes * self.seen_share.get(name, 1.0))),
                window=seconds, done=done, prefer_writes=self.prefer_writes,
            )
        finally:
            if watch:
                watch.close()
        if kill.mode == "nth_write" and kill.ended_first and kill.writes_seen:
            self.seen_share[name] = min(1.0, kill.writes_seen / writes)
        return kill

    def kill_after(self, target, *, name: str, progress, total: int):
        """SIGKILL ``target`` after a random number of its units of work (``processes.kill_after_progress``)."""
        watch = self.watch(name)
        try:
            return kill_after_progress(target, self.rng, progress=progress, total=total, watch=watch)
        finally:
            if watch:
                watch.close()

    def manage(self, *args: str, name: str = ""):
        return manage(self.env, *args, log=self.run_dir / "commands.log", name=name)

    def manage_ok(self, *args: str, name: str = "") -> str:
        result = self.manage(*args, name=name)
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-4000:])
        return result.stdout

    def client(self, role: str) -> Client:
        return {"officer": self.officer, "supervisor": self.supervisor, "auditor": self.auditor}[role]

    def check(self, *, all_rendered: bool = False) -> Findings:
        found = check_everything(self.auditor, all_rendered=all_rendered)
        verify_command(self.env, self.run_dir / "commands.log", found)
        return found


def step_data(name: str, case_id: int, deadline: date) -> dict:
    amount = 1_000_000 + case_id * 10
    return {"request": {"deadline": deadline.isoformat()}, "submit": {"amount": amount}, "draft": {"amount": amount}}.get(
        name, {}
    )


def act(client: Client, case_id: int, name: str, version: int, data: dict):
    return client.request("POST", f"/api/cases/{case_id}/transitions/{name}", {"version": version, **data})


def walk(stage: Stage, cases: list[dict], steps=TO_NOTICE, deadline: date | None = None, on: date | None = None) -> None:
    """Take each case through ``steps``, every act answered 200 (each entered as of ``on`` when given)."""
    deadline = deadline or stage.deadlines.take()[0]
    for case in cases:
        version = case["version"]
        for name, role in steps:
            data = step_data(name, case["id"], deadline) | ({"occurred_on": on.isoformat()} if on else {})
            reply = act(stage.client(role), case["id"], name, version, data)
            assert reply.status == 200, (case["id"], name, reply.status, reply.body[:500])
            version = reply.json()["version"]
        case["version"] = version


@dataclass
class Trial:
    kind: str
    landed: str = ""  # where the kill fell (``Kill.landed``)
    mode: str = ""
    effect: str = ""  # what the kill left, as a class to count
    outcome: str = ""  # the same in full, with numbers
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def expect(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)


def share(done: int, total: int) -> str:
    return "none" if done == 0 else "all" if done == total else "some"


def _background(work) -> tuple[threading.Thread, dict]:
    state = {"lost": False, "error": None}

    def run():
        try:
            work()
        except LOST:
            state["lost"] = True
        except BaseException as exc:  # noqa: BLE001 - reported by the trial
            state["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, state


def trial_transitions(stage: Stage, cases_per_trial: int = 4) -> Trial:
    trial = Trial("transitions")
    cases = stage.slots.open(cases_per_trial)
    deadline = stage.deadlines.take()[0]
    plan = [(case["id"], name, role) for name, role in TO_NOTICE for case in cases]  # step by step across the cases
    versions = {case["id"]: case["version"] for case in cases}
    progress = {"next": 0, "inflight": None}

    def drive():
        while progress["next"] < len(plan):
            case_id, name, role = plan[progress["next"]]
            progress["inflight"] = (case_id, name, role, versions[case_id])
            reply = act(stage.client(role), case_id, name, versions[case_id], step_data(name, case_id, deadline))
            assert reply.status == 200, (case_id, name, reply.status, reply.body[:300])
            versions[case_id] = reply.json()["version"]
            progress["inflight"] = None
            progress["next"] += 1

    thread, state = _background(drive)
    kill = stage.kill(stage.server, name=stage.server.name, writes=len(plan), window=lambda _start: len(plan) * 0.06,
                      done=lambda: not thread.is_alive())
    thread.join()
    trial.landed, trial.mode = kill.landed(), kill.mode
    if state["error"]:
        trial.problems.append(f"before the kill: {state['error']!r}")
        stage.server.start()
        return trial
    stage.server.start()
    done_before = progress["next"]
    if progress["inflight"]:
        case_id, name, role, version = progress["inflight"]
        retry = act(stage.client(role), case_id, name, version, step_data(name, case_id, deadline))
        if retry.status == 200:
            trial.effect = "act in flight rolled back"
            trial.outcome = f"{done_before}/{len(plan)} acts answered; the act in flight had rolled back and the retry applied it"
            versions[case_id] = retry.json()["version"]
        else:
            trial.expect(retry.error_code == "stale_version", f"retry of {name} on case {case_id}: {retry.status} {retry.body[:300]}")
            trial.effect = "act in flight committed, answer lost"
            trial.outcome = f"{done_before}/{len(plan)} acts answered; the act in flight had committed (the retry got 409 stale_version)"
            current = stage.officer.ok("GET", f"/api/cases/{case_id}")
            trial.expect(current["version"] == version + 1, f"case {case_id}: version {current['version']} after a committed {name} from {version}")
            versions[case_id] = current["version"]
        progress["inflight"] = None
        progress["next"] += 1
    else:
        trial.effect = "no act in flight"
        trial.outcome = f"{done_before}/{len(plan)} acts answered; none in flight"
    drive()
    for case in cases:
        current = stage.officer.ok("GET", f"/api/cases/{case['id']}")
        trial.expect(current["state"] == "notified" and current["version"] == 1 + len(TO_NOTICE),
                     f"case {case['id']} ended {current['state']} v{current['version']}")
        kinds = sorted(letter["kind"] for letter in stage.officer.pages("/api/letters", case=case["id"]))
        # the request (to the prefecture's division head, naming the town: 経由) and the notice
        trial.expect(kinds == ["decision_notice", "request"], f"case {case['id']} has letters {kinds}")
    return trial


def trial_bulk(stage: Stage, cases_per_trial: int = 6) -> Trial:
    trial = Trial("bulk")
    cases = stage.slots.open(cases_per_trial, one_group=True)
    deadline = stage.deadlines.take()[0]
    first = cases[0]
    form = {
        "transition": "request", "fiscal_year": first["fiscal_year"], "stream": first["stream"], "part": "",
        "procedure": first["procedure"], "deadline": deadline.isoformat(),
        "cases": ",".join(f"{case['id']}:{case['version']}" for case in cases),
    }
    session = WebSession(stage.server.client).login(*stage.officer_login)
    answers = []
    thread, state = _background(lambda: answers.append(session.request("POST", "/bulk/request/", form)))
    kill = stage.kill(stage.server, name=stage.server.name, writes=len(cases) + 1, window=lambda _start: len(cases) * 0.08,
                      done=lambda: not thread.is_alive())
    thread.join()
    trial.landed, trial.mode = kill.landed(), kill.mode
    stage.server.start()
    if state["error"]:
        trial.problems.append(f"bulk request: {state['error']!r}")
    before = [stage.officer.ok("GET", f"/api/cases/{case['id']}")["version"] for case in cases]
    done_before = sum(version == 2 for version in before)
    trial.expect(set(before) <= {1, 2}, f"versions after the kill: {before}")
    retry = session.request("POST", "/bulk/request/", form)
    # The bulk form posts, then redirects to its summary (post/redirect/get): 302 to /bulk/request/summary/.
    trial.expect(retry.status == 302, f"bulk retry answered {retry.status}")
    answered = "answered" if answers else "no answer"
    trial.effect = f"{share(done_before, len(cases))} requested before the kill"
    trial.outcome = f"{done_before}/{len(cases)} requested before the kill ({answered}); the same form posted again"
    for case in cases:
        current = stage.officer.ok("GET", f"/api/cases/{case['id']}")
        trial.expect(current["state"] == "requested" and current["version"] == 2,
                     f"case {case['id']} ended {current['state']} v{current['version']}")
        # its request, and the prefecture's request listing it (経由): the retry covers what the kill left
        kinds = sorted(letter["kind"] for letter in stage.officer.pages("/api/letters", case=case["id"]))
        trial.expect(kinds == ["covering_request", "request"], f"case {case['id']} has letters {kinds}")
    return trial


def _reminder_count(stage: Stage, cases: list[dict]) -> int:
    return sum(
        letter["kind"] == "overdue_demand"
        for case in cases
        for letter in stage.officer.pages("/api/letters", case=case["id"])
    )


def trial_reminders(stage: Stage, cases_per_trial: int = 10) -> Trial:
    trial = Trial("reminders")
    deadline, due_on = stage.deadlines.take()
    cases = stage.slots.open(cases_per_trial)
    walk(stage, cases, TO_NOTICE[:1], deadline)
    total = len(cases)
    if stage.earlier_reminders:  # the day's list: ours, and reminders owed from earlier days (the run catches up)
        planned = stage.manage_ok("send_reminders", "--date", due_on.isoformat(), "--dry-run")
        ours = sum(f"case {case['id']}: overdue_demand" in planned for case in cases)
        trial.expect(ours == len(cases), f"the dry run lists {ours} of our {len(cases)} cases")
        total = planned.count("  case ")
    process = manage_process(stage.env, "send_reminders", "--date", due_on.isoformat(),
                             log=stage.run_dir / "reminders.log", name="ops-reminders")
    kill = stage.kill(process, name="ops-reminders", writes=total, window=lambda start: start + total * 0.05)
    trial.landed, trial.mode = kill.landed(), kill.mode
    before = _reminder_count(stage, cases)
    stage.manage_ok("send_reminders", "--date", due_on.isoformat())
    trial.effect = f"{share(before, len(cases))} produced before the kill"
    trial.outcome = (f"{before}/{len(cases)} of our overdue demands ({total} reminders due that day) produced before "
                     "the kill; the rerun produced the rest")
    for case in cases:
        kinds = sorted(letter["kind"] for letter in stage.officer.pages("/api/letters", case=case["id"]))
        trial.expect(kinds == ["overdue_demand", "request"], f"case {case['id']} has letters {kinds}")
    return trial


def _pending_letters(stage: Stage) -> int:
    return sum(letter["status"] == "pending" for letter in stage.auditor.pages("/api/letters"))


def trial_render(stage: Stage, at_least: int = 4) -> Trial:
    trial = Trial("render")
    pending = _pending_letters(stage)
    if pending < at_least:
        walk(stage, stage.slots.open(at_least - pending), TO_NOTICE[:1])
        pending = _pending_letters(stage)
    log = stage.run_dir / "worker.log"
    process = manage_process(
        stage.env, "db_worker", "--no-startup-delay", "--interval", "0.2", log=log, name="ops-worker"
    )
    # One drain task draws every letter waiting, a batch per transaction: the letters drawn so far count the work.
    kill = stage.kill_after(process, name="ops-worker", total=pending, progress=lambda: pending - _pending_letters(stage))
    trial.landed, trial.mode = kill.landed(), kill.mode
    left = _pending_letters(stage)
    stage.manage_ok("render_letters")
    stage.manage_ok("db_worker", "--batch", "--no-startup-delay")
    trial.effect = f"{share(pending - left, pending)} rendered before the kill"
    trial.outcome = (f"{pending - left}/{pending} letters rendered before the kill; "
                     "render_letters and db_worker --batch drew the rest")
    trial.expect(_pending_letters(stage) == 0, "letters still pending after the retry")
    return trial


def trial_payment(stage: Stage, cases_per_trial: int = 2) -> Trial:
    trial = Trial("payment")
    cases = stage.slots.open(cases_per_trial)
    run_on = today_in_japan()
    while not business_day(run_on):  # a run is dated on a business day, and not executed before it
        run_on -= timedelta(days=1)
    # on a closed day the acts are entered as of the last business day, so what they make payable is due by then
    walk(stage, cases, on=run_on if run_on != today_in_japan() else None)
    run = stage.officer.ok("POST", "/api/payment-runs", {"date": run_on.isoformat()})
    stage.supervisor.ok("POST", f"/api/payment-runs/{run['id']}/transitions/approve")
    items = [item["id"] for line in run["lines"] for item in line["items"]]
    recipients = {line["recipient"]["code"] for line in run["lines"]}
    process = manage_process(stage.env, "payment_run", "execute", str(run["id"]), "--user", stage.officer_login[0],
                             log=stage.run_dir / "payments.log", name="ops-pay")
    kill = stage.kill(process, name="ops-pay", writes=2, window=lambda start: start * 1.5)
    trial.landed, trial.mode = kill.landed(), kill.mode
    after_kill = stage.auditor.ok("GET", f"/api/payment-runs/{run['id']}")["state"]
    noticed = _notices(stage, run["id"])
    if after_kill == "approved":
        trial.effect = "execution not committed"
        trial.outcome = "the execution had not committed: nothing paid; executed again"
        stage.manage_ok("payment_run", "execute", str(run["id"]), "--user", stage.officer_login[0])
    else:
        trial.expect(after_kill == "executed", f"run {run['id']} is {after_kill} after the kill")
        trial.effect = f"execution committed, {share(len(noticed), len(recipients))} notices issued"
        trial.outcome = f"the execution had committed, {len(noticed)}/{len(recipients)} notices issued; issue_payment_notices completed them"
    stage.manage_ok("issue_payment_notices", str(run["id"]))
    again = stage.officer.post(f"/api/payment-runs/{run['id']}/transitions/execute")
    trial.expect(again.error_code == "transition_not_allowed", f"a second execution answered {again.status} {again.body[:300]}")
    paid = {item["id"]: item["paid_in_run"] for item in stage.auditor.pages("/api/payment-items", run=run["id"])}
    trial.expect(sorted(paid) == sorted(items) and set(paid.values()) == {run["id"]}, f"run {run['id']} items: {paid}")
    noticed = _notices(stage, run["id"])
    trial.expect(sorted(noticed) == sorted(recipients), f"run {run['id']} noticed {noticed}, paid {sorted(recipients)}")
    return trial


def _notices(stage: Stage, run_id: int) -> list[str]:
    """The recipients noticed of a run, once per notice (from the history's ``letter_issue`` records)."""
    return [
        record["recipient"]
        for record in history_records(stage.auditor)
        if record.get("action") == "letter_issue" and (record["data"].get("basis") or {}).get("payment_run") == run_id
    ]


TRIALS = {
    "transitions": trial_transitions,
    "bulk": trial_bulk,
    "reminders": trial_reminders,
    "render": trial_render,
    "payment": trial_payment,
}


def run_trial(stage: Stage, kind: str) -> Trial:
    """One trial; an exception becomes a problem of the trial, with the app server answering again afterwards."""
    started = time.monotonic()
    try:
        trial = TRIALS[kind](stage)
    except Exception as exc:  # noqa: BLE001 - the soak reports it and goes on
        trial = Trial(kind, problems=[f"{type(exc).__name__}: {exc}"[:2000]])
        if not stage.server.process or not stage.server.process.running():
            stage.server.start()
    trial.seconds = round(time.monotonic() - started, 1)
    return trial
