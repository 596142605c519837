"""Benchmark WER/CER scoring (`lancang evaluate --layer transcript`) against jiwer on the same pairs.

    python benchmarks/bench_wer.py [--pairs 20000] [--write docs/benchmarks.md]

Pairs: the Chinese (scored in characters) and English (scored in words) sentences of UD PUD, each
with a seeded hypothesis (a fifth of its units deleted, substituted or followed by an insertion),
repeated to ``--pairs``. Timed in this process with ``time.process_time`` (CPU seconds, so the other
work on a shared machine does not distort it): lancang's scorer (normalisation, tokenisation,
alignment, counts) and jiwer's ``process_words`` / ``process_characters`` on the same pairs, and a
pure-Python Levenshtein distance (no alignment) as the floor of doing it without rapidfuzz. The
whole command is then timed in a child process on a corpus of as many utterance records (reading
both JSONL files, the join, scoring, the JSON document).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import lancang_version, measure_cpu, para, replace_section  # noqa: E402
from bench_validate import machine  # noqa: E402

from lancang.quality.wer import Scorer, Tally  # noqa: E402

PUD = Path(__file__).resolve().parents[2] / "shared" / "data" / "parallel" / "pud"


def sentences(lang: str) -> list[str]:
    path = PUD / f"{lang}_pud.conllu"
    return [line[9:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# text = ")]


def perturb(rng: random.Random, units: list[str], rate: float = 0.2) -> list[str]:
    out = []
    for u in units:
        x = rng.random()
        if x < rate / 3:
            continue
        out.append(rng.choice(units) if x < 2 * rate / 3 else u)
        if rng.random() < rate / 3:
            out.append(rng.choice(units))
    return out


def make_pairs(n: int) -> list[tuple[str, str, str]]:
    rng = random.Random(18)
    base = [("zh", s, "".join(perturb(rng, list(s)))) for s in sentences("zh")]
    base += [("en", s, " ".join(perturb(rng, s.split()))) for s in sentences("en")]
    return [base[i % len(base)] for i in range(n)]


def python_distance(a: list[str] | str, b: list[str] | str) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j - 1] + (x != y), prev[j] + 1, cur[j - 1] + 1)
        prev = cur
    return prev[-1]


def cpu(fn) -> tuple[float, object]:
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=20_000)
    ap.add_argument("--floor-pairs", type=int, default=2_000, help="pairs timed with the pure-Python distance")
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()
    import jiwer

    pairs = make_pairs(args.pairs)
    units = sum(len(r) if lang == "zh" else len(r.split()) for lang, r, _h in pairs)

    def ours() -> Tally:
        sc, total = Scorer("auto"), Tally.new()
        for lang, r, h in pairs:
            total.add(sc.utterance(lang, r, h))
        return total

    def theirs() -> tuple[int, int]:
        errors = ref = 0
        for lang, r, h in pairs:
            if lang == "zh":
                o = jiwer.process_characters(r, h)
            else:
                o = jiwer.process_words(r, h)
            errors += o.substitutions + o.deletions + o.insertions
            ref += o.hits + o.substitutions + o.deletions
        return errors, ref

    def floor() -> int:
        return sum(python_distance(r, h) if lang == "zh" else python_distance(r.split(), h.split())
                   for lang, r, h in pairs[:args.floor_pairs])

    t_ours, tally = cpu(ours)
    t_jiwer, _ = cpu(theirs)
    t_floor, _ = cpu(floor)
    t_floor *= len(pairs) / args.floor_pairs
    with tempfile.TemporaryDirectory() as tmp:
        ref, hyp = Path(tmp) / "ref.jsonl", Path(tmp) / "hyp.jsonl"
        ref.write_bytes(b"".join(orjson.dumps({"id": f"u{i}", "sides": {lang: {"text": r}}}) + b"\n"
                                 for i, (lang, r, _h) in enumerate(pairs)))
        hyp.write_bytes(b"".join(orjson.dumps({"id": f"u{i}", "sides": {lang: {"text": h}}}) + b"\n"
                                 for i, (lang, _r, h) in enumerate(pairs)))
        lancang = Path(sys.executable).with_name("lancang")
        _wall, t_cli, rss, code, data = measure_cpu([str(lancang), "evaluate", str(hyp), str(ref), "--layer",
                                                     "transcript", "--format", "json"])
        if code != 0:
            raise SystemExit(data[-800:])
    n = len(pairs)
    rows = [("lancang scorer (rapidfuzz)", t_ours), ("jiwer 4 (rapidfuzz)", t_jiwer),
            ("pure-Python distance, no alignment (floor)", t_floor),
            ("`lancang evaluate --layer transcript`, whole command", t_cli)]
    lines = [
        "## WER/CER scoring (`lancang evaluate --layer transcript`, issue 18)",
        "",
        para(f"""Measured {dt.date.today()} by `python benchmarks/bench_wer.py --pairs {n} --write docs/benchmarks.md`
        on {machine()}; Python {sys.version.split()[0]}; {lancang_version()}, jiwer {metadata.version("jiwer")},
        rapidfuzz {metadata.version("rapidfuzz")}. Figures are CPU seconds (user + system) on a shared machine, not wall
        time."""),
        "",
        para(f"""{n:,} pairs: UD PUD's Chinese sentences scored in characters and English sentences in words, each
        against a seeded hypothesis with a fifth of its units changed; {units:,} reference units; CER/WER
        {tally.fit.rate:.4f} (identical in both scorers: tests/quality/test_wer.py). The pure-Python row is
        {args.floor_pairs:,} pairs scaled up. lancang's scorer does more per pair than jiwer's call: it counts
        every side in characters too (the CER beside the WER) and picks, among the alignments with the fewest
        errors, the one with the fewest substitutions (a weighted distance, as sclite splits S/D/I). The whole
        command also reads and joins two JSONL files of {n:,} records (peak RSS {rss:.0f} MiB)."""),
        "",
        "| scorer | CPU s | pairs/s | units/s |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {t:.2f} | {n / t:,.0f} | {units / t:,.0f} |" for name, t in rows),
    ]
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "bench_wer", lines)


if __name__ == "__main__":
    main()
