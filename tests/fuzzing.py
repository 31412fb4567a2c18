"""Schema-driven fuzzing of the API with schemathesis, shared by the suite (tests/test_fuzz.py, a few
hundred requests) and the soak (bench/fuzz.py, thousands per role).

Every operation of ``/api/openapi.json`` is sent examples generated from the
schema, valid ones and invalid ones, as each role: officer, supervisor,
auditor, administrator and nobody signed in. Each answer must be no 5xx, a
status and a content type the document names, a body matching its schema,
and every 4xx in the error shape. The requests go through the whole Django
stack in process (WSGI), against the real database. (Django's models are
imported where they are used, so the soak's parent process can read ROLES
before Django is set up.)
"""

import json
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROLES = ("officer", "supervisor", "auditor", "admin", "anonymous")
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def error_shape(ctx, response, case):
    """A 4xx answers ``{"error": {"code", "message", "details"}}`` as JSON."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/json"), f"a {response.status_code} as {content_type}"
        error = json.loads(response.content)["error"]
        assert set(error) == {"code", "message", "details"}, error
        assert isinstance(error["code"], str) and error["code"] and error["message"], error
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance, error_shape]


def users() -> dict:
    """One user per role (``None`` for nobody signed in), and a case with a letter so ids can hit something."""
    from tests import factories as f
    from tests.letters.factories import requested_case

    officer = f.officer()
    made = {
        "officer": officer,
        "supervisor": f.supervisor(),
        "auditor": f.auditor(),
        "admin": f.UserFactory(username="fuzz-admin", is_staff=True, is_superuser=True),
        "anonymous": None,
    }
    requested_case(officer=officer, deadline="2026-02-27")
    return made


@contextmanager
def connection_kept():
    """As Django's test client does: a request must not close the connection a test's transaction is on."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema():
    from config.wsgi import application

    with connection_kept():
        return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@dataclass
class Tally:
    """What one role's requests got: counts by status, and the failures (at most a few kept in full)."""

    statuses: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def fuzz_role(schema, user, *, examples: int, derandomize: bool = True, keep: int = 5) -> Tally:
    """Send up to ``examples`` generated requests per operation and generation mode as ``user``."""
    from knox.models import AuthToken

    tally = Tally()
    token = {}

    def send(case):
        if user is not None and not token:
            token["key"] = AuthToken.objects.create(user=user)[1]
        headers = {"Authorization": f"Bearer {token['key']}"} if user else {}
        response = case.call(headers=headers)
        if case.path.startswith("/api/auth/logout"):  # a fuzzed sign-out may have revoked the token
            token.clear()
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as failure:
            if len(tally.failures) < keep:
                tally.failures.append(f"{case.method} {case.formatted_path}: {failure}"[:2000])
            else:
                tally.failures.append(f"{case.method} {case.formatted_path}")

    with connection_kept():
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in MODES:
                run = settings(
                    max_examples=examples, derandomize=derandomize, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck),
                )(given(operation.as_strategy(generation_mode=mode))(send))
                try:
                    run()
                except Unsatisfiable:  # an operation with nothing to make invalid in negative mode
                    pass
    return tally
