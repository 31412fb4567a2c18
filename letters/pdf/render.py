"""One outgoing letter (依頼, 督促, 通知 …) as an A4 portrait PDF.

The layout follows the usual Japanese government letter: document number and
date top right, addressee top left, sender right-aligned below it, the subject
centred, the body, 記 with the particulars, 以上, and the contact block boxed at
the foot of the page. A letter of two or more pages says "N / M" at the foot of
every page and repeats its document number top right on the later ones, so a
loose page can be put back; a one-page letter carries neither (the bureau's
memos set no page-number convention). Text is real text in an embedded IPAex subset,
so it is searchable and looks the same on every viewer.
"""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate, Paragraph, Spacer
from reportlab.platypus.doctemplate import ActionFlowable, NextPageTemplate
from reportlab.rl_config import _FUZZ

from calendars.eras import era_date

from .fonts import letter_fonts


class TitleKind(StrEnum):
    REQUEST = "request"
    COVERING_REQUEST = "covering_request"
    REMINDER = "reminder"
    OVERDUE_DEMAND = "overdue_demand"
    PRESENTATION = "presentation"
    DECISION_NOTICE = "decision_notice"
    SETTLEMENT_NOTICE = "settlement_notice"
    PAYMENT_NOTICE = "payment_notice"
    REVOCATION_NOTICE = "revocation_notice"
    RETURN_ORDER = "return_order"


# The mark printed top left. Requests and reminders carry none: their subject
# already ends in （依頼） or （再依頼）.
HEADINGS: dict[TitleKind, str] = {
    TitleKind.OVERDUE_DEMAND: "督促",
    TitleKind.PRESENTATION: "通知",
    TitleKind.DECISION_NOTICE: "通知",
    TitleKind.SETTLEMENT_NOTICE: "通知",
    TitleKind.PAYMENT_NOTICE: "通知",
    TitleKind.REVOCATION_NOTICE: "通知",
    TitleKind.RETURN_ORDER: "命令",
}


@dataclass(frozen=True)
class LetterContent:
    """Everything a letter prints, already worded by the caller.

    The renderer adds only the era date, 記 and 以上, the item numbers, the ※
    before ``deadline_note`` and the heading of ``title_kind``. Lists given for
    the tuple fields become tuples, so a content stays immutable and hashable.
    """

    document_number: str
    issued_on: date
    addressee: str
    sender: str
    subject: str
    body_paragraphs: tuple[str, ...]
    items: tuple[tuple[str, str], ...] = ()
    deadline_note: str | None = None
    contact_lines: tuple[str, ...] = ()
    title_kind: TitleKind = TitleKind.REQUEST
    #: A line under the addressee, e.g. （埼玉県経由） on a notice to a municipality that goes via its prefecture.
    addressee_note: str = ""
    #: A closing line on a letter of a past act entered later (``letter_texts.recorded_later_note``).
    recorded_note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "body_paragraphs", tuple(self.body_paragraphs))
        object.__setattr__(self, "items", tuple((label, value) for label, value in self.items))
        object.__setattr__(self, "contact_lines", tuple(self.contact_lines))
        object.__setattr__(self, "title_kind", TitleKind(self.title_kind))


# Geometry (points). 25 mm margins and 10.5 pt text on an 18.5 pt leading give
# about 43 characters by 35 lines: the density of a printed ministry letter.
MARGIN = 25 * mm
TEXT_SIZE = 10.5
LEADING = 18.5
SUBJECT_SIZE = 12
CONTACT_SIZE = 9.5
CONTACT_LEADING = 14
CONTACT_PADDING = 7
PAGE_MARK_SIZE = CONTACT_SIZE  # the letter's small size: page numbers and the repeated document number
_EM = TEXT_SIZE
_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def render_letter(content: LetterContent) -> bytes:
    """The letter as PDF bytes.

    Output is deterministic (reportlab's invariant mode: fixed timestamps and
    document id), so the same content always gives the same bytes and the
    stored SHA-256 of a letter can be checked by rendering it again.
    A letter that runs to more pages is laid out a second time to number
    them; the page marks sit in the margins, outside the frame, so the
    second layout breaks its pages where the first did. A one-page letter is
    the first layout's bytes, the same as before pages were numbered.
    """
    pdf, page_count = _build(content, page_count=None)
    return pdf if page_count == 1 else _build(content, page_count=page_count)[0]


def _build(content: LetterContent, *, page_count: int | None) -> tuple[bytes, int]:
    """The PDF and its number of pages; with ``page_count``, every page carries its page marks."""
    fonts = letter_fonts()
    buffer = BytesIO()
    width, height = A4
    frame = Frame(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN, 0, 0, 0, 0)

    def first_page(canvas: Canvas, _doc) -> None:
        _draw_header(canvas, content)
        later_page(canvas, _doc)

    def later_page(canvas: Canvas, _doc) -> None:
        if page_count is not None:
            _draw_page_marks(canvas, content.document_number, canvas.getPageNumber(), page_count)

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[
            PageTemplate("first", [frame], autoNextPageTemplate="later", onPage=first_page),
            PageTemplate("later", [frame], onPage=later_page),
        ],
        initialFontName=fonts.text,  # else a non-embedded Helvetica enters the font list
        invariant=True,
        # Streams stored as they are: deflating the font subset was a third of a letter's CPU and saved
        # a quarter of its bytes; with subsets of the used characters only (``fonts.letter_fonts``) a
        # letter is about as large uncompressed (78 KB) as it was compressed before (74 KB). A batch is compressed.
        pageCompression=0,
        title=content.subject,
        author=content.sender,
        subject=content.document_number,
        lang="ja-JP",
    )
    doc.build(_story(content))
    return buffer.getvalue(), doc.page


def render_batch(contents: list[LetterContent], *, title: str) -> bytes:
    """Many letters as one PDF for printing: each starts on a new page and looks as it does alone.

    One reportlab document, so each glyph is embedded once for the whole
    batch, not once per letter (1,741 letters merged as separate PDFs carried
    1,741 subsets of each font: 138 MB). reportlab embeds a TrueType font in
    pieces of at most 256 codes, so a batch whose letters use more distinct
    characters than one piece holds gets a few pieces of the face, however
    many letters it has. Page marks are each letter's own (``2 / 3`` counts
    the letter's pages, not the batch's); a one-page letter has none, as
    alone. Deterministic, like ``render_letter``.
    """
    if not contents:
        raise ValueError("nothing to render: no letters given")
    buffer = BytesIO()
    doc = _BatchDocTemplate(buffer, contents, title=title, author=contents[0].sender)
    story: list[Flowable] = []
    for index, content in enumerate(contents):
        if index:
            story += [NextPageTemplate("first"), PageBreak()]
        story += [*_story(content), ActionFlowable(("letterEnd",))]
    doc.build(story)
    return buffer.getvalue()


class _BatchDocTemplate(BaseDocTemplate):
    """The page frame of a batch: which letter a page belongs to, and that letter's page marks.

    A page's marks are drawn when the page ends, once it is known whether its
    letter goes on. The last page of a letter knows the letter's page count;
    its earlier pages draw a form XObject that is filled in then (reportlab
    lets a page use a form defined later).
    """

    def __init__(self, buffer: BytesIO, contents: list[LetterContent], *, title: str, author: str) -> None:
        self.contents = contents
        self.letter = 0  # index of the letter being laid out
        self.letter_first_page = 1
        self.letter_ended = False
        width, height = A4
        frame = Frame(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN, 0, 0, 0, 0)
        super().__init__(
            buffer,
            pagesize=A4,
            pageTemplates=[
                PageTemplate("first", [frame], autoNextPageTemplate="later", onPage=self._first_page, onPageEnd=self._page_end),
                PageTemplate("later", [frame], onPageEnd=self._page_end),
            ],
            initialFontName=letter_fonts().text,
            invariant=True,
            pageCompression=1,  # drawn once per download, and many pages share one stream of each face's glyphs
            title=title,
            author=author,
            lang="ja-JP",
        )

    def handle_letterEnd(self) -> None:
        """The action of the ``ActionFlowable(("letterEnd",))`` after each letter's last flowable."""
        self.letter_ended = True

    def _first_page(self, canvas: Canvas, _doc) -> None:
        self.letter_first_page = self.page
        _draw_header(canvas, self.contents[self.letter])

    def _page_end(self, canvas: Canvas, _doc) -> None:
        content = self.contents[self.letter]
        page = self.page - self.letter_first_page + 1
        if not self.letter_ended:
            canvas.doForm(self._marks_form(page))
            return
        if page > 1:
            _draw_page_marks(canvas, content.document_number, page, page)
            for earlier in range(1, page):
                canvas.beginForm(self._marks_form(earlier))
                _draw_page_marks(canvas, content.document_number, earlier, page)
                canvas.endForm()
        self.letter += 1
        self.letter_ended = False

    def _marks_form(self, page: int) -> str:
        return f"marks-{self.letter}-{page}"


def _fitted(text: str, font: str, size: float, room: float) -> float:
    """The font size at which a one-line text fits ``room``: ``size`` unless the text is too long."""
    natural = stringWidth(text, font, size)
    return size if natural <= room else size * room / natural


def _draw_line(canvas: Canvas, text: str, y: float, *, align: str, font: str, size: float) -> None:
    """One header line drawn directly: unlike Paragraph, this keeps U+3000 (as in 課長　殿)."""
    width = A4[0] - 2 * MARGIN
    canvas.setFont(font, _fitted(text, font, size, width))
    if align == "right":
        canvas.drawRightString(MARGIN + width, y, text)
    else:
        canvas.drawString(MARGIN, y, text)


# Baselines of the header lines, counted in leadings below the top margin, and
# the room the header takes before the subject starts.
_HEADER_BASELINES = {"number": 1, "date": 2, "addressee": 4, "addressee_note": 5, "sender": 6}
_HEADER_HEIGHT = 8 * LEADING


def _draw_header(canvas: Canvas, content: LetterContent) -> None:
    fonts = letter_fonts()
    top = A4[1] - MARGIN

    def baseline(line: str) -> float:
        return top - _HEADER_BASELINES[line] * LEADING + (LEADING - TEXT_SIZE) / 2

    heading = HEADINGS.get(content.title_kind)
    if heading:
        size = SUBJECT_SIZE
        box_width = stringWidth(heading, fonts.heading, size) + size
        y = baseline("number")
        canvas.setLineWidth(0.8)
        canvas.rect(MARGIN, y - size * 0.45, box_width, size * 1.6)
        canvas.setFont(fonts.heading, size)
        canvas.drawString(MARGIN + size / 2, y, heading)
    _draw_line(canvas, content.document_number, baseline("number"), align="right", font=fonts.text, size=TEXT_SIZE)
    _draw_line(canvas, era_date(content.issued_on), baseline("date"), align="right", font=fonts.text, size=TEXT_SIZE)
    _draw_line(canvas, content.addressee, baseline("addressee"), align="left", font=fonts.text, size=11)
    if content.addressee_note:
        _draw_line(canvas, content.addressee_note, baseline("addressee_note"), align="left", font=fonts.text, size=TEXT_SIZE)
    _draw_line(canvas, content.sender, baseline("sender"), align="right", font=fonts.text, size=TEXT_SIZE)


def _draw_page_marks(canvas: Canvas, document_number: str, page: int, page_count: int) -> None:
    """Page of pages (``2 / 3``) centred in the bottom margin; from page 2, the document number top right."""
    font = letter_fonts().text
    middle = (MARGIN - PAGE_MARK_SIZE) / 2  # a baseline that centres the small text in a margin
    canvas.setFont(font, PAGE_MARK_SIZE)
    canvas.drawCentredString(A4[0] / 2, middle, f"{page} / {page_count}")
    if page > 1:
        _draw_line(canvas, document_number, A4[1] - MARGIN + middle, align="right", font=font, size=PAGE_MARK_SIZE)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    fonts = letter_fonts()
    base = ParagraphStyle("text", fontName=fonts.text, fontSize=TEXT_SIZE, leading=LEADING, wordWrap="CJK")
    return {
        "subject": ParagraphStyle(
            "subject", base, fontName=fonts.heading, fontSize=SUBJECT_SIZE, leading=LEADING + 2,
            alignment=TA_CENTER, leftIndent=2 * _EM, rightIndent=2 * _EM, spaceAfter=LEADING,
        ),
        # Japanese paragraphs open with a one-character indent.
        "body": ParagraphStyle("body", base, firstLineIndent=_EM, alignment=TA_JUSTIFY),
        # 記 only: it never ends a page apart from the particulars it introduces.
        "centre": ParagraphStyle(
            "centre", base, alignment=TA_CENTER, spaceBefore=LEADING, spaceAfter=LEADING / 2, keepWithNext=1,
        ),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT, spaceBefore=LEADING / 2),
        "note": ParagraphStyle(
            "note", base, bulletFontName=fonts.text, bulletIndent=_EM, leftIndent=2 * _EM, spaceBefore=LEADING / 2,
        ),
        # Set apart from the text above, in the contact box's size: a remark on the record, not the letter's text.
        "recorded": ParagraphStyle("recorded", base, fontSize=CONTACT_SIZE, leading=CONTACT_LEADING, spaceBefore=LEADING),
    }


# 禁則 (Japanese line breaking, JIS X 4051): characters no line may end with,
# and characters no line may start with.
NO_LINE_END = frozenset("「（『【〔［｛〈《([{")
NO_LINE_START = frozenset("」）』】〕］｝〉》)]}、。，．・：；？！,.:;?!")


def _latin(char: str) -> bool:
    """Part of a run of Latin letters, digits or signs (an e-mail address, a form number) that should stay whole."""
    return ord(char) < 0x3000 and not char.isspace()


def _line_end(text: str, start: int, end: int) -> int:
    """Where a line that would fill up to ``end`` ends instead, moving characters down to the next line (追い出し).

    A Latin run is not cut when a space or a Japanese character within the
    line's second half allows; then no line may end with an opening bracket or
    start with a closing bracket or punctuation. A line keeps at least one
    character, so a line of nothing but brackets still ends.
    """
    if _latin(text[end - 1]) and _latin(text[end]):
        for at in range(end - 1, (start + end) // 2, -1):
            if not _latin(text[at - 1]):
                end = at
                break
    at = end
    while at > start + 1 and _breaks_kinsoku(text, at):
        at -= 1
    return end if _breaks_kinsoku(text, at) else at


def _breaks_kinsoku(text: str, at: int) -> bool:
    """Whether a line break before ``text[at]`` leaves an opening bracket last or a closing mark first."""
    return text[at] in NO_LINE_START or text[at - 1] in NO_LINE_END


def kinsoku_lines(text: str, font: str, size: float, widths: list[float]) -> list[tuple[float, str]]:
    """``text`` broken into lines that fit ``widths`` (one per line, the last repeating) under 禁則.

    Each line is filled greedily, then moved back as ``_line_end`` says.
    Returns (unused width, line) pairs, the shape of reportlab's ``wordSplit``.
    """
    glyphs = [stringWidth(char, font, size) for char in text]
    lines: list[tuple[float, str]] = []
    start = 0
    while start < len(text):
        room = widths[min(len(lines), len(widths) - 1)]
        end, used = start, 0.0
        while end < len(text) and used + glyphs[end] <= room + _FUZZ:
            used += glyphs[end]
            end += 1
        end = max(end, start + 1)
        if end < len(text):
            end = _line_end(text, start, end)
        line = text[start:end].strip()
        lines.append((room - stringWidth(line, font, size), line))
        start = end
    return lines


# White space a paragraph folds into one space: every kind but the full-width space (U+3000).
_FOLDED_SPACE = re.compile(r"[^\S\u3000]+")


def _fold_spaces(text: str) -> str:
    return _FOLDED_SPACE.sub(" ", text).strip(" ")


class _JapaneseParagraph(Paragraph):
    """A plain-text Paragraph whose lines break by 禁則 and whose full-width spaces stay full width.

    reportlab's CJK wrap lets one closing mark hang in the margin but will end
    a line with an opening bracket (…について（ / 通知）); a plain-text paragraph
    is one fragment, so its lines are broken again by ``kinsoku_lines``.
    reportlab's own cleaner folds U+3000 into a narrow ASCII space, which ran
    together the amount, procedure and basis a payment notice sets apart with
    it; ``_fold_spaces`` folds the other white space only.
    """

    def _setup(self, text, style, bulletText, frags, cleaner):
        super()._setup(text, style, bulletText, frags, _fold_spaces)

    def breakLinesCJK(self, maxWidths):
        widths = list(maxWidths) if isinstance(maxWidths, (list, tuple)) else [maxWidths]
        para = super().breakLinesCJK(widths)  # narrows widths[0] by the bullet's width
        if para.kind != 0 or len(self.frags) != 1 or getattr(self, "_splitpara", 0):
            return para
        fragment = self.frags[0]
        # The rest of a paragraph split at a page break holds its lines as ``words``, not ``text``.
        text = fragment.text if hasattr(fragment, "text") else "".join(fragment.words)
        para.lines = [(room, [line]) for room, line in kinsoku_lines(text, fragment.fontName, fragment.fontSize, widths)]
        return para


def _paragraph(text: str, style: ParagraphStyle, **kwargs: str) -> Paragraph:
    """A Paragraph of plain text (escaped: an & in an address must not be read as markup)."""
    return _JapaneseParagraph(escape(text), style, **kwargs)


# The room a subject line has: the frame less the subject's indents.
_SUBJECT_WIDTH = A4[0] - 2 * MARGIN - 4 * _EM


def subject_lines(subject: str) -> list[str]:
    """A subject as the lines it starts on: whole when it fits, else broken the way letters break it.

    A subject too long for one line breaks before its last について
    (…の交付決定 / について（通知）), else before its closing bracketed part
    (（通知）), when both lines then fit; otherwise it wraps under 禁則.
    """
    font = letter_fonts().heading

    def fits(text: str) -> bool:
        return stringWidth(text, font, SUBJECT_SIZE) <= _SUBJECT_WIDTH

    if fits(subject):
        return [subject]
    cuts = [subject.rfind("について")]
    if subject.endswith("）"):
        cuts.append(subject.rfind("（"))
    for cut in cuts:
        if cut > 0 and fits(subject[:cut]) and fits(subject[cut:]):
            return [subject[:cut], subject[cut:]]
    return [subject]


def _subject(subject: str) -> list[Flowable]:
    """The centred subject, one paragraph per line it starts on; the space after it follows the last."""
    style = _styles()["subject"]
    between = ParagraphStyle("subject_line", style, spaceAfter=0)
    *first, last = subject_lines(subject)
    return [*(_paragraph(line, between) for line in first), _paragraph(last, style)]


def _story(content: LetterContent) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = [Spacer(0, _HEADER_HEIGHT), *_subject(content.subject)]
    # The indent is the style's job; a leading 　 would only become a stray space. A typed line break
    # starts a new line: each line is a paragraph of its own (a paragraph folds white space).
    story += [
        _paragraph(line.lstrip("\u3000 ") or "\u3000", styles["body"])
        for text in content.body_paragraphs
        for line in typed_lines(text)
    ]
    note = [_paragraph(content.deadline_note, styles["note"], bulletText="※")] if content.deadline_note else []
    if content.items:
        # The note belongs to the particulars: inside the 記 … 以上 frame.
        story += [_paragraph("記", styles["centre"]), *_items(content.items), *note, _paragraph("以上", styles["right"])]
    else:
        story += note
    if content.recorded_note:
        story.append(_paragraph(content.recorded_note, styles["recorded"]))
    if content.contact_lines:
        story.append(_ContactBox(content.contact_lines))
    return story


def _items(items: tuple[tuple[str, str], ...]) -> list[Flowable]:
    """Numbered particulars: １．提出期限　value, values aligned in one column.

    The label is the paragraph's bullet, so a long value wraps under the value
    column and not under the label.
    """
    fonts = letter_fonts()
    labels = [f"{str(n).translate(_FULL_WIDTH_DIGITS)}．{label}" for n, (label, _) in enumerate(items, 1)]
    label_width = max(stringWidth(label, fonts.text, TEXT_SIZE) for label in labels)
    style = ParagraphStyle(
        "item", _styles()["body"], firstLineIndent=0, alignment=TA_LEFT, bulletFontName=fonts.text,
        bulletIndent=_EM, leftIndent=_EM + label_width + 1.5 * _EM,
    )
    follow = ParagraphStyle("item_more", style, spaceBefore=0)
    story: list[Flowable] = []
    for label, (_, value) in zip(labels, items):
        first, *more = typed_lines(value) or [""]
        story.append(_paragraph(first, style, bulletText=label))
        story += [_paragraph(line or "\u3000", follow) for line in more]
    return story


def typed_lines(text: str) -> list[str]:
    """The lines a person typed (CR LF, CR or LF), blank ones kept as an empty line; none for empty text."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if text else []


class _ContactBox(Flowable):
    """The contact block, boxed, right-aligned at the foot of the page.

    It claims all the height left in the frame and draws itself at the bottom
    of it. When less room is left than the box needs, platypus moves it to a
    new page. Lines are drawn on the canvas so U+3000 survives.
    """

    def __init__(self, lines: tuple[str, ...]) -> None:
        super().__init__()
        self.lines = lines
        self.box_height = len(lines) * CONTACT_LEADING + 2 * CONTACT_PADDING

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, max(availHeight, self.box_height + LEADING)
        return self.width, self.height

    def draw(self) -> None:
        font = letter_fonts().text
        room = self.width - 2 * CONTACT_PADDING
        sizes = [_fitted(line, font, CONTACT_SIZE, room) for line in self.lines]
        text_width = max(stringWidth(line, font, size) for line, size in zip(self.lines, sizes))
        box_width = text_width + 2 * CONTACT_PADDING
        left = self.width - box_width
        self.canv.setLineWidth(0.6)
        self.canv.rect(left, 0, box_width, self.box_height)
        y = self.box_height - CONTACT_PADDING - CONTACT_SIZE
        for line, size in zip(self.lines, sizes):
            self.canv.setFont(font, size)
            self.canv.drawString(left + CONTACT_PADDING, y, line)
            y -= CONTACT_LEADING
