"""deploy/ says what the code does: every variable the settings read is in the environment template, the units
start commands that exist, the proxy sends the header the settings trust and serves the folder static files go to.
"""

import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NOT_THE_APP = {"tests", "bench", "scripts", ".venv", "var", "node_modules"}
READS = re.compile(
    r"""(?:env_bool|env_int|env_list|environ\.get|environ\.setdefault|getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)


def _variables_read() -> set[str]:
    names = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_THE_APP or path.name == "test_settings.py":
            continue
        names |= {a or b for a, b in READS.findall(path.read_text(encoding="utf-8"))}
    return names


def _template_variables() -> set[str]:
    text = (DEPLOY / "grants.env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def test_the_environment_template_lists_every_variable_the_code_reads_and_no_other():
    read, listed = _variables_read(), _template_variables()
    assert "DJANGO_SECRET_KEY" in read and "GUNICORN_WORKERS" in read  # the scan sees settings and deploy/
    assert read - listed == set(), "read by the code, missing from deploy/grants.env.example"
    assert listed - read == set(), "in deploy/grants.env.example, read by nothing"


def test_the_units_start_commands_that_exist():
    commands = get_commands()
    for unit in (DEPLOY / "systemd").glob("*.service"):
        text = unit.read_text()
        for command in re.findall(r"manage\.py (\w+)", text):
            assert command in commands, (unit.name, command)
        assert "EnvironmentFile=/etc/grants/grants.env" in text, unit.name


def test_gunicorn_settings_name_the_wsgi_application_and_read_the_worker_count(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["wsgi_app"] == settings.WSGI_APPLICATION.replace(".application", ":application")
    assert config["workers"] == 3 and config["timeout"] >= 60


def test_the_proxy_sends_the_header_the_settings_trust_and_serves_static_files_from_where_collectstatic_puts_them():
    text = (DEPLOY / "nginx" / "grants.conf").read_text()
    header, value = settings.SECURE_PROXY_SSL_HEADER
    assert header == "HTTP_X_FORWARDED_PROTO" and value == "https"
    assert text.count("proxy_set_header X-Forwarded-Proto $scheme;") == text.count("proxy_pass ")
    static_root = str(settings.STATIC_ROOT.relative_to(settings.BASE_DIR))
    assert f"location /{settings.STATIC_URL.strip('/')}/ " in text
    assert re.search(rf"alias /opt/grants/{re.escape(static_root)}/;", text)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_deploy_check_passes():
    """``deploy/check.sh``: systemd-analyze verify on the units, nginx -t on the proxy (when nginx is installed)."""
    result = subprocess.run([str(DEPLOY / "check.sh")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "systemd units: ok" in result.stdout
