"""The OpenAPI document describes what the endpoints return: real answers validate against it."""

from datetime import date

import jsonschema
import pytest

from tests.factories import Stream
from tests import factories as f
from tests.payments import factories as pf
from workflows.services import case_transition

pytestmark = pytest.mark.django_db


def _strict(node, components):
    """An OpenAPI 3.0 schema as JSON Schema: references inlined, ``nullable`` as a null type, no undocumented keys."""
    if isinstance(node, list):
        return [_strict(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _strict(components[node["$ref"].rsplit("/", 1)[1]], components)
    schema = {key: _strict(value, components) for key, value in node.items() if key not in ("nullable", "readOnly")}
    if node.get("nullable"):
        schema = {"anyOf": [schema, {"type": "null"}]}
    elif "properties" in node and "additionalProperties" not in node:
        schema["additionalProperties"] = False
    return schema


def assert_documented(document: dict, path: str, method: str, response) -> None:
    """``response`` (JSON) is what the document says ``method path`` answers with its status."""
    responses = document["paths"][path][method]["responses"]
    documented = responses.get(str(response.status_code)) or responses["default"]
    schema = documented["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), _strict(schema, document["components"]["schemas"]))


@pytest.fixture
def document(api):
    api.force_authenticate(f.auditor())
    return api.get("/api/openapi.json").json()


def test_the_case_and_recipient_lists_answer_as_documented(api, document):
    officer = f.officer()
    case = f.case(actor=officer)
    case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2025-09-16", "occurred_on": "2025-08-01"}, expected_version=1)
    api.force_authenticate(officer)
    assert_documented(document, "/api/cases", "get", api.get("/api/cases"))
    assert_documented(document, "/api/recipients", "get", api.get("/api/recipients"))
    parameters = {p["name"] for p in document["paths"]["/api/cases"]["get"]["parameters"]}
    assert "page" in parameters


@pytest.mark.parametrize(
    "path", ["/api/letters", "/api/payment-runs", "/api/payment-items", "/api/return-claims", "/api/fund-balances"]
)
def test_each_list_documents_its_page_parameter(document, path):
    parameters = {p["name"] for p in document["paths"][path]["get"]["parameters"]}
    assert "page" in parameters


def test_the_letter_and_money_lists_answer_as_documented(api, document):
    pf.shipped_plans()
    officer, boss = f.officer(), f.supervisor()
    case = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.revoked(case, boss, today=date(2024, 3, 1), reason="補助目的外への使用", legal_basis="art_17_1")
    f.fiscal_year(2024)
    api.force_authenticate(boss)
    row = {"prefecture": "11", "fiscal_year": 2024, "opening": 1_000, "national_contribution": 600,
           "prefectural_contribution": 300, "interest": 7, "spending": 500, "closing": 1_407}
    imported = api.post("/api/fund-balances", {"rows": [row]}, format="json")
    assert imported.status_code == 201, imported.content
    assert_documented(document, "/api/fund-balances", "post", imported)
    for path in ("/api/letters", "/api/payment-runs", "/api/payment-items", "/api/return-claims", "/api/fund-balances"):
        response = api.get(path)
        assert response.status_code == 200 and response.json()["count"] >= 1, (path, response.content)
        assert_documented(document, path, "get", response)


def test_case_detail_creation_and_transitions_answer_as_documented(api, document):
    officer = f.officer()
    f.municipality(), f.fiscal_year(2025)
    api.force_authenticate(officer)
    body = {"fiscal_year": 2025, "stream": Stream.COMMUNITY_SUPPORT_GRANT, "procedure": "initial_grant", "recipient": "112011"}
    created = api.post("/api/cases", body, format="json")
    assert created.status_code == 201
    assert_documented(document, "/api/cases", "post", created)
    case_id = created.json()["id"]
    acted = api.post(f"/api/cases/{case_id}/transitions/request", {"version": 1}, format="json")
    assert_documented(document, "/api/cases/{case_id}/transitions/{name}", "post", acted)
    assert_documented(document, "/api/cases/{case_id}", "get", api.get(f"/api/cases/{case_id}"))


def test_the_parts_of_a_case_are_described_not_left_free_form(document):
    case = _strict(document["components"]["schemas"]["CaseDetail"], document["components"]["schemas"])["properties"]

    def described(schema):
        schema = next((s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"), schema)
        schema = schema.get("items", schema)
        return schema["allOf"][0] if "allOf" in schema else schema

    for name, keys in {
        "recipient": {"code", "name", "prefecture"},
        "amounts": {"requested", "determined", "current", "settled", "paid"},
        "deadline": {"stated", "effective"},
        "available_transitions": {"name", "label", "fields", "blocked_by"},
        "history": {"id", "occurred_at", "actor", "action", "source", "target", "hash"},
    }.items():
        assert keys <= set(described(case[name]).get("properties", {})), name


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_each_history_export_format_is_documented_with_its_media_type(api, document, fmt):
    response = api.get("/api/history/export", {"format": fmt})
    assert response.status_code == 200
    media_type = response["Content-Type"].split(";")[0]
    assert media_type in document["paths"]["/api/history/export"]["get"]["responses"]["200"]["content"]


def test_errors_answer_in_the_documented_error_shape(api, document):
    officer = f.officer()
    case = f.case(actor=officer)
    transition = "/api/cases/{case_id}/transitions/{name}"
    api.force_authenticate(None)
    assert_documented(document, "/api/cases", "get", api.get("/api/cases"))  # 401
    api.force_authenticate(officer)
    answers = [
        ("/api/cases", "get", api.get("/api/cases?state=nope")),  # 422
        ("/api/cases/{case_id}", "get", api.get("/api/cases/999999")),  # 404
        (transition, "post", api.post(f"/api/cases/{case.pk}/transitions/request", {"version": 9}, format="json")),  # 409
        (transition, "post", api.post(f"/api/cases/{case.pk}/transitions/approve", {"version": 1}, format="json")),  # 409
        ("/api/budget-notices", "post", api.post("/api/budget-notices", {}, format="json")),  # 422
        ("/api/history/export", "get", api.get("/api/history/export")),  # 403
    ]
    assert {response.status_code for _path, _method, response in answers} == {403, 404, 409, 422}
    for path, method, response in answers:
        assert_documented(document, path, method, response)
