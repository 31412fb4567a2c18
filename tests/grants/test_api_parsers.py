"""A JSON body the server cannot take apart is a 400 ``malformed_request``, never a 500."""

import pytest

from grants.models import Case
from tests import factories as f
from tests.http import assert_error

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000  # valid JSON, nested deeper than Python's decoder recurses


@pytest.mark.parametrize("body", [DEEP, '{"version": 1, "reason": ' + DEEP + "}"])
def test_json_nested_too_deep_is_a_malformed_request_even_before_sign_in(api, body):
    assert_error(api.post("/api/auth/token", data=body, content_type="application/json"), 400, "malformed_request")
    officer = f.officer()
    case = f.case(actor=officer)
    api.force_authenticate(officer)
    response = api.post(f"/api/cases/{case.pk}/transitions/request", data=body, content_type="application/json")
    assert_error(response, 400, "malformed_request")
    assert Case.objects.get().state == "planned"
