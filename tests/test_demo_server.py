"""The demo as a user meets it: scripts/serve.sh (what scripts/run.sh ends with) runs gunicorn with DEBUG off,
on 127.0.0.1 only, serving static files through whitenoise and the app's own error pages."""

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_demo_server_runs_without_debug_on_this_machine_only(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "HOST", "PORT"))}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3", "PORT": str(port), "WEB_WORKERS": "1"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    migrate = subprocess.run(
        ["bash", "-c", ". scripts/demo_env.sh && .venv/bin/python manage.py migrate -v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(["scripts/serve.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):  # wait until it listens (or has died); not a timing assertion
            if server.poll() is not None or "Listening at" in log.read_text():
                break
            time.sleep(0.1)
        text = log.read_text()
        assert re.search(rf"Listening at: http://127\.0\.0\.1:{port}\b", text), text
        base = f"http://127.0.0.1:{port}"
        status, body = _get(f"{base}/no-such-page/")
        assert status == 404
        assert "このページはありません" in body or "This page does not exist" in body
        assert "URLconf" not in body and "DEBUG = True" not in body
        status, body = _get(f"{base}/static/css/app.css")
        assert status == 200 and "{" in body
        status, body = _get(f"{base}/login/")
        assert status == 200 and "<form" in body
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_demo_signs_its_history_checkpoints_with_a_key_of_its_own(tmp_path):
    """Without a key the demo's checkpoints fall due unsigned and its worker logs SigningKeyMissing: demo_env.sh
    makes one per install, readable by its owner only, unless one is given."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HISTORY_SIGNING_KEY"))}
    run = subprocess.run(
        ["bash", "-c", f'. "{ROOT}/scripts/demo_env.sh" && echo "$HISTORY_SIGNING_KEY_FILE"'],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    path = run.stdout.strip()
    assert run.returncode == 0 and path == str(tmp_path / "var" / "history-signing-key.pem"), run.stderr
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    key = serialization.load_pem_private_key(open(path, "rb").read(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    given = subprocess.run(  # a key given in the environment is kept
        ["bash", "-c", f'. "{ROOT}/scripts/demo_env.sh" && echo "$HISTORY_SIGNING_KEY_FILE"'],
        cwd=tmp_path, env=env | {"HISTORY_SIGNING_KEY_FILE": "/etc/grants/key.pem"}, capture_output=True, text=True,
        timeout=60,
    )
    assert given.returncode == 0 and given.stdout.strip() == "/etc/grants/key.pem", given.stderr
