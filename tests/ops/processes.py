"""The application's processes as an operator runs them: gunicorn app servers, ``db_worker`` and other commands.

Each runs in a session of its own (so SIGKILL takes a server with its workers),
with production settings from the environment (``DJANGO_DEBUG`` unset), its
output in a log file, and bound to 127.0.0.1. On PostgreSQL each process is
named (``PGAPPNAME``) so ``WriteWatch`` can see when it holds a write
transaction open, which is where a kill tests the most.
"""

import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .api import LOST, Client

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def signing_key_file(path: Path) -> Path:
    """An Ed25519 private key for the history's checkpoints at ``path`` (made when missing, readable by us only)."""
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(pem)
    return path


def production_env(
    *, database_url: str, run_dir: Path, signing_key: Path | None = None, checkpoint_every: int = 50, **extra: str
) -> dict:
    """The environment of a production process: settings from ``config/settings.py``, DEBUG off.

    Variables of the calling process that would change the settings
    (``DJANGO_*``, ``DATABASE_*``, ``HISTORY_*``, libpq's ``PG*``) are left
    out. Letters go to ``run_dir/media``; the history's checkpoints are signed
    with ``signing_key`` (a new key in ``run_dir`` by default), kept in
    ``run_dir/checkpoints`` and signed every ``checkpoint_every`` records, so
    kills land around checkpoints too.
    """
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PG", "DATABASE_", "HISTORY_"))
    }
    (run_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_MEDIA_ROOT=str(run_dir / "media"),
        DATABASE_URL=database_url,
        HISTORY_SIGNING_KEY_FILE=str(signing_key or signing_key_file(run_dir / "history-signing-key.pem")),
        HISTORY_CHECKPOINT_DIR=str(run_dir / "checkpoints"),
        HISTORY_CHECKPOINT_EVERY=str(checkpoint_every),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


class Process:
    """A child process in its own session, its output in ``log``."""

    def __init__(self, args: list[str], *, env: dict, log: Path, name: str = ""):
        self.args, self.log, self.name = args, log, name
        env = dict(env)
        if name:
            env["PGAPPNAME"] = name
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the process and every process it started (a gunicorn master and its workers)."""
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait()

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (a graceful stop), then SIGKILL if it does not end within ``timeout``; returns the exit code."""
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.popen.returncode

    def wait(self, timeout: float | None = None) -> int:
        return self.popen.wait(timeout)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def manage_process(env: dict, *args: str, log: Path, name: str = "") -> Process:
    """``manage.py ARGS`` started in the background."""
    return Process([PYTHON, "manage.py", *args], env=env, log=log, name=name)


def manage(env: dict, *args: str, log: Path, name: str = "", timeout: float = 600) -> subprocess.CompletedProcess:
    """``manage.py ARGS`` run to its end; its output is returned and appended to ``log``."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=dict(env, **({"PGAPPNAME": name} if name else {})),
        capture_output=True, text=True, timeout=timeout,
    )
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        out.write(f"$ manage.py {' '.join(args)}  -> exit {result.returncode}\n{result.stdout}{result.stderr}\n")
    return result


def manage_ok(env: dict, *args: str, log: Path, name: str = "") -> str:
    """``manage`` that must exit 0; returns its standard output."""
    result = manage(env, *args, log=log, name=name)
    assert result.returncode == 0, (args, result.returncode, result.stdout[-2000:], result.stderr[-4000:])
    return result.stdout


class AppServer:
    """``gunicorn config.wsgi`` on 127.0.0.1:``port`` with ``workers`` sync workers; ``restart`` keeps the port."""

    def __init__(self, env: dict, *, port: int, log: Path, workers: int = 2, name: str = "ops-app"):
        self.env, self.port, self.log, self.workers, self.name = env, port, log, workers, name
        self.process: Process | None = None
        self.client = Client(f"http://127.0.0.1:{port}")

    def start(self, timeout: float = 90) -> "AppServer":
        self.process = Process(
            [
                PYTHON, "-m", "gunicorn", "config.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--preload",
                "--timeout", "300", "--graceful-timeout", "10", "--access-logfile", "-",
            ],
            env=self.env, log=self.log, name=self.name,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.running():
                raise RuntimeError(f"gunicorn on port {self.port} exited:\n{self.process.tail()}")
            try:
                if self.client.request("GET", "/login/").status == 200:
                    return self
            except LOST:
                pass
            time.sleep(0.1)
        self.process.kill()
        raise RuntimeError(f"gunicorn on port {self.port} did not answer within {timeout} s:\n{self.process.tail()}")

    def kill(self) -> None:
        if self.process:
            self.process.kill()

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def restart(self) -> "AppServer":
        self.kill()
        return self.start()


class WriteWatch:
    """Which of a named process's PostgreSQL sessions on the watched database hold a write transaction open
    (``pg_stat_activity.backend_xid``): another pytest-xdist worker's app server has the same name, on its own
    test database."""

    def __init__(self, database_url: str, name: str):
        import psycopg

        self.name = name
        self.connection = psycopg.connect(database_url, autocommit=True)

    def open_writes(self) -> set[str]:
        rows = self.connection.execute(
            "SELECT backend_xid::text FROM pg_stat_activity"
            " WHERE application_name = %s AND backend_xid IS NOT NULL AND datname = current_database()",
            [self.name],
        ).fetchall()
        return {row[0] for row in rows}

    def close(self) -> None:
        self.connection.close()


@dataclass
class Kill:
    """Where a SIGKILL landed."""

    mode: str  # "nth_write": inside the n-th write transaction the watch saw; "timed": after a random delay
    after: float  # seconds from the start of the kill window
    in_write: bool | None  # a write transaction of the process was open just before the kill (PostgreSQL), else None
    ended_first: bool  # the process had finished before the kill point came
    writes_seen: int = 0  # write transactions the watch saw ("nth_write")

    def landed(self) -> str:
        if self.ended_first:
            return "after the work was over"
        if self.in_write is None:
            return "at a random moment"
        return "inside a write transaction" if self.in_write else "between transactions"


def kill_at_random_point(
    target,
    rng: random.Random,
    *,
    watch: WriteWatch | None,
    writes: int,
    window: float,
    done=lambda: False,
    prefer_writes: bool = False,
) -> Kill:
    """SIGKILL ``target`` (a ``Process`` or ``AppServer``) at a random point of its work.

    With a ``watch`` (PostgreSQL), three kills in four land inside the n-th
    write transaction the process opens (n drawn from 1..``writes``), the
    rest after a delay drawn from 0..``window`` seconds (all of them with
    ``prefer_writes``); without one, every kill is timed. ``done()`` tells
    when the work the kill aims at is over (asked a few times a second).
    """
    process = target.process if isinstance(target, AppServer) else target
    start = time.monotonic()
    ended_first = False
    in_write = None
    asked = [start]

    def over() -> bool:
        if not process.running():
            return True
        if time.monotonic() - asked[0] < 0.2:
            return False
        asked[0] = time.monotonic()
        return done()

    seen = set()
    if watch is not None and (prefer_writes or rng.random() < 0.75):
        mode, wanted = "nth_write", rng.randint(1, max(1, writes))
        while True:
            seen |= watch.open_writes()
            if len(seen) >= wanted:
                break
            if over() or time.monotonic() - start > 120:
                ended_first = True
                break
        time.sleep(rng.uniform(0, 0.002))
    else:
        mode = "timed"
        deadline = start + rng.uniform(0, window)
        while time.monotonic() < deadline:
            if over():
                ended_first = True
                break
            time.sleep(0.001)
    if watch is not None:
        in_write = bool(watch.open_writes())
    ended_first = ended_first or not process.running()
    target.kill()
    return Kill(mode, round(time.monotonic() - start, 3), in_write, ended_first, len(seen))


def kill_after_progress(
    target, rng: random.Random, *, progress, total: int, watch: WriteWatch | None = None
) -> Kill:
    """SIGKILL ``target`` once ``progress()`` (units of work done so far) reaches n, drawn from 0..``total``-1.

    Then up to 50 ms more pass, so the kill falls anywhere in the next unit:
    for work whose transactions are too short for a watch to count (a
    worker drawing letters), its own count of finished units places the kill.
    """
    process = target.process if isinstance(target, AppServer) else target
    start, wanted = time.monotonic(), rng.randrange(max(1, total))
    ended_first = False
    while progress() < wanted:
        if not process.running() or time.monotonic() - start > 600:
            ended_first = True
            break
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.05))
    in_write = bool(watch.open_writes()) if watch is not None else None
    ended_first = ended_first or not process.running()
    target.kill()
    return Kill("nth_done", round(time.monotonic() - start, 3), in_write, ended_first)
