"""Assertions on the API's answers."""


def assert_error(response, status: int, code: str) -> dict:
    """The response is the JSON error shape with this status, this code and a message; returns its ``error`` object."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"], error
    return error
