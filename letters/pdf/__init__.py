"""PDF letters: rendering with an embedded Japanese font, and batch downloads."""

from .fonts import letter_fonts
from .merge import merge_pdfs, zip_pdfs
from .render import HEADINGS, LetterContent, TitleKind, render_letter

__all__ = ["HEADINGS", "LetterContent", "TitleKind", "letter_fonts", "merge_pdfs", "render_letter", "zip_pdfs"]
