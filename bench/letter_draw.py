"""CPU of drawing one letter, by kind: ``render_letter(letter_content(letter))`` and nothing else.

    python bench/letter_draw.py --from-database grants_perf_national1 [--per-kind 40] [--rounds 3] [--code DIR ...]
    python bench/letter_draw.py --corpus letters.json [--code DIR ...]

Takes up to ``--per-kind`` drawn letters of each kind from a PostgreSQL
database a national year left (``bench/national.py --years 1``; the wording is
stored on each letter, so no Django is needed), or a JSON corpus of
``{"kind", "document_number", "issued_on", "content"}`` rows (``--save-corpus``
writes one). Each ``--code`` checkout (default: this one) draws the whole
corpus once per round in a fresh process, the checkouts taking turns, so a
baseline and a change share the machine's load; the figure is the median
over rounds of the process CPU seconds (``time.process_time``) a letter, by
kind, after one warm-up letter (font files parsed). Bytes a letter are printed too.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from common import database_url

ROOT = Path(__file__).resolve().parent.parent

_SAMPLE = """
SELECT json_agg(t) FROM (
  SELECT kind, document_number, issued_on::text AS issued_on, content FROM (
    SELECT *, row_number() OVER (PARTITION BY kind ORDER BY id) AS rn,
           count(*) OVER (PARTITION BY kind) AS n
    FROM calendars_letter WHERE status = 'rendered') x
  WHERE rn %% greatest(n / %(per)s, 1) = 0 AND rn <= %(per)s * greatest(n / %(per)s, 1)) t
"""


def corpus_from_database(database: str, per_kind: int) -> list[dict]:
    import psycopg

    with psycopg.connect(database if "://" in database else database_url(database)) as conn:
        return conn.execute(_SAMPLE, {"per": per_kind}).fetchone()[0] or []


def draw_once(corpus_path: str) -> dict:
    """Child: draw every letter of the corpus once; CPU seconds and bytes by kind."""
    sys.path.insert(0, os.getcwd())
    from letters.pdf import LetterContent, render_letter

    rows = json.loads(Path(corpus_path).read_text())
    contents = [
        (row["kind"], LetterContent(document_number=row["document_number"],
                                    issued_on=date.fromisoformat(row["issued_on"]), **row["content"]))
        for row in rows
    ]
    render_letter(contents[0][1])  # the font files are parsed once per process, as in a worker
    cpu: dict[str, float] = defaultdict(float)
    size: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for kind, content in contents:
        started = time.process_time()
        pdf = render_letter(content)
        cpu[kind] += time.process_time() - started
        size[kind] += len(pdf)
        count[kind] += 1
    return {kind: {"cpu": cpu[kind], "bytes": size[kind], "n": count[kind]} for kind in count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-database", help="a PostgreSQL database (name or URL) whose letters were drawn")
    source.add_argument("--corpus", help="a JSON corpus of letters")
    parser.add_argument("--per-kind", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", type=Path, action="append", help="a checkout to draw with (repeat; default this one)")
    parser.add_argument("--save-corpus", type=Path, help="write the corpus read from the database here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(draw_once(args.child)))
        return

    if args.from_database:
        rows = corpus_from_database(args.from_database, args.per_kind)
        corpus = args.save_corpus or Path(f"/tmp/letter_draw_corpus_{os.getpid()}.json")
        corpus.write_text(json.dumps(rows, ensure_ascii=False))
    else:
        corpus = Path(args.corpus)
    codes = [code.resolve() for code in (args.code or [ROOT])]
    runs: dict[Path, list[dict]] = {code: [] for code in codes}
    load_before = os.getloadavg()
    for _ in range(args.rounds):
        for code in codes:
            out = subprocess.run([sys.executable, __file__, "--corpus", str(corpus), "--child", str(corpus.resolve())],
                                 cwd=code, check=True, capture_output=True, text=True).stdout
            runs[code].append(json.loads(out))
    load_after = os.getloadavg()
    kinds = sorted({kind for results in runs.values() for result in results for kind in result})
    print(f"load average before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}; {args.rounds} rounds, median CPU ms a letter (KB a letter)")
    header = "".join(f"{str(code)[-24:]:>26}" for code in codes)
    print(f"{'kind':<20}{'n':>4}{header}")
    for kind in [*kinds, "all"]:
        cells = []
        for code in codes:
            per_round = []
            for result in runs[code]:
                rows = [result[kind]] if kind != "all" else list(result.values())
                n = sum(row["n"] for row in rows)
                per_round.append((sum(row["cpu"] for row in rows) / n * 1000, sum(row["bytes"] for row in rows) / n / 1024, n))
            ms = statistics.median(cpu for cpu, _, _ in per_round)
            cells.append(f"{ms:>15.2f} ms ({per_round[0][1]:>5.1f})")
        print(f"{kind:<20}{per_round[0][2]:>4}{''.join(cells)}")


if __name__ == "__main__":
    main()
