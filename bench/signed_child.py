"""Run a bench's measuring half in a child process on production settings, with a signing key of its own.

Shared by ``history_chain.py``, ``history_speed.py`` and ``history_verify.py``: each measures the history chain as it runs in
production (DEBUG off, checkpoints signed with an Ed25519 key, the checkpoint directory set), on a fresh
SQLite file or a fresh PostgreSQL database named ``database`` (on the server of ``BENCH_PG_URL``).
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import production_environment, scratch_database

ROOT = Path(__file__).resolve().parent.parent


def run_signed_child(script: str, db: str, database: str, *args: str) -> dict | None:
    """``script --child *args`` in such a child; its last output line (JSON) parsed, or None when PostgreSQL
    cannot be reached. A child that fails stops the bench with its stderr."""
    env = signed_env(db, database)
    if env is None:
        return None
    return run_child(env, [script, "--child", *args], db)


def signed_env(db: str, database: str) -> dict | None:
    """The environment of such a child: production settings, a fresh signing key and checkpoint directory, and a
    fresh database; None when PostgreSQL cannot be reached."""
    key = Path(tempfile.mkdtemp(prefix="bench-key-")) / "key.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(key)], check=True)
    database_url = scratch_database(db, f"{key.parent}/bench.sqlite3", database)
    if database_url is None:
        return None
    return production_environment(DATABASE_URL=database_url, HISTORY_SIGNING_KEY_FILE=str(key),
                                  HISTORY_CHECKPOINT_DIR=str(key.parent / "checkpoints"))


def run_child(env: dict, argv: list[str], db: str) -> dict:
    """``python *argv`` in the environment of ``signed_env``; its last output line (JSON) parsed."""
    out = subprocess.run([sys.executable, *argv], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        raise SystemExit(f"{db}: benchmark failed")
    return json.loads(out.stdout.strip().splitlines()[-1])
