"""Batch downloads as a ZIP of the letters' own PDFs (the one-PDF download is ``render.render_batch``)."""

import zipfile
from collections import Counter
from io import BytesIO


def zip_pdfs(named: list[tuple[str, bytes]]) -> bytes:
    """A ZIP holding one file per ``(name, pdf)``; names are plain file names.

    Entries are stored, not deflated: a download would pay the deflating of
    every letter's font subset, which the letters themselves no longer pay
    (``render.render_letter`` stores its streams as they are). Non-ASCII (Japanese)
    names are written as UTF-8 with the ZIP's UTF-8 flag set.
    """
    names = Counter(name for name, _ in named)
    for name in names:
        if name in ("", ".", "..") or "/" in name or "\\" in name:
            raise ValueError(f"not a plain file name for a ZIP entry: {name!r}")
    duplicates = sorted(name for name, count in names.items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate ZIP entry names: {duplicates}")
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, pdf in named:
            archive.writestr(name, pdf)
    return buffer.getvalue()
