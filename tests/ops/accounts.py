"""Passwords the production server accepts for users the test factories make."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password


class FewIterations(PBKDF2PasswordHasher):
    """PBKDF2 at a token cost: the server checks it, then stores the password again at its own cost (once a user).

    The suite's fast MD5 hasher is not one production settings know, so a
    factory's user could not sign in to a server running them.
    """

    iterations = 1_000


def with_password(user, password: str):
    user.password = make_password(password, hasher=FewIterations())
    user.save(update_fields=["password"])
    return user
