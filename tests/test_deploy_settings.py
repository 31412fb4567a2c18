"""Production settings pass Django's deployment checks, and refuse to start without a secret."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "HISTORY_"))}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def _signing_key(path: Path, mode: int = 0o400) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    path.chmod(mode)
    return str(path)


def _production(tmp_path: Path, **env: str) -> dict:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "grants.example.jp",
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
        "HISTORY_SIGNING_KEY_FILE": _signing_key(tmp_path / "history-signing-key.pem"),
        "HISTORY_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
    } | env


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_asks_for_a_private_signing_key_and_a_checkpoint_directory(tmp_path):
    bare = {key: value for key, value in _production(tmp_path).items() if not key.startswith("HISTORY_")}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **bare)
    assert result.returncode != 0 and "grants.W011" in result.stderr and "grants.W014" in result.stderr
    readable = _signing_key(tmp_path / "readable.pem", 0o644)
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production(tmp_path, HISTORY_SIGNING_KEY_FILE=readable))
    assert result.returncode != 0 and "grants.W013" in result.stderr and "chmod 0400" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_or_plain_secret_key():
    for weak in ("x", "k" * 80, secrets.token_urlsafe(30)):
        result = _manage("check", DJANGO_SECRET_KEY=weak, DJANGO_ALLOWED_HOSTS="grants.example.jp")
        assert result.returncode != 0, weak
        assert "DJANGO_SECRET_KEY is too weak: it needs at least 50 characters, 5 of them different." in result.stderr


def test_a_setting_that_must_be_a_number_names_itself_when_it_is_not():
    result = _manage("check", DJANGO_DEBUG="1", DJANGO_HSTS_SECONDS="one year")
    assert result.returncode != 0
    assert "DJANGO_HSTS_SECONDS must be a whole number, not 'one year'." in result.stderr


def test_log_records_are_written_once_in_debug_and_in_production(tmp_path):
    """A worker's or a request's log line appears once on the console (Django's own handlers doubled them)."""
    script = (
        "import logging; logging.getLogger('django.tasks').info('task-line'); "
        "logging.getLogger('django.request').error('request-line')"
    )
    database = f"sqlite:///{tmp_path}/log.sqlite3"
    for debug in ("1", "0"):
        result = _manage(
            "shell", "-c", script, DJANGO_DEBUG=debug, DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
            DJANGO_ALLOWED_HOSTS="grants.example.jp", DATABASE_URL=database,
        )
        assert result.returncode == 0, result.stderr
        assert (result.stderr.count("task-line"), result.stderr.count("request-line")) == (1, 1), (debug, result.stderr)
