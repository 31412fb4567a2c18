"""The canonical JSON a record is hashed over is the same bytes whether orjson or ``json`` writes it.

``grants.history`` hashes with orjson where it writes exactly what ``json``'s
encoder writes and falls back to ``json`` for the rest (docs/dependencies.md).
These tests generate values of every kind a record, or a rewritten row, can
hold and compare the bytes with ``json``'s (``tests/grants/history_reference.py``
keeps that first form); a record that appended before appends now, with the
same hash.
"""

import enum
import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import orjson
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grants.history import (
    _HASHED,
    _canonical,
    _canonical_around_prev,
    _chain_rows,
    _dumps,
    _canonical_stored,
    _no_number,
    _record_data,
    _spelled_otherwise,
    _stored_float,
    stored_json,
    history_append,
    history_record,
    history_verify,
)
from grants.models import HistoryEntry
from web.errors import InvalidInput
from tests import factories as f
from tests.grants import history_reference as reference


class Colour(enum.Enum):
    RED = 1


class Kind(enum.StrEnum):
    CASE = "case"


class Level(enum.IntEnum):
    HIGH = 3


class Loud(str):
    def __str__(self):
        return "LOUD"


@dataclass
class Point:
    x: int = 1


# Text with what JSON escapes or does not: control characters, quotes, U+2028/2029, DEL, emoji, lone surrogates.
texts = st.one_of(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(["\x00", "\x07", "\x1f", "\x7f", '"', "\\", "/", "\u2028", "\u2029", "😀", "\ud800", "\udfff",
                             "\n", "\t", "e", "-", ".", "0"]),
        ),
        max_size=12,
    ),
    st.sampled_from(["e-mail", "0.00001", "1e-5", ":1.5,", "NaN", "Infinity", "null"]),  # what looks like a number's text
)
integers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.integers(),  # beyond 64 bits too
    st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1, 10**30, -(10**30)]),
)
floats = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.one_of(st.none(), st.booleans(), integers, floats, texts)
others = st.one_of(
    st.dates(), st.datetimes(timezones=st.sampled_from([None, UTC])), st.times(), st.decimals(allow_nan=False),
    st.uuids(), st.builds(lambda: Kind.CASE), st.builds(lambda: Level.HIGH), st.builds(Point), st.builds(lambda: Loud("x")),
    st.builds(tuple, st.lists(st.integers(), max_size=3)),
)
keys = st.one_of(texts, st.sampled_from(["prev_hash", "a", "A", "é", "あ", "😀", "", "10", "9"]))
json_values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=25
)
odd_keys = st.one_of(keys, st.integers(), st.none(), st.booleans())
any_values = st.recursive(
    st.one_of(scalars, others),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(odd_keys, inner, max_size=4)),
    max_leaves=25,
)


def _outcome(encode, value):
    """The bytes, or the kind of error (a lone surrogate cannot be UTF-8; mixed key types cannot be sorted)."""
    try:
        return encode(value)
    except (TypeError, UnicodeEncodeError, ValueError) as error:
        return type(error)


def _json_bytes(value):
    return _dumps(value).encode()


@given(any_values)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@example({"small": 1.5e-7, "tiny": 1e-5, "edge": 9.99e-5, "big": 1e16, "huge": 1e22, "third": 1 / 3, "neg": -0.0})
@example({"n": 2**64, "m": -(2**63) - 1, "s": "\ud800", 1: "int key"})
@example({"b": {}, "a": [[]], "c": [{}, []], "\u2028": "\u2029", "\x7f": "\x00\x1f"})
@example([date(2025, 4, 1), datetime(2025, 4, 1, 9, 30, tzinfo=UTC), time(1, 2), Decimal("12.50"), uuid.UUID(int=5)])
@example([Kind.CASE, Level.HIGH, Point(), Loud("x"), (1, 2)])
def test_the_canonical_bytes_are_json_s_for_any_value(value):
    assert _outcome(_canonical, value) == _outcome(_json_bytes, value)


@given(floats)
@settings(max_examples=1000, deadline=None)
@example(1e-4)
@example(9.999999999999999e-05)
@example(1e-5)
@example(5e-324)
@example(1e16)
@example(1.7976931348623157e308)
def test_every_finite_float_is_written_as_json_writes_it(number):
    assert _canonical({"x": number, "y": [number]}) == _json_bytes({"x": number, "y": [number]})


# PostgreSQL's ``jsonb`` gives a number back as a plain decimal, never with an exponent (1.5e-07 as 0.00000015).
def _jsonb_number(number: float) -> str:
    return format(Decimal(repr(number)), "f")


def _jsonb_text(items) -> str:
    return "{" + ", ".join(
        f"{json.dumps(key)}: [{_jsonb_number(number)}, {json.dumps(text, ensure_ascii=False)}]" for key, number, text in items
    ) + "}"


jsonb_texts = st.lists(st.tuples(texts, floats, texts), max_size=4).map(_jsonb_text)

# Stored data texts: as Django writes a JSONField (``json.dumps``), as PostgreSQL gives it back and as a rewritten
# row may hold it.
stored_texts = st.one_of(
    jsonb_texts,
    json_values.map(json.dumps),
    json_values.map(lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"))),
    st.sampled_from(['{"a": NaN}', '{"a": Infinity}', '[-Infinity]', '{"a": 1e400}', '{"a": 1e-400}', "not json",
                     '{"a": 1, "a": 2}', '{"a": "\\ud800"}', '{"a": 18446744073709551616}', "null", "", "1.5",
                     '{"a": -0.0}', '{"a": -0}', '{"a": 1E5}', '\ufeff{}', '{"a": 1} x', ' \t{"a":\n[]}\r',
                     '{"a": 1.0000000000000000001}', '{"a": 123456789012345678901234567890.5}', '{"a": 9.999e-5}']),
)


# Times with and without microseconds: ".000000" and ".000012" hold "0.0000", which a small float's text holds too.
times = st.one_of(
    st.sampled_from([0, 12, 99, 100, 123_456]).map(lambda micro: datetime(2025, 4, 1, 9, 0, 0, micro, tzinfo=UTC)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)),
)


@given(stored_texts, st.sampled_from([None, 7]), times)
@settings(max_examples=600, deadline=None)
@example('{"a": 18446744073709551617, "b": [-9223372036854775809]}', None, datetime(2025, 4, 1, 0, 0, 0, 5, tzinfo=UTC))
@example('{"a": NaN, "b": 1}', None, datetime(2025, 4, 1, 0, 0, 0, 123_456, tzinfo=UTC))
@example('{"a": 1e-5, "b": 1.5e-7}', None, datetime(2025, 4, 1, 0, 0, 0, 123_456, tzinfo=UTC))
@example('\ufeff{"a": 1}', None, datetime(2025, 4, 1, tzinfo=UTC))
@example('{"a": [0.00000015, 0.00001, 0.0001, 14.142857142857142], "b": "0.0000 e- E- e+"}', None,
         datetime(2025, 4, 1, tzinfo=UTC))
@example('{"a": "0.00001", "b": "x+e+1", "c": 1.5}', 7, datetime(2025, 4, 1, tzinfo=UTC))
@example('{"a": 0.000000000000000000000000000000000000000000000001, "b": [10000000000000000000000]}', None,
         datetime(2025, 4, 1, tzinfo=UTC))
def test_a_stored_record_hashes_as_the_reference_hashes_it(text, case, occurred_at):
    """The chain read's text of a stored record is the first form's: the ORM's ``json.loads`` and ``json.dumps``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = text  # as JSONField gives it
    value, by_orjson = stored_json(text)
    if not by_orjson:
        assert repr(value) == repr(data)  # NaN is not equal to itself; its repr is
    values = {"occurred_at": occurred_at, "actor": 1, "actor_role": "officer", "subject_type": "case",
              "subject_id": "1", "case": case, "fiscal_year": 2025, "stream": "", "recipient": None, "action": "submit",
              "source": "a", "target": "b", "data": data}
    body = {**{name: values[name] for name in _HASHED[1:]}, "prev_hash": "f" * 64,
            "occurred_at": occurred_at.isoformat(timespec="microseconds")}
    outcome = _outcome(lambda _: _canonical_stored(dict(body), text), None)
    expected = _outcome(lambda _: reference.canonical_text(values, "f" * 64).encode(), None)
    assert outcome == expected
    _assert_split_matches(values, made_by_history_record=False)  # entry_hash's way: data read back may hold NaN


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _assert_split_matches(values: dict, **how) -> None:
    try:
        expected = reference.canonical_text(values, "f" * 64)
        expected.encode()
    except (TypeError, UnicodeEncodeError, ValueError) as error:
        with pytest.raises(type(error)):
            head, tail = _canonical_around_prev(values, **how)
            f"{head}{'f' * 64}{tail}".encode()
        return
    head, tail = _canonical_around_prev(values, **how)
    assert f"{head}{'f' * 64}{tail}" == expected


fields = st.one_of(texts, st.integers(), st.none(), st.sampled_from([Colour.RED, Kind.CASE, Level.HIGH, Loud("x")]))


@given(st.fixed_dictionaries({name: fields for name in _HASHED[1:-1]}), any_values, times)
@settings(max_examples=300, deadline=None)
def test_a_record_to_append_is_split_around_its_prev_hash_as_the_reference_writes_it(record, data, occurred_at):
    """Fields of any type (a plain enum member, which orjson would write by its value, goes to ``json``)."""
    _assert_split_matches({"occurred_at": occurred_at, **record, "data": data})


@pytest.mark.django_db
def test_a_record_keeps_its_text_fields_as_plain_text_written_as_json_writes_them(monkeypatch):
    """A case's state after its transition is a member of a text enum; the record keeps its value as ``str``
    itself (a ``Loud`` one by its content, as ``json`` writes it), so orjson writes the record, not ``json``."""
    from grants.models import CaseState

    record = history_record(actor=f.officer(), action=Kind.CASE, subject_type=Loud("case"), subject_id=7,
                            stream=Loud("community_support_grant"), source=CaseState.PLANNED,
                            target=CaseState.REQUESTED, data={"n": 1})
    texts = {name: record[name] for name in ("actor_role", "subject_type", "stream", "action", "source", "target")}
    assert all(value.__class__ is str for value in texts.values()), texts
    assert (texts["source"], texts["target"], texts["subject_type"]) == ("planned", "requested", "case")
    _assert_split_matches(record)
    written_by_json = []
    monkeypatch.setattr("grants.history._dumps", lambda value: written_by_json.append(value) or _dumps(value))
    _canonical_around_prev(record)
    assert written_by_json == []


def test_a_time_s_zeros_do_not_send_a_record_to_json_but_a_small_float_does():
    """orjson's text is taken unless it may hold a float ``json`` spells otherwise (``e-``, or ``0.0000`` after a
    non-digit): a time's ``.000012`` is not one, ``1e-05`` (orjson ``0.00001``) and ``1.5e-07`` are."""
    time_only = orjson.dumps({"at": "2025-04-01T00:00:00.000012+00:00", "n": 10.00001, "m": 0.0001})
    assert not _spelled_otherwise(time_only)
    for small in (1e-05, -1e-05, 1.5e-07, 9.99e-05):
        assert _spelled_otherwise(orjson.dumps({"n": [small]}))
        assert _canonical({"n": [small]}) == _json_bytes({"n": [small]})


@pytest.mark.django_db
@given(st.lists(json_values.filter(lambda value: not any(isinstance(leaf, float) and (math.isnan(leaf) or math.isinf(leaf))
                                                         for leaf in _leaves(value))), min_size=1, max_size=5))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_records_appended_and_read_back_hash_as_the_reference(values):
    """Through the database: what appends verifies, and the chain read gives the reference's hashes."""
    officer = f.officer()
    appended = 0
    for number, value in enumerate(values):
        try:
            with transaction.atomic():
                history_append(actor=officer, action="note", subject_type="test", subject_id=str(number),
                               data={"value": value}, occurred_at=datetime(2025, 4, 1, tzinfo=UTC) + timedelta(seconds=number))
            appended += 1
        except Exception as error:  # what the first form refused too: 1e16, -0.0, a lone surrogate
            assert type(error).__name__ in {"UnstorableNumber", "UnicodeEncodeError", "DataError"}, error
    assert list(_chain_rows()) == list(reference.chain_rows())
    assert history_verify().ok


@pytest.mark.django_db
@pytest.mark.parametrize("rewritten", [
    '{"a": NaN, "n": 1}',  # orjson would write NaN as null: the text hashed would be the record's own
    '{"a": null, "n": 1.0}',
    '{"a": null, "n": 1e-05}',
    '{"a": null, "n": 18446744073709551617}',
    '{"a": null, "n": 1, "s": "\\ud800"}',
    '{"n": 1, "a": null}',  # the same record, keys in another order: still intact
])
def test_a_rewritten_record_is_named_by_id_however_its_data_is_spelled(rewritten):
    from tests.grants.test_history_fast import _tamper_text

    if connection.vendor == "postgresql" and ("NaN" in rewritten or "\\ud800" in rewritten):
        pytest.skip("jsonb refuses NaN and a lone surrogate: no row can hold them")
    officer = f.officer()
    with transaction.atomic():
        for number in range(5):
            history_append(actor=officer, action="note", subject_type="test", subject_id=str(number), data={"a": None, "n": 1})
    victim = HistoryEntry.objects.order_by("pk").values_list("pk", flat=True)[2]
    _tamper_text(victim, rewritten)
    if "\\ud800" in rewritten:  # neither form can hash a lone surrogate: both stop on it
        with pytest.raises(UnicodeEncodeError):
            list(_chain_rows())
        with pytest.raises(UnicodeEncodeError):
            list(reference.chain_rows())
        return
    assert list(_chain_rows()) == list(reference.chain_rows())
    found = history_verify()
    if rewritten.startswith('{"n"'):
        assert found.ok
    else:
        assert (found.ok, found.code, found.first_broken_id) == (False, "record_altered", victim)


def _typed(value):
    """The value with every leaf's type (1 and 1.0, True and 1 compare equal in Python)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value), value)


def _reference_data(value):
    """A record's data as ``json.dumps`` and ``json.loads`` give it back with the history's checks, called as
    functions: what ``_record_data`` does with an encoder and a decoder it built once."""
    return json.loads(json.dumps(value, default=str), parse_float=_stored_float, parse_constant=_no_number)


def _data_outcome(read, value):
    try:
        return _typed(read(value))
    except InvalidInput as refused:
        return type(refused), str(refused.message)
    except (TypeError, ValueError, RecursionError) as error:
        return type(error)


@given(any_values)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@example({"nan": math.nan})
@example([math.inf, -math.inf])
@example({"big": 1e16, "neg": -0.0, "rate": 0.1, "whole": 2.0, "text": "1.5e+16"})
@example({"n": 2**64, "m": -(2**63) - 1, "k": 2**63 - 1, "i": 10**18, "s": "\ud800", 1: "int key", "1": "text key"})
@example({"on": date(2025, 4, 1), "money": Decimal("12.50"), "kinds": [Kind.CASE, Level.HIGH, Colour.RED, Point()]})
@example({"deep": json.loads("[" * 600 + "]" * 600), "令和": "\u2028😀", "e": "4e 7E x.y"})
def test_a_record_s_data_reads_back_as_json_reads_it(value):
    """Type for type, or the same refusal: the encoder and decoder built once (``_record_data``) are configured
    as the calls they replace (``default=str``, each float checked, NaN and the infinities refused)."""
    assert _data_outcome(_record_data, value) == _data_outcome(_reference_data, value)
