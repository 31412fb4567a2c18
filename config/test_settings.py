"""Settings for the test suite: development defaults, tasks run inline."""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "1")
# Letters the tests render go to a scratch folder (inherited by the processes tests start).
os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="grants-test-media-"))
os.environ.setdefault("DJANGO_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
if "HISTORY_SIGNING_KEY_FILE" not in os.environ:
    # One signing key for the run, shared with the processes tests start (conftest.py gives each
    # test its own checkpoint directory).
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _key = os.path.join(tempfile.mkdtemp(prefix="grants-test-key-"), "history-signing-key.pem")
    with open(_key, "wb") as _out:
        _out.write(Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ))
    os.environ["HISTORY_SIGNING_KEY_FILE"] = _key

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A real file, so threads and processes in the concurrency tests share it
    # the way app servers do (an in-memory shared cache would lock differently).
    # One file per test run, so two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
