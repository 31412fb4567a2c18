"""The embedded Japanese fonts for letters: IPAex Mincho (text) and Gothic (headings).

reportlab's built-in Japanese CID fonts are never embedded, so a viewer
without Japanese fonts shows boxes; Noto CJK is CFF-based and reportlab
rejects it. IPAex is TrueType, redistributable under the IPA Font License, and
reportlab embeds a subset of it, so a letter looks the same on every viewer.
"""

import os
from functools import cache
from pathlib import Path
from typing import NamedTuple

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

MINCHO = "IPAexMincho"
GOTHIC = "IPAexGothic"

# Debian's fonts-ipaexfont puts the files here; IPAEX_FONT_DIR lets a
# deployment that ships the fonts itself (with their licence) point elsewhere.
_FILES = {MINCHO: "ipaexm.ttf", GOTHIC: "ipaexg.ttf"}
_DEBIAN_DIRS = (
    Path("/usr/share/fonts/opentype/ipaexfont-mincho"),
    Path("/usr/share/fonts/opentype/ipaexfont-gothic"),
)


class LetterFonts(NamedTuple):
    """reportlab font names, valid once ``letter_fonts()`` has returned."""

    text: str
    heading: str


def _search_dirs() -> tuple[Path, ...]:
    override = os.environ.get("IPAEX_FONT_DIR")
    return ((Path(override),) if override else ()) + _DEBIAN_DIRS


def font_path(file_name: str) -> Path:
    """The first readable copy of an IPAex font file, or a RuntimeError saying how to get it."""
    dirs = _search_dirs()
    for directory in dirs:
        candidate = directory / file_name
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(d) for d in dirs)
    raise RuntimeError(
        f"Japanese font {file_name} not found (searched {searched}). Letters need the "
        "embedded IPAex fonts: run `apt-get install fonts-ipaexfont`, or set "
        "IPAEX_FONT_DIR to a directory holding ipaexm.ttf and ipaexg.ttf."
    )


@cache
def letter_fonts() -> LetterFonts:
    """Register IPAex Mincho and Gothic with reportlab, once per process.

    Parsing the 8 MB TrueType files costs far more than rendering a letter, so
    the registration is cached; reportlab's registry is process-global anyway.

    ``asciiReadable=False``: a subset holds only the characters the letter
    uses. reportlab's default reserves the whole printable ASCII range in the
    first subset of every font, so each letter embedded 95 Latin glyphs of
    Mincho and of Gothic it mostly never drew (a quarter of a letter's bytes,
    and of its CPU in subsetting and compressing them). The text still
    extracts the same: every subset carries its ToUnicode map.
    """
    for name, file_name in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(font_path(file_name)), asciiReadable=False))
    return LetterFonts(text=MINCHO, heading=GOTHIC)
