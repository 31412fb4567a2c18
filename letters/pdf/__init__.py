"""PDF letters: rendering with an embedded Japanese font, and batch downloads."""

from .archive import zip_pdfs
from .fonts import letter_fonts
from .render import HEADINGS, LetterContent, TitleKind, render_batch, render_letter

__all__ = ["HEADINGS", "LetterContent", "TitleKind", "letter_fonts", "render_batch", "render_letter", "zip_pdfs"]
