"""Assertions on the API's answers."""


def assert_error(response, status: int, code: str) -> dict:
    """The response is the JSON error shape with this status and code; returns its ``error`` object."""
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code, response.json()
    return response.json()["error"]
