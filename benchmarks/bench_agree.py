"""Benchmark `lancang agree` on two annotation files: seconds and peak memory, in order and shuffled.

    python benchmarks/bench_agree.py [--records 100000] [--write docs/benchmarks.md]

Generates the records of bench_validate.py (two sides, zh-Hant and en, each a real PUD sentence of
about 22 tokens with sentences, tokens, UPOS, three entities a side and a word alignment) as
annotator A, and annotator B as a seeded perturbation of A (entity labels changed, entities dropped,
boundaries moved, UPOS tags changed, word links dropped). Runs the installed `lancang agree A B
--format json` in a subprocess and measures wall time and the child's peak RSS (``os.wait4``),
first with both files in the same order (the streaming join), then with B in reverse order (the
bounded-memory SQLite join).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_validate import machine, make_record, pud_sentences  # noqa: E402

LABELS = ["PER", "LOC", "ORG"]
from _report import write_block  # noqa: E402

START, END = "<!-- bench_agree:start -->", "<!-- bench_agree:end -->"


def perturb(rec: dict, rnd: random.Random) -> dict:
    rec = orjson.loads(orjson.dumps(rec))
    for side in rec["sides"].values():
        lay = side["layers"]
        items = []
        for it in lay["entities"]["items"]:
            r = rnd.random()
            if r < 0.05:
                continue
            if r < 0.15:
                it["label"] = rnd.choice([x for x in LABELS if x != it["label"]])
            items.append(it)
        lay["entities"]["items"] = items
        lay["pos"]["values"] = [rnd.choice(["NOUN", "VERB"]) if rnd.random() < 0.05 else v
                                for v in lay["pos"]["values"]]
    for link in rec["links"]:
        if link["kind"] == "tokens":
            link["pairs"] = [p for p in link["pairs"] if rnd.random() > 0.05]
    return rec


def generate(dir_: Path, n: int, seed: int = 13) -> tuple[Path, Path, Path, int]:
    """Write A, B and B reversed in a child process: a child's peak RSS counts its parent's RSS at the
    fork, so the measuring process must stay small."""
    subprocess.run([sys.executable, __file__, "--generate", str(dir_), "--records", str(n), "--seed", str(seed)],
                   check=True)
    return dir_ / "a.jsonl", dir_ / "b.jsonl", dir_ / "b-reversed.jsonl", (dir_ / "a.jsonl").stat().st_size


def _generate(dir_: Path, n: int, seed: int) -> None:
    rnd = random.Random(seed)
    pud = pud_sentences()
    a, b = dir_ / "a.jsonl", dir_ / "b.jsonl"
    size = 0
    with open(a, "wb") as fa, open(b, "wb") as fb:
        for i in range(n):
            rec = make_record(i, pud, rnd)
            line = orjson.dumps(rec) + b"\n"
            size += len(line)
            fa.write(line)
            fb.write(orjson.dumps(perturb(rec, rnd)) + b"\n")
    rev = dir_ / "b-reversed.jsonl"
    lines = b.read_bytes().splitlines(keepends=True)
    rev.write_bytes(b"".join(reversed(lines)))


def run(*files: Path) -> tuple[float, float, dict]:
    lancang = Path(sys.executable).with_name("lancang")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(lancang), "agree", *map(str, files), "--format", "json"], stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code != 0:
            raise SystemExit(f"agree failed ({code}): {err.read().decode()[-2000:]}")
        doc = json.loads(out.read())
    return wall, usage.ru_maxrss / 1024, doc["agreement"]


def versions() -> str:
    import platform
    from importlib import metadata

    return f"Python {platform.python_version()}; " + ", ".join(
        f"{p} {metadata.version(p)}" for p in ("lancang", "orjson"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--write", type=Path, help="replace the agree section of this markdown file")
    ap.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=13, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:
        _generate(args.generate, args.records, args.seed)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted({max(args.records // 4, 1), args.records}):
            a, b, rev, size = generate(Path(tmp), n)
            for label, second in (("same order (streaming join)", b), ("B reversed (SQLite join)", rev)):
                wall, rss, agr = run(a, second)
                rows.append((n, size, label, wall, rss, agr["kappa"], agr["span_f1"], agr["aer"]))
                print(f"{n:>8} records {size / 2**20:8.1f} MiB  {label:<28} {wall:7.2f} s "
                      f"{n / wall:>9,.0f} rec/s peak {rss:6.1f} MiB  "
                      f"kappa {agr['kappa']:.4f} span F1 {agr['span_f1']:.4f} AER {agr['aer']:.4f}")
    if args.write:
        write_section(args.write, rows)


def write_section(path: Path, rows: list[tuple]) -> None:
    lines = [START, "## `lancang agree`", "",
             f"Measured {dt.date.today().isoformat()} by `python benchmarks/bench_agree.py --write docs/benchmarks.md` "
             f"on {machine()}; {versions()}.", "",
             "Two annotation files of the same records (those of the validate benchmark: zh-Hant and en, one PUD "
             "sentence a side, about 45 tokens a record, three entities a side, UPOS, a word alignment); B is a "
             "seeded perturbation of A. All layers compared (entities on token units, pos, tokens, sentences, "
             "links). One process; peak memory is the child's maximum RSS. Input MiB is the size of one file.", "",
             "| records | input MiB | join | seconds | records/s | peak RSS MiB | kappa | span F1 | AER |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for n, size, label, wall, rss, kappa, f1, aer in rows:
        lines.append(f"| {n:,} | {size / 2**20:,.1f} | {label} | {wall:.2f} | {n / wall:,.0f} | {rss:.1f} | "
                     f"{kappa:.4f} | {f1:.4f} | {aer:.4f} |")
    lines += ["", END]
    write_block(path, "bench_agree", "\n".join(lines))


if __name__ == "__main__":
    main()
