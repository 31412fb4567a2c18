"""The API answers schemathesis's generated requests, as every role, within its own description.

A bounded run (a few hundred requests, the same ones every time); the soak,
``bench/fuzz.py``, sends thousands per role. See tests/fuzzing.py for what is checked.
"""

import pytest

from tests.fuzzing import ROLES, fuzz_role, load_schema, users

pytestmark = pytest.mark.django_db
EXAMPLES = 1  # per operation, generation mode and role: about 70 requests a role


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return load_schema()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_no_5xx_and_answers_within_the_schema(schema, role):
    tally = fuzz_role(schema, users()[role], examples=EXAMPLES)
    assert tally.requests >= 40, tally.statuses
    assert not any(status >= 500 for status in tally.statuses), tally.statuses
    assert not tally.failures, "\n\n".join(tally.failures)
