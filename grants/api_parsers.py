"""Request bodies of the API.

JSON may escape a lone UTF-16 surrogate (``"\\ud800"``); Python decodes it to a
string that no database or UTF-8 encoder accepts, so without this check such
a body travels through validation and fails as a 500 at the first write.
"""

import json

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing text that holds an unpaired surrogate (a 400 ``malformed_request``).

    The API's default (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError("JSON parse error - a string holds an unpaired surrogate (\\ud800-\\udfff).") from None
        return data

