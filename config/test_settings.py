"""Settings for the test suite: development defaults, tasks run inline."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
