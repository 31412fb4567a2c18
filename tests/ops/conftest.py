"""A small deployment on the test database: users and recipients from the factories, one gunicorn app server.

The server runs with production settings (``config.settings``, DEBUG off) on
127.0.0.1 against the test database, so it sees what the test commits
(``live_db``). The factories' users get a PBKDF2 password the server's own
hasher checks (``accounts.py``).
"""

import random
import secrets
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from grants.checkpoints import signing_key

from tests import factories as f
from tests.letters.factories import reminder_rules

from .accounts import with_password
from .processes import AppServer, free_port, production_env
from .trials import Slots, Stage

CSG = "community_support_grant"
GROUPS = [(2027, CSG, "initial_grant"), (2027, CSG, "adjustment_grant")]


def database_url_for_processes() -> str:
    """The URL of the test database for another process (the SQLite test database is a real file)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = f"{quote(settings['USER'])}:{quote(settings['PASSWORD'])}"
    return f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture(scope="module")
def ops_server(django_db_setup, tmp_path_factory):
    """One app server for a module's tests (each trial may kill and restart it); the data is each test's own."""
    run_dir = tmp_path_factory.mktemp("ops")
    signing_key()  # the suite's own key (made on first use): the servers sign with it too, so every checkpoint verifies
    key = Path(settings.HISTORY_SIGNING_KEY_FILE or settings.HISTORY_DEV_SIGNING_KEY_FILE)
    env = production_env(database_url=database_url_for_processes(), run_dir=run_dir, signing_key=key, checkpoint_every=20)
    server = AppServer(env, port=free_port(), log=run_dir / "app.log").start()
    yield server
    server.stop()


@pytest.fixture
def ops_stage(live_db, ops_server, tmp_path):
    """An officer and a supervisor signed in to the running app server; 24 municipalities with no case yet.

    The supervisor also reads what the checks read (supervisors see the whole history, every letter and payment).
    """
    password = secrets.token_urlsafe(12)
    boss = f.supervisor()
    users = {"officer": f.officer(streams=(CSG,), prefectures=("11",)), "supervisor": boss}
    for user in users.values():
        with_password(user, password)
    recipients = [f.town(n).code for n in range(24)]
    for year in (2026, 2027):
        f.fiscal_year(year)
    f.budget_notice(2027, CSG, amount=10**12, by=boss)
    reminder_rules()
    # A checkpoint directory belongs to one database, and each test's is emptied after it (live_db).
    for checkpoint in Path(ops_server.env["HISTORY_CHECKPOINT_DIR"]).iterdir():
        checkpoint.unlink()
    if not ops_server.process.running():
        ops_server.start()
    officer, supervisor = (ops_server.client.login(users[role].username, password) for role in users)
    return Stage(
        env=ops_server.env, server=ops_server, database_url=database_url_for_processes(), run_dir=tmp_path,
        officer=officer, supervisor=supervisor, auditor=supervisor, officer_login=(users["officer"].username, password),
        slots=Slots(officer, recipients, GROUPS), seed=random.randrange(10**6), prefer_writes=True,
        earlier_reminders=False,
    )
