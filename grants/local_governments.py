"""The national list of local governments: code rules, the shipped file, search keys.

Plain functions with no database, so the script that rebuilds the file
(``scripts/build_local_governments.py``) uses the same rules as the loader.
Where the file comes from, its date and licence: ``grants/data/README.md``.

Codes (``Recipient.code``):
- prefecture: its JIS X 0401 code, two digits (``"12"``);
- municipality: the six-digit 全国地方公共団体コード, five digits and a check
  digit (``"122203"`` 流山市);
- wide-area union (後期高齢者医療広域連合, one per prefecture): the project's own
  ``"<prefecture>-wau"`` (``"12-wau"``).
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "local_governments.csv"
COLUMNS = ("code", "kind", "municipality_type", "prefecture_code", "name_ja", "name_kana", "name_en")
KINDS = ("prefecture", "municipality", "wide_area_union")
MUNICIPALITY_TYPES = ("designated_city", "city", "town", "village", "special_ward")

CHECK_WEIGHTS = (6, 5, 4, 3, 2)
PREFECTURE_CODE = re.compile(r"^(0[1-9]|[1-3][0-9]|4[0-7])$")
MUNICIPALITY_CODE = re.compile(r"^(0[1-9]|[1-3][0-9]|4[0-7])[0-9]{4}$")
UNION_CODE = re.compile(r"^(0[1-9]|[1-3][0-9]|4[0-7])-wau$")

UNION_NAME_SUFFIX = "後期高齢者医療広域連合"
UNION_KANA_SUFFIX = "コウキコウレイシャイリョウコウイキレンゴウ"
UNION_NAME_EN_SUFFIX = " Late-Elderly Medical Care Wide-Area Union"

_TOKYO = "13"


def check_digit(first_five: str) -> int:
    """The check digit (検査数字) of a five-digit local-government code.

    Each digit times 6, 5, 4, 3, 2; the sum modulo 11; the check digit is the
    last digit of 11 minus that remainder: remainder 0 gives 1 (from 11),
    remainder 1 gives 0 (from 10). 12220 → 3 (122203 流山市), 01213 → 1
    (012131 苫小牧市, remainder 0).
    """
    remainder = sum(int(digit) * weight for digit, weight in zip(first_five, CHECK_WEIGHTS, strict=True)) % 11
    return (11 - remainder) % 10


def code_is_valid(code: str) -> bool:
    """A six-digit municipality code whose prefecture exists and whose check digit matches."""
    return bool(MUNICIPALITY_CODE.match(code)) and check_digit(code[:5]) == int(code[5])


def union_code(prefecture_code: str) -> str:
    return f"{prefecture_code}-wau"


def municipality_type_of(code: str, name_ja: str) -> str:
    """The type a municipality's code and name say (JIS X 0402 numbers 1xx, 2xx, then towns and villages).

    1xx: Tokyo's special wards, elsewhere the designated cities (their wards are
    not municipalities and are not in the file); 2xx: other cities; from 3xx the
    towns (町) and villages (村), told apart by the name.
    """
    if code[2] == "1":
        return "special_ward" if code[:2] == _TOKYO else "designated_city"
    if code[2] == "2":
        return "city"
    if name_ja.endswith("町"):
        return "town"
    if name_ja.endswith("村"):
        return "village"
    raise ValueError(f"{code} {name_ja}: neither a town (町) nor a village (村)")


_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


def search_text(text: str) -> str:
    """What a person typed, as names are stored: NFKC (full-width digits and
    letters to ASCII, half-width katakana to full width), spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def search_kana(text: str) -> str:
    """``search_text`` with hiragana as katakana, the way readings are stored (ながれやま → ナガレヤマ)."""
    return search_text(text).translate(_HIRAGANA_TO_KATAKANA)


@dataclass(frozen=True)
class LocalGovernment:
    """One row of the shipped file."""

    code: str
    kind: str
    municipality_type: str
    prefecture_code: str
    name_ja: str
    name_kana: str
    name_en: str


class LocalGovernmentFileError(ValueError):
    """The file cannot be loaded; the message names the line and what is wrong with it."""


def _row_problem(row: LocalGovernment) -> str | None:
    if row.kind not in KINDS:
        return f"unknown kind {row.kind!r}"
    if row.kind == "municipality":
        if row.municipality_type not in MUNICIPALITY_TYPES:
            return f"unknown municipality type {row.municipality_type!r}"
        if MUNICIPALITY_CODE.match(row.code) and not code_is_valid(row.code):
            return f"{row.code}: wrong check digit (expected {check_digit(row.code[:5])})"
    elif row.municipality_type:
        return f"a {row.kind} has no municipality type"
    expected = {"prefecture": PREFECTURE_CODE, "municipality": MUNICIPALITY_CODE, "wide_area_union": UNION_CODE}
    if not expected[row.kind].match(row.code):
        return f"{row.code}: not a {row.kind} code"
    if row.code[:2] != row.prefecture_code:
        return f"{row.code} is not in prefecture {row.prefecture_code!r}"
    if not row.name_ja.strip():
        return "no name"
    return None


def local_governments_read(path: Path = DATA_FILE) -> list[LocalGovernment]:
    """The rows of a local-government file, every one checked; the first bad line stops the read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LocalGovernmentFileError(f"{path}: cannot be read ({exc})") from exc
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise LocalGovernmentFileError(f"{path}: the header must be {','.join(COLUMNS)}")
    rows: list[LocalGovernment] = []
    seen: set[str] = set()
    for line, values in enumerate(reader, start=2):
        if None in values or None in values.values():
            raise LocalGovernmentFileError(f"{path}, line {line}: expected {len(COLUMNS)} columns")
        row = LocalGovernment(**{name: values[name].strip() for name in COLUMNS})
        problem = _row_problem(row) or (f"{row.code} appears twice" if row.code in seen else None)
        if problem:
            raise LocalGovernmentFileError(f"{path}, line {line}: {problem}")
        seen.add(row.code)
        rows.append(row)
    prefectures = {row.code for row in rows if row.kind == "prefecture"}
    for row in rows:
        if row.prefecture_code not in prefectures:
            raise LocalGovernmentFileError(f"{path}: {row.code}'s prefecture {row.prefecture_code} is not in the file")
    return rows
