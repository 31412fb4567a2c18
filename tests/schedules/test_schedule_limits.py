"""A schedule document is read only for someone who may import it, and only within bounds.

(Found by a security audit: a 373-byte YAML alias bomb sent by an auditor to
``POST /api/schedules/{fy}`` was expanded, taking seconds and hundreds of
megabytes, before the 403.)
"""

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from schedules.schedule_format import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH, dump_document, load_document
from tests import factories as f
from tests.http import assert_error
from tests.letters.factories import shipped_document

pytestmark = pytest.mark.django_db

# Nine levels of nine aliases: 9**9 (387 million) strings once expanded, in under 300 bytes.
ALIAS_BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    + ["schedules: *i"]
)


def post_yaml(api, user, body: str, fiscal_year: int = 2025):
    api.force_authenticate(user)
    return api.post(f"/api/schedules/{fiscal_year}", body, content_type="application/yaml")


@pytest.mark.parametrize("role", ["auditor", "officer"])
def test_a_reader_is_refused_before_the_body_is_read(api, role):
    """Not even malformed YAML gets a parse error: the 403 comes first."""
    user = getattr(f, role)()
    assert_error(post_yaml(api, user, ALIAS_BOMB), 403, "permission_denied")
    assert_error(post_yaml(api, user, "schedules: ["), 403, "permission_denied")


def test_anchors_and_aliases_are_refused_unexpanded(api):
    error = assert_error(post_yaml(api, f.supervisor(), ALIAS_BOMB), 400, "malformed_request")
    assert "anchors and aliases" in error["message"]
    error = assert_error(post_yaml(api, f.supervisor(), "schedules: &x []\nother: 1\n"), 400, "malformed_request")
    assert "anchors and aliases" in error["message"]


def test_nesting_deeper_than_the_format_needs_is_refused(api):
    body = "schedules: " + "[" * (MAX_DOCUMENT_DEPTH + 1) + "]" * (MAX_DOCUMENT_DEPTH + 1)
    error = assert_error(post_yaml(api, f.supervisor(), body), 400, "malformed_request")
    assert f"more than {MAX_DOCUMENT_DEPTH} levels" in error["message"]


def test_a_body_over_the_limit_is_a_413_and_is_not_parsed(api):
    body = "schedules: []\n#" + "x" * MAX_DOCUMENT_BYTES
    assert_error(post_yaml(api, f.supervisor(), body), 413, "request_too_large")


def test_the_shipped_file_is_within_every_bound_and_its_export_reads_back():
    document = shipped_document()
    text = dump_document(document)
    assert len(text.encode("utf-8")) < MAX_DOCUMENT_BYTES
    assert load_document(text) == document


def test_the_export_writes_a_repeated_value_in_full_never_as_an_alias():
    shared = {"date_text_ja": "随時"}
    text = dump_document({"schedules": [{"a": shared, "b": shared}]})
    assert "&" not in text and "*" not in text
    assert load_document(text) == {"schedules": [{"a": shared, "b": shared}]}


def test_the_import_command_refuses_an_alias_bomb_with_a_message(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(CommandError, match="anchors and aliases"):
        call_command("import_schedules", str(bomb))


def test_yaml_that_the_loader_refuses_is_still_yaml_to_pyyaml():
    """The bomb is valid YAML: the refusal is ours, not a syntax error."""
    assert isinstance(yaml.compose(ALIAS_BOMB), yaml.MappingNode)
