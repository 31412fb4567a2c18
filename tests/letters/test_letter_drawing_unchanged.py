"""Letters read and look as they did when their drawing was made cheaper.

``data/drawn_letters.json`` holds a letter of every kind as a national year
wrote it (the longest of 40 of each kind; covering requests, revocation
notices and return orders from the test suite's acts), a letter that runs to
two pages and one with a long subject, Latin text, markup characters and
full-width spaces, each with what poppler-utils read from it when it was drawn
by the code before (``main`` at 6a1ee8a: fonts with the whole ASCII range in
every subset, compressed streams): the text as laid out, every word with its
box, and the number of pages. The same content drawn now must give the same.

The expected values are rewritten only when a letter's look is meant to change:
``python tests/letters/test_letter_drawing_unchanged.py --write`` (run from the
checkout whose drawing is the reference).
"""

import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

if __name__ == "__main__":
    sys.path.insert(0, str(Path.cwd()))

from letters.pdf import LetterContent, render_letter

DATA = Path(__file__).with_name("data") / "drawn_letters.json"
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: these tests need poppler-utils (apt-get install poppler-utils)")
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def content_of(row: dict) -> LetterContent:
    return LetterContent(document_number=row["document_number"], issued_on=date.fromisoformat(row["issued_on"]), **row["content"])


def read_back(pdf: bytes) -> dict:
    """What a reader gets from the PDF: pages, the laid-out text, and each word with its box to 0.01 pt."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        pages = int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", file.name), re.M).group(1))
        text = poppler("pdftotext", "-layout", file.name, "-")
        words = [[*(round(float(n), 2) for n in match.groups()[:4]), match.group(5)]
                 for match in _WORD.finditer(poppler("pdftotext", "-bbox", file.name, "-"))]
    return {"pages": pages, "text": text, "words": words}


ROWS = json.loads(DATA.read_text()) if DATA.exists() else []


@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_a_letter_reads_and_sits_on_its_pages_as_it_did(row: dict) -> None:
    drawn = read_back(render_letter(content_of(row)))
    assert drawn["pages"] == row["pages"]
    assert drawn["text"] == row["text"]
    assert drawn["words"] == row["words"]


def test_every_kind_of_letter_is_checked() -> None:
    from letters.models import LetterKind

    assert {row["kind"] for row in ROWS} >= set(LetterKind.values)


def test_a_letter_embeds_the_glyphs_of_the_characters_it_draws_and_no_others() -> None:
    """Each font subset has a code for each character drawn in that face, plus reportlab's notdef (code 0)
    and space (code 32, so at least 33 codes), not the whole of printable ASCII besides (128 codes at least)."""
    content = LetterContent(
        document_number="関厚発1第1号", issued_on=date(2025, 11, 21), addressee="水戸市長　殿",
        sender="関東信越厚生局長", subject="交付について（通知）", body_paragraphs=("標記について通知します。",),
    )
    mincho = {*content.document_number, *"令和7年11月21日", *content.addressee, *content.sender, *content.body_paragraphs[0]}
    gothic = {*content.subject}
    fonts = PdfReader(io.BytesIO(render_letter(content))).pages[0]["/Resources"]["/Font"].values()
    codes = {str(font.get_object()["/BaseFont"]).split("+")[1]: len(font.get_object()["/Widths"]) for font in fonts}
    assert len(mincho) > 31 > len(gothic)
    assert codes == {"IPAexMincho": len(mincho) + 2, "IPAexGothic": 33}


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    rows = [{key: row[key] for key in ("name", "kind", "document_number", "issued_on", "content")} for row in ROWS]
    for row in rows:
        row.update(read_back(render_letter(content_of(row))))
    DATA.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(rows)} letters to {DATA}")
