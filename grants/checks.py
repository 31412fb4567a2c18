"""Deployment checks for the history's checkpoints (``manage.py check --deploy``)."""

import stat
from pathlib import Path

from django.conf import settings
from django.core import checks


def history_signing(app_configs=None, **kwargs):
    """A production install signs checkpoints with a key of its own and keeps copies outside the database."""
    problems = []
    if not (settings.HISTORY_SIGNING_KEY or settings.HISTORY_SIGNING_KEY_FILE):
        problems.append(checks.Warning(
            "No key signs the history's checkpoints, so a cut or re-hashed history would go unnoticed.",
            hint="Set HISTORY_SIGNING_KEY_FILE to an Ed25519 private key (docs/operations.md).",
            id="grants.W011",
        ))
    elif settings.HISTORY_SIGNING_KEY_FILE:
        path = Path(settings.HISTORY_SIGNING_KEY_FILE)
        if not path.is_file():
            problems.append(checks.Warning(
                f"HISTORY_SIGNING_KEY_FILE {path} is not a file.", id="grants.W012",
            ))
        elif path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            problems.append(checks.Warning(
                f"The history signing key {path} can be read by other users.",
                hint=f"chmod 0400 {path}", id="grants.W013",
            ))
    if not settings.HISTORY_CHECKPOINT_DIR:
        problems.append(checks.Warning(
            "The history's checkpoints are kept only in the database, which whoever controls it can delete.",
            hint="Set HISTORY_CHECKPOINT_DIR to a directory outside the database server (docs/operations.md).",
            id="grants.W014",
        ))
    return problems
