"""Letters per second: single letters, and a batch rendered and merged into one PDF.

    python bench/letters.py [--batch 1741] [--rounds 5] [--per-round 40]

No Django needed. The baseline is the same layout code with reportlab's
built-in CID font (HeiseiMin-W3), which is NOT embedded: it is the floor that
embedding the IPAex subset is measured against, not an option for letters.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402

from calendars.eras import era_date  # noqa: E402
from letters.pdf import LetterContent, merge_pdfs, render_letter, zip_pdfs  # noqa: E402
from letters.pdf import render as render_module  # noqa: E402
from letters.pdf.fonts import LetterFonts  # noqa: E402

SAMPLE = LetterContent(
    document_number="関厚発1121第3号",
    issued_on=date(2025, 11, 21),
    addressee="埼玉県福祉部地域包括ケア課長　殿",
    sender="関東信越厚生局健康福祉部地域包括ケア推進課長",
    subject="令和7年度地域支援事業交付金の変更交付申請について（依頼）",
    body_paragraphs=(
        "標記について、令和7年度地域支援事業交付金の変更交付申請に係る書類を、下記のとおり提出いただきますようお願いいたします。",
        "なお、提出期限までに提出がない場合は、当初の交付決定額により精算することとなりますので、御留意願います。",
    ),
    items=(
        ("提出書類", "変更交付申請書（様式第3号）及び事業計画変更書"),
        ("提出期限", era_date(date(2026, 3, 2), weekday=True)),
        ("提出方法", "電子メール（ktkousei164@mhlw.go.jp）"),
    ),
    deadline_note=f"当初の期限（{era_date(date(2026, 2, 28), weekday=True)}）が閉庁日に当たるため、翌開庁日に繰り下げています。",
    contact_lines=(
        "関東信越厚生局健康福祉部地域包括ケア推進課",
        "〒330-9713 埼玉県さいたま市中央区新都心1-1 さいたま新都心合同庁舎1号館7階",
        "TEL: 048-740-0793　Mail: ktkousei164@mhlw.go.jp",
        "担当：山田",
    ),
)

# Recipients vary per letter, as in a real batch, so each letter embeds a
# slightly different font subset.
_PLACES = ("さいたま市", "川越市", "水戸市", "宇都宮市", "前橋市", "千葉市", "新宿区", "横浜市", "新潟市", "甲府市", "長野市", "秩父郡小鹿野町")


def batch_contents(count: int) -> list[LetterContent]:
    return [
        replace(SAMPLE, document_number=f"関厚発1121第{n}号", addressee=f"{_PLACES[n % len(_PLACES)]}長　殿")
        for n in range(1, count + 1)
    ]


def single_rate(render: Callable[[LetterContent], bytes], rounds: int, per_round: int) -> tuple[float, float]:
    """(first-call seconds, median letters/s over ``rounds`` after a warm-up)."""
    started = time.perf_counter()
    render(SAMPLE)
    first = time.perf_counter() - started
    for _ in range(5):
        render(SAMPLE)
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(per_round):
            render(SAMPLE)
        rates.append(per_round / (time.perf_counter() - started))
    return first, statistics.median(rates)


def render_with_cid_font(content: LetterContent) -> bytes:
    """The same layout with the non-embedded built-in CID font (baseline only)."""
    with mock.patch.object(render_module, "letter_fonts", return_value=LetterFonts("HeiseiMin-W3", "HeiseiKakuGo-W5")):
        render_module._styles.cache_clear()
        try:
            return render_letter(content)
        finally:
            render_module._styles.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1741, help="letters in the batch (default 1741)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds for single letters (median taken)")
    parser.add_argument("--per-round", type=int, default=40, help="letters per timed round")
    args = parser.parse_args()
    for face in ("HeiseiMin-W3", "HeiseiKakuGo-W5"):
        pdfmetrics.registerFont(UnicodeCIDFont(face))

    rows = []
    first, rate = single_rate(render_letter, args.rounds, args.per_round)
    rows.append(("single, IPAex TTF subset (embedded)", first, rate, len(render_letter(SAMPLE))))
    first, rate = single_rate(render_with_cid_font, args.rounds, args.per_round)
    rows.append(("single, CID HeiseiMin (NOT embedded: floor)", first, rate, len(render_with_cid_font(SAMPLE))))

    contents = batch_contents(args.batch)
    started = time.perf_counter()
    pdfs = [render_letter(content) for content in contents]
    rendered = time.perf_counter() - started
    merged = merge_pdfs(pdfs)
    merge_time = time.perf_counter() - started - rendered
    started = time.perf_counter()
    archive = zip_pdfs([(f"{n:04d}.pdf", pdf) for n, pdf in enumerate(pdfs, 1)])
    zip_time = time.perf_counter() - started

    print(f"{'variant':<46} {'first call':>10} {'letters/s':>10} {'PDF size':>10}")
    for name, first, rate, size in rows:
        print(f"{name:<46} {first * 1000:>8.0f}ms {rate:>10.1f} {size / 1024:>8.1f}KB")
    total = rendered + merge_time
    print()
    print(f"batch of {args.batch}: render {rendered:.1f}s + merge {merge_time:.1f}s = {total:.1f}s "
          f"-> {args.batch / total:.1f} letters/s; merged PDF {len(merged) / 2**20:.1f} MB")
    print(f"same batch as ZIP: {zip_time:.2f}s, {len(archive) / 2**20:.1f} MB")
    print("(first call of the IPAex row includes parsing the font files; the first letter of the batch does not)")


if __name__ == "__main__":
    main()
