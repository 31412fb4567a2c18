"""Letters per second: single letters, and a batch rendered and merged into one PDF.

    python bench/letters.py [--batch 1741] [--workers 2] [--rounds 5] [--per-round 40] [--no-baseline]

No Django needed. Single letters are measured against the same layout code
with reportlab's built-in CID font (HeiseiMin-W3), which is NOT embedded: the
floor that embedding the IPAex subset is measured against, not an option for
letters.

The batch is what an officer prints: ``--workers`` processes render the
letters' own PDFs (as that many ``db_worker`` processes do), then the batch is
drawn as one PDF (``render_batch``). The baseline, in the same run, is how the
batch was made before: every letter rendered in one process and the PDFs
merged with pypdf, each letter keeping its own font subsets. Wall and CPU
seconds are both printed: on a shared machine the wall clock says more about
the neighbours than about the code.
"""

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader, PdfWriter  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402

from calendars.eras import era_date  # noqa: E402
from letters.pdf import LetterContent, render_batch, render_letter, zip_pdfs  # noqa: E402
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


def merged_with_pypdf(pdfs: list[bytes]) -> bytes:
    """The baseline merge: every letter's pages appended as they are, font subsets and all."""
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def font_programs(pdf: bytes) -> int:
    """How many embedded TrueType font programs (``/FontFile2`` objects) the PDF holds."""
    files = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            files.add(font.get_object()["/FontDescriptor"].raw_get("/FontFile2").idnum)
    return len(files)


def _render_share(contents: list[LetterContent]) -> tuple[int, float]:
    """One worker's share: (bytes rendered, CPU seconds); the PDFs stay in the worker, as a worker stores them."""
    started = time.process_time()
    size = sum(len(render_letter(content)) for content in contents)
    return size, time.process_time() - started


def batch_with_workers(contents: list[LetterContent], workers: int) -> dict:
    """Letters rendered by ``workers`` processes, then the batch drawn as one PDF here."""
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(letter_fonts_ready, range(workers)))  # the font files parsed once per worker, as in db_worker
        started = time.perf_counter()
        shares = list(pool.map(_render_share, [contents[k::workers] for k in range(workers)]))
    rendered = time.perf_counter() - started
    cpu = time.process_time()
    merged = render_batch(contents, title="bench")
    merge_wall = time.perf_counter() - started - rendered
    return {
        "render_wall": rendered, "render_cpu": sum(seconds for _, seconds in shares),
        "merge_wall": merge_wall, "merge_cpu": time.process_time() - cpu, "merged": merged,
    }


def batch_baseline(contents: list[LetterContent]) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    pdfs = [render_letter(content) for content in contents]
    rendered, render_cpu = time.perf_counter() - started, time.process_time() - cpu
    merged = merged_with_pypdf(pdfs)
    return {
        "render_wall": rendered, "render_cpu": render_cpu, "merge_wall": time.perf_counter() - started - rendered,
        "merge_cpu": time.process_time() - cpu - render_cpu, "merged": merged, "pdfs": pdfs,
    }


def letter_fonts_ready(_: int) -> None:
    render_letter(SAMPLE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1741, help="letters in the batch (default 1741)")
    parser.add_argument("--workers", type=int, default=2, help="processes rendering the letters (default 2)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds for single letters (median taken)")
    parser.add_argument("--per-round", type=int, default=40, help="letters per timed round")
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-process pypdf merge")
    args = parser.parse_args()
    for face in ("HeiseiMin-W3", "HeiseiKakuGo-W5"):
        pdfmetrics.registerFont(UnicodeCIDFont(face))

    rows = []
    first, rate = single_rate(render_letter, args.rounds, args.per_round)
    rows.append(("single, IPAex TTF subset (embedded)", first, rate, len(render_letter(SAMPLE))))
    first, rate = single_rate(render_with_cid_font, args.rounds, args.per_round)
    rows.append(("single, CID HeiseiMin (NOT embedded: floor)", first, rate, len(render_with_cid_font(SAMPLE))))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'variant':<46} {'first call':>10} {'letters/s':>10} {'PDF size':>10}")
    for name, first, rate, size in rows:
        print(f"{name:<46} {first * 1000:>8.0f}ms {rate:>10.1f} {size / 1024:>8.1f}KB")
    print("(first call of the IPAex row includes parsing the font files; the first letter of the batch does not)")
    print()

    contents = batch_contents(args.batch)
    results = [(f"{args.workers} workers + render_batch", batch_with_workers(contents, args.workers))]
    if not args.no_baseline:
        results.append(("baseline: 1 process + pypdf merge", batch_baseline(contents)))
    print(f"batch of {args.batch}:")
    print(f"{'variant':<36} {'render wall/cpu':>16} {'merge wall/cpu':>15} {'total wall':>10} {'merged':>9} {'fonts':>5}")
    for name, r in results:
        total = r["render_wall"] + r["merge_wall"]
        print(f"{name:<36} {r['render_wall']:>7.1f}s/{r['render_cpu']:>6.1f}s {r['merge_wall']:>6.1f}s/{r['merge_cpu']:>6.1f}s "
              f"{total:>9.1f}s {len(r['merged']) / 2**20:>7.1f}MB {font_programs(r['merged']):>5}")
    if not args.no_baseline:
        pdfs = results[-1][1]["pdfs"]
        started = time.perf_counter()
        archive = zip_pdfs([(f"{n:04d}.pdf", pdf) for n, pdf in enumerate(pdfs, 1)])
        print(f"same batch as ZIP: {time.perf_counter() - started:.2f}s, {len(archive) / 2**20:.1f} MB")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
