"""The PDF letter renderer, checked the way a reader meets the file: extracted
text, embedded fonts and rendered pixels (poppler-utils), plus batch downloads.

No database. The poppler tools are required: a missing tool fails the test
with the package to install instead of skipping it.
"""

import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from calendars.eras import era_date
from letters.pdf import LetterContent, TitleKind, fonts, render_batch, render_letter, zip_pdfs
from letters.pdf.render import NO_LINE_END, NO_LINE_START, kinsoku_lines, subject_lines

DEADLINE = date(2026, 3, 2)  # stated 2/28, a Saturday: art. 2 moves it to the Monday

LETTER = LetterContent(
    document_number="関厚発1121第3号",
    issued_on=date(2025, 11, 21),
    addressee="埼玉県福祉部地域包括ケア課長　殿",
    sender="関東信越厚生局健康福祉部地域包括ケア推進課長",
    subject="令和7年度地域支援事業交付金の変更交付申請について（依頼）",
    body_paragraphs=(
        "　標記について、下記のとおり提出いただきますようお願いいたします。",
        "なお、提出期限までに提出がない場合は、当初の交付決定額により精算することとなりますので、御留意願います。",
    ),
    items=(
        ("提出書類", "変更交付申請書（様式第3号）"),
        ("提出期限", era_date(DEADLINE, weekday=True)),
        ("提出方法", "電子メール（ktkousei164@mhlw.go.jp）"),
    ),
    deadline_note=(
        "令和8年2月28日（土）は行政機関の休日に当たるため、"
        "行政機関の休日に関する法律第2条の規定により、令和8年3月2日（月）を提出期限とします。"
    ),
    contact_lines=(
        "関東信越厚生局健康福祉部地域包括ケア推進課",
        "〒330-9713 埼玉県さいたま市中央区新都心1-1 さいたま新都心合同庁舎1号館7階",
        "TEL: 048-740-0793　Mail: ktkousei164@mhlw.go.jp",
        "担当：山田",
    ),
)


def poppler(tool: str, *args: str) -> bytes:
    """Run a poppler-utils tool and return its stdout."""
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: these tests need poppler-utils (apt-get install poppler-utils)")
    return subprocess.run([tool, *args], check=True, capture_output=True).stdout


@pytest.fixture(scope="module")
def letter_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("letter") / "letter.pdf"
    path.write_bytes(render_letter(LETTER))
    return path


def extracted_text(path: Path) -> str:
    return unicodedata.normalize("NFKC", poppler("pdftotext", str(path), "-").decode())


def test_letter_text_is_searchable(letter_pdf: Path) -> None:
    text = extracted_text(letter_pdf)
    for expected in (
        "関厚発1121第3号",
        "埼玉県福祉部地域包括ケア課長",
        "令和7年11月21日",
        "令和8年3月2日(月)",  # the deadline, with its weekday, NFKC-normalised
        "関東信越厚生局健康福祉部地域包括ケア推進課長",
        "変更交付申請について(依頼)",
        "記",
        "以上",
        "担当:山田",
    ):
        assert expected in text, expected


def test_every_font_is_embedded_ipaex(letter_pdf: Path) -> None:
    rows = poppler("pdffonts", str(letter_pdf)).decode().splitlines()[2:]
    assert rows, "no fonts listed"
    for row in rows:
        name, *_, emb, _sub, _uni, _obj, _gen = row.split()
        assert "IPAex" in name, row  # no Helvetica, no non-embedded CID font
        assert emb == "yes", row


def test_page_renders_ink(letter_pdf: Path) -> None:
    pgm = poppler("pdftoppm", "-r", "50", "-gray", "-f", "1", "-l", "1", str(letter_pdf))
    # Binary PGM: "P5", width, height, maxval, one whitespace byte, then one byte per pixel.
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", pgm)
    assert header, pgm[:20]
    width, height = int(header[1]), int(header[2])
    pixels = pgm[header.end() : header.end() + width * height]
    assert len(pixels) == width * height
    assert width < height  # portrait
    dark = sum(1 for value in pixels if value < 160)
    assert dark > 0.005 * width * height, f"page looks blank: {dark} dark pixels"
    top_right = sum(1 for y in range(height // 8) for value in pixels[y * width + width // 2 : (y + 1) * width] if value < 160)
    assert top_right > 0, "nothing in the top right, where the document number goes"


def test_heading_of_title_kind(tmp_path: Path) -> None:
    path = tmp_path / "demand.pdf"
    path.write_bytes(render_letter(replace(LETTER, title_kind="overdue_demand")))
    assert "督促" in extracted_text(path)
    assert replace(LETTER, title_kind="overdue_demand").title_kind is TitleKind.OVERDUE_DEMAND


def test_same_content_gives_same_bytes() -> None:
    """A stored letter's SHA-256 can be checked by rendering it again."""
    assert render_letter(LETTER) == render_letter(replace(LETTER))
    assert render_letter(LETTER) != render_letter(replace(LETTER, document_number="関厚発1121第4号"))


BATCH = [
    replace(LETTER, document_number=f"関厚発1121第{n}号", addressee=f"{prefecture}福祉部地域包括ケア課長　殿")
    for n, prefecture in enumerate(("埼玉県", "千葉県", "群馬県"), 1)
]


def font_files(pdf: bytes) -> set[int]:
    """The objects embedding a TrueType font program (``/FontFile2``), over every page's fonts."""
    files = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            files.add(font.get_object()["/FontDescriptor"].raw_get("/FontFile2").idnum)
    return files


def test_a_batch_is_one_pdf_whose_every_page_extracts_its_letters_text(tmp_path: Path) -> None:
    path = tmp_path / "batch.pdf"
    path.write_bytes(render_batch(BATCH, title="依頼文書"))
    assert len(PdfReader(path).pages) == 3
    for page, letter in enumerate(BATCH, 1):
        text = page_text(path, page)
        assert letter.document_number in text and letter.addressee.removesuffix("\u3000殿") in text
        assert "変更交付申請について(依頼)" in text and "担当:山田" in text


def test_a_batch_embeds_each_font_face_once_not_once_per_letter() -> None:
    """Three letters alone embed six font programs (Mincho and Gothic each); as one batch, two."""
    alone = [font_files(render_letter(letter)) for letter in BATCH]
    assert [len(files) for files in alone] == [2, 2, 2]
    assert len(font_files(render_batch(BATCH, title="依頼文書"))) == 2
    assert len(font_files(render_batch(BATCH * 20, title="依頼文書"))) == 2


def test_each_page_of_a_batch_looks_as_its_letter_does_alone(tmp_path: Path) -> None:
    """Pixel for pixel, page marks of a two-page letter included: they count the letter's pages, not the batch's."""
    two_pages = two_page_notice_pdf(tmp_path).read_bytes()
    batch = tmp_path / "batch.pdf"
    batch.write_bytes(render_batch([BATCH[0], replace(LETTER, **TWO_PAGE_NOTICE), BATCH[1]], title="通知"))
    alone = []
    for pdf in (render_letter(BATCH[0]), two_pages, render_letter(BATCH[1])):
        path = tmp_path / f"alone-{len(alone)}.pdf"
        path.write_bytes(pdf)
        alone += [pixels(path, page) for page in range(1, len(PdfReader(path).pages) + 1)]
    assert len(alone) == 4
    assert [pixels(batch, page) for page in range(1, 5)] == alone
    assert PAGE_MARK.findall(page_text(batch, 3)) == [("2", "2")]
    assert not PAGE_MARK.findall(page_text(batch, 4))


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(ValueError, match="no letters"):
        render_batch([], title="空")


def pixels(path: Path, page: int) -> bytes:
    return poppler("pdftoppm", "-r", "50", "-gray", "-f", str(page), "-l", str(page), str(path))


def test_zip_has_one_entry_per_letter() -> None:
    named = [(f"埼玉県_{n}.pdf", render_letter(replace(LETTER, document_number=f"関厚発1121第{n}号"))) for n in (1, 2, 3)]
    with zipfile.ZipFile(io.BytesIO(zip_pdfs(named))) as archive:
        assert archive.namelist() == [name for name, _ in named]
        assert archive.read("埼玉県_2.pdf") == named[1][1]


def test_zip_refuses_duplicate_or_path_names() -> None:
    pdf = render_letter(LETTER)
    with pytest.raises(ValueError, match="duplicate"):
        zip_pdfs([("a.pdf", pdf), ("a.pdf", pdf)])
    with pytest.raises(ValueError, match="plain file name"):
        zip_pdfs([("../a.pdf", pdf)])


def test_missing_font_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPAEX_FONT_DIR", str(tmp_path))
    monkeypatch.setattr(fonts, "_DEBIAN_DIRS", ())
    with pytest.raises(RuntimeError, match="apt-get install fonts-ipaexfont"):
        fonts.font_path("ipaexm.ttf")


# 37 characters: one too many for a line, and reportlab alone broke it as …提出について（ / 依頼）.
LONG_SUBJECT = "令和8年度後期高齢者医療特別調整交付金の変更交付申請の提出について（依頼）"


def layout_lines(path: Path) -> list[str]:
    """The page's lines as ``pdftotext -layout`` sets them out, without the centring spaces."""
    text = poppler("pdftotext", "-layout", str(path), "-").decode()
    return [line.strip() for line in text.splitlines() if line.strip()]


def assert_kinsoku(lines: list[str]) -> None:
    assert not [line for line in lines if line[-1] in NO_LINE_END], "a line ends with an opening bracket"
    assert not [line for line in lines if line[0] in NO_LINE_START], "a line starts with a closing mark"


def test_a_long_subject_breaks_before_nitsuite_and_no_line_ends_with_an_opening_bracket(tmp_path: Path) -> None:
    path = tmp_path / "long-subject.pdf"
    path.write_bytes(render_letter(replace(LETTER, subject=LONG_SUBJECT)))
    lines = layout_lines(path)
    assert "令和8年度後期高齢者医療特別調整交付金の変更交付申請の提出" in lines
    assert "について（依頼）" in lines
    assert not [line for line in lines if line.endswith("（")]
    assert_kinsoku(lines)


def test_a_subject_breaks_before_its_bracketed_part_when_there_is_no_nitsuite() -> None:
    subject = "令和8年度後期高齢者医療特別調整交付金の変更交付申請の提出期限の延長（通知）"
    assert subject_lines(subject) == ["令和8年度後期高齢者医療特別調整交付金の変更交付申請の提出期限の延長", "（通知）"]
    assert subject_lines(LETTER.subject) == [LETTER.subject]


@pytest.mark.parametrize("padding", range(0, 24))
def test_subjects_of_every_length_keep_the_line_breaking_rules(padding: int) -> None:
    subject = "令和8年度地域医療介護総合確保基金" + "（施設分）" * (padding // 5) + "事" * (padding % 5) + "の交付決定について（通知）"
    lines = subject_lines(subject)
    assert "".join(lines) == subject
    font = fonts.letter_fonts().heading
    wrapped = [line for part in lines for _, line in kinsoku_lines(part, font, 12, [411.0])]
    assert "".join(wrapped) == subject
    assert_kinsoku(wrapped)


@pytest.mark.parametrize("shift", range(0, 12))
def test_body_text_moves_an_opening_bracket_down_to_the_next_line(shift: int) -> None:
    text = "あ" * shift + "提出書類は変更交付申請書（様式第3号）とし、電子メール（ktkousei164@mhlw.go.jp）で提出すること。"
    lines = [line for _, line in kinsoku_lines(text, fonts.letter_fonts().text, 10.5, [10.5 * 20])]
    assert "".join(lines) == text
    assert_kinsoku(lines)


def test_a_latin_run_in_the_second_half_of_a_line_moves_down_whole() -> None:
    lines = [line for _, line in kinsoku_lines("お問い合わせは電子メールinfo@example.jpまで", fonts.letter_fonts().text, 10.5, [10.5 * 14])]
    assert lines == ["お問い合わせは電子メール", "info@example.jpまで"]


LONG_REASON = "".join(f"{n}．対象外経費（備品購入費のうち汎用性の高いもの）を除外したため。" for n in range(1, 41))


TWO_PAGE_NOTICE = dict(
    subject="令和7年度地域支援事業交付金の交付決定について（通知）",
    items=(("交付決定額", "金900,000円"), ("交付申請額", "金1,000,000円"), ("修正の内容及び理由", LONG_REASON)),
    deadline_note=None,
    title_kind="decision_notice",
)


def two_page_notice_pdf(tmp_path: Path) -> Path:
    """A decision notice whose reason is too long for one page (a reason may hold 2,000 characters)."""
    path = tmp_path / "long-reason.pdf"
    path.write_bytes(render_letter(replace(LETTER, **TWO_PAGE_NOTICE)))
    return path


def page_text(path: Path, page: int) -> str:
    return unicodedata.normalize("NFKC", poppler("pdftotext", "-f", str(page), "-l", str(page), str(path), "-").decode())


PAGE_MARK = re.compile(r"^(\d+) ?/ ?(\d+)$", re.M)  # pdftotext may drop the narrow spaces of "N / M"


def without_page_marks(text: str) -> str:
    """The letter's own text: no "N / M" footers, no document number repeated at the top of later pages."""
    return "\n".join(line for line in text.splitlines() if not PAGE_MARK.match(line) and line != LETTER.document_number)


def test_a_reason_too_long_for_the_first_page_runs_on_to_the_next_whole(tmp_path: Path) -> None:
    """A reason may hold 2,000 characters: the particular that holds it splits across the page break."""
    path = two_page_notice_pdf(tmp_path)
    reason = LONG_REASON
    assert len(PdfReader(path).pages) == 2
    flat = re.sub(r"\s+", "", without_page_marks(extracted_text(path)))
    assert unicodedata.normalize("NFKC", reason) in flat
    assert flat.endswith("以上" + re.sub(r"\s+", "", unicodedata.normalize("NFKC", "".join(LETTER.contact_lines))))


@pytest.mark.parametrize("body_lines", range(20, 30))
def test_ki_never_ends_a_page_without_its_first_particular(tmp_path: Path, body_lines: int) -> None:
    """However long the body, 記 stands on the page of the particulars it introduces."""
    body = "標記について、" + "あいうえおかきくけこ" * 4 * body_lines
    path = tmp_path / "long-body.pdf"
    path.write_bytes(render_letter(replace(LETTER, body_paragraphs=(body,))))
    pages = extracted_text(path).split("\f")
    (ki_page,) = [page for page in pages if re.search(r"^記$", page, re.M)]
    assert "1.提出書類" in ki_page.replace("．", ".")


def test_a_full_width_space_inside_a_particular_stays_a_full_width_space(tmp_path: Path) -> None:
    """A payment notice sets amount, procedure and basis apart with 　 (U+3000), one em each, not a narrow space."""
    value = "金25,000,000円　令和5年度地域支援事業交付金当初交付　第2回（当初交付決定額の25％）"
    path = tmp_path / "payment.pdf"
    path.write_bytes(render_letter(replace(LETTER, items=(("内訳", value),), title_kind="payment_notice")))
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
                       poppler("pdftotext", "-bbox", str(path), "-").decode())
    amount = next(i for i, (_, _, text) in enumerate(words) if text.startswith("金25,000,000"))
    gap = float(words[amount + 1][0]) - float(words[amount][1])
    assert gap == pytest.approx(10.5, abs=1), words[amount : amount + 2]


def test_every_page_of_a_longer_letter_says_page_of_pages_and_later_pages_carry_the_document_number(tmp_path: Path) -> None:
    path = two_page_notice_pdf(tmp_path)
    first, second = page_text(path, 1), page_text(path, 2)
    assert PAGE_MARK.findall(first) == [("1", "2")]
    assert PAGE_MARK.findall(second) == [("2", "2")]
    assert second.count(LETTER.document_number) == 1
    # Top right, in the margin above the text: where page 1 has it, not inside the body.
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                       poppler("pdftotext", "-bbox", "-f", "2", "-l", "2", str(path), "-").decode())
    (number,) = [word for word in words if unicodedata.normalize("NFKC", word[4]) == LETTER.document_number]
    x_min, y_min, x_max, y_max = map(float, number[:4])
    assert x_min > A4[0] / 2 and x_max == pytest.approx(A4[0] - 25 * mm, abs=1)
    assert y_max < 25 * mm  # above the frame: the body still starts at the top margin
    assert y_max - y_min < 10.5  # the small size, below the text's 10.5 pt


def test_a_one_page_letter_carries_no_page_number(letter_pdf: Path) -> None:
    """A one-page letter carries no page number (docs/domain.md#letters)."""
    assert len(PdfReader(letter_pdf).pages) == 1
    assert not PAGE_MARK.search(extracted_text(letter_pdf))
    assert extracted_text(letter_pdf).count(LETTER.document_number) == 1
