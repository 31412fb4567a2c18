"""Request bodies of the API.

JSON may escape a lone UTF-16 surrogate (``"\\ud800"``); Python decodes it to a
string that no database or UTF-8 encoder accepts, so without this check such
a body travels through validation and fails as a 500 at the first write.
JSON nested deeper than Python's decoder recurses (a few thousand ``[``, on
any endpoint, signed in or not) raises RecursionError, not the ValueError DRF
turns into a 400; it is refused the same way.
"""

import json

from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError


class RequestTooLarge(APIException):
    """A body larger than the endpoint takes: 413 ``request_too_large``, refused before it is read."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int):
        super().__init__(f"The request body is larger than the {limit} bytes this address takes.")


def refuse_unpaired_surrogates(data):
    """``data`` as parsed, or a 400 ``malformed_request`` when a string in it holds an unpaired surrogate."""
    try:
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError("Parse error - a string holds an unpaired surrogate (\\ud800-\\udfff).") from None
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing text that holds an unpaired surrogate.

    The API's default (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return refuse_unpaired_surrogates(super().parse(stream, media_type, parser_context))
        except RecursionError:
            raise ParseError("Parse error - the JSON is nested too deeply.") from None

