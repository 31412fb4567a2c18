"""Settings for the test suite: development defaults, tasks run inline."""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "1")
# Letters the tests render go to a scratch folder (inherited by the processes tests start).
os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="grants-test-media-"))
os.environ.setdefault("DJANGO_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A real file, so threads and processes in the concurrency tests share it
    # the way app servers do (an in-memory shared cache would lock differently).
    # One file per test run, so two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
