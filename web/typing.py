"""What people type with a Japanese input method, made plain: full-width digits, commas, slashes and
hyphens (１２０，０００，０００, ２０２６／１１／２８) become their ASCII forms, hiragana becomes katakana for
searching by reading. Used by the web forms only: the JSON API takes plain numbers and ISO dates."""

import unicodedata

_HIRAGANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}
# Full-width ASCII (！ to ～) and the ideographic space; not NFKC, which would also read "²" as 2.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}
_DASHES = str.maketrans({"ー": "-", "−": "-", "‐": "-", "―": "-", "–": "-", "—": "-", "、": ","})


def plain(text: str) -> str:
    """Full-width ASCII as ASCII (digits, letters, ，／－), trimmed."""
    return text.translate(_FULL_WIDTH).strip()


def plain_amount(text: str) -> str:
    """An amount as digits only: 「１２０，０００，０００円」 → "120000000" (anything else is left for the parser to refuse)."""
    return plain(text).translate(_DASHES).replace(",", "").removesuffix("円").strip()


def plain_date(text: str) -> str:
    """A date as ISO: 「２０２６／１１／２８」 or "2026/11/28" → "2026-11-28" (zero-padded), else the text as typed."""
    value = plain(text).translate(_DASHES).replace("/", "-").replace(".", "-")
    parts = value.split("-")
    if len(parts) == 3 and all(part.isdecimal() for part in parts) and len(parts[0]) == 4:
        return f"{parts[0]}-{int(parts[1]):02d}-{int(parts[2]):02d}"
    return value


def search_key(text: str) -> str:
    """A search term as stored readings (``Recipient.name_kana``) are: NFKC (half-width kana to full width),
    lower case, hiragana as full-width katakana (ながれやま → ナガレヤマ)."""
    return unicodedata.normalize("NFKC", text).strip().lower().translate(_HIRAGANA)
