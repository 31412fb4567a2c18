"""What the management commands share: who acts, and how a refused act reads on the console."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from web.errors import DomainError

from .roles import system_user


def actor_for(username: str | None):
    """The named active user, or (no name) the system user that stands for an operator at the command line."""
    if not username:
        return system_user()
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"Unknown or inactive user {username!r}.") from None


def command_error(exc: DomainError) -> CommandError:
    """A domain error as a console message, with the places it names."""
    lines = [f"{exc.code}: {exc.message}"]
    for place, problems in exc.details.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            lines.append(f"  {place}: {problem}")
    return CommandError("\n".join(lines))
