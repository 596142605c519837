"""Benchmark sentence and word alignment on real gold data from ../shared/data.

    python benchmarks/bench_align.py [--write docs/benchmarks.md] [--only sentences|words] [--quick]

Sentences: document pairs from PUD (documents as ``# newdoc`` marks them in the English file; zh is
Traditional) for zh–en, zh–th, zh–id, th–id, the same 300 sentences as one long document per pair,
and TALPCo pseudo-documents of 20 consecutive ids for en–th, en–vi, th–id, en–my. Each pair is
perturbed (about 10 % of adjacent sentences merged and 5 % deleted, each on a random side; the gold
beads kept), then aligned by plain Gale–Church and by lancang's aligner (fitted, without the gold,
on all the documents of the pair). Strict and lax F1 as in Vecalign/Bertalign; sentences/s counts
both sides' sentences over the wall time, fitting included.

Words: the four gold sets (ro–en 248, en–fr 447, ja–en 582, zh–en 150 pairs). Each aligner is
trained on the gold set's own sentences plus the other parallel text of that pair under
../shared/data (ja–en: TALPCo's 1,372 pairs; zh–en: PUD's 300 pairs, converted to Simplified with
OpenCC) and scored (AER with sure and possible links) on the gold pairs. The built-in aligner and
eflomal get the same data and the same symmetrisation (grow-diag-final-and); pairs/s counts the
training pairs over the wall time, training included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import align_data as data  # noqa: E402
from _report import write_block  # noqa: E402
from bench_validate import machine  # noqa: E402

from lancang.annotators.align import word_aligner  # noqa: E402
from lancang.annotators.align.sentence import SentenceAligner, align_with, gale_church  # noqa: E402
from lancang.quality.alignment import bead_scores, link_scores  # noqa: E402

START, END = "<!-- bench_align:start -->", "<!-- bench_align:end -->"


def sentence_sets(quick: bool) -> list[tuple[str, str, str, list]]:
    out = []
    for s, t in data.PUD_PAIRS:
        docs = data.pud_documents(s, t)
        out.append((f"PUD {s}–{t}", s, t, docs))
    for s, t in data.PUD_PAIRS:
        docs = data.pud_documents(s, t)
        whole = ([x for d in docs for x in d[0]], [y for d in docs for y in d[1]])
        out.append((f"PUD {s}–{t}, one document", s, t, [whole]))
    for s, t in data.TALPCO_PAIRS:
        out.append((f"TALPCo {s}–{t}", s, t, data.talpco_documents(s, t)))
    return out[:3] if quick else out


def bench_sentences(quick: bool = False, seed: int = 1) -> list[dict]:
    rows = []
    for name, s, t, docs in sentence_sets(quick):
        rnd = random.Random(seed)
        pert = [data.perturb(x, y, rnd, (s, t)) for x, y in docs]
        gold = [g for _, _, g in pert]
        pairs = [(x, y) for x, y, _ in pert]
        n_sent = sum(len(x) + len(y) for x, y in pairs)
        t0 = time.perf_counter()
        gc = [[(b[0], b[1]) for b in gale_church(x, y)] for x, y in pairs]
        t_gc = time.perf_counter() - t0
        t0 = time.perf_counter()
        al = SentenceAligner()
        model = al.fit(pairs)
        ours = [[(b[0], b[1]) for b in align_with(x, y, model)] for x, y in pairs]
        t_ours = time.perf_counter() - t0
        g, o = bead_scores(gc, gold), bead_scores(ours, gold)
        row = {"set": name, "docs": len(docs), "sentences": n_sent,
               "beads": sum(len(x) for x in gold), "gc_strict": g["f1_strict"], "gc_lax": g["f1_lax"],
               "strict": o["f1_strict"], "lax": o["f1_lax"], "gc_rate": n_sent / t_gc, "rate": n_sent / t_ours,
               "ratio": model.ratio}
        rows.append(row)
        print(f"{name:<28} GC strict {g['f1_strict']:.3f} lax {g['f1_lax']:.3f} | lancang strict "
              f"{o['f1_strict']:.3f} lax {o['f1_lax']:.3f} | {row['rate']:,.0f} sent/s (GC {row['gc_rate']:,.0f})",
              flush=True)
    return rows


WORD_SETS = (("roen", "ro–en"), ("enfr", "en–fr"), ("jaen", "ja–en"), ("zhen", "zh–en"))


def bench_words(quick: bool = False, eflomal: bool = True) -> list[dict]:
    rows = []
    # numba compiles the Gibbs kernels once per installation (then loads them from its cache):
    # time that apart, so the rates below are those of a warm installation
    t0 = time.perf_counter()
    word_aligner("gibbs").train_align([(["a", "b"], ["b", "a"])])
    print(f"gibbs kernels compiled or loaded in {time.perf_counter() - t0:.2f} s", flush=True)
    for key, label in WORD_SETS[:2] if quick else WORD_SETS:
        gold = data.word_gold(key)
        extra = data.extra_training(key)
        train = [(s, t) for s, t, _ in gold] + extra
        g = [x for _, _, x in gold]
        configs = [("lancang gibbs", "gibbs", {}), ("lancang gibbs, prefix 4", "gibbs", {"prefix": 4}),
                   ("lancang ibm2", "ibm2", {}), ("lancang ibm2, prefix 4", "ibm2", {"prefix": 4})]
        if eflomal:
            configs += [("eflomal", "eflomal", {}),
                        ("eflomal, prefix 4", "eflomal", {"source_prefix_len": 4, "target_prefix_len": 4})]
        for name, aligner, cfg in configs:
            try:
                al = word_aligner(aligner, cfg)
                t0 = time.perf_counter()
                _, links = al.train_align(train)
                secs = time.perf_counter() - t0
            except Exception as exc:  # eflomal missing: say so in the table
                print(f"{label} {name}: {exc}")
                continue
            sc = link_scores(links[:len(gold)], g)
            rows.append({"set": label, "gold": len(gold), "train": len(train), "aligner": name, "aer": sc["aer"],
                         "precision": sc["precision"], "recall": sc["recall"], "rate": len(train) / secs})
            print(f"{label} ({len(train)} training pairs) {name:<24} AER {sc['aer']:.3f} P {sc['precision']:.3f} "
                  f"R {sc['recall']:.3f} {len(train) / secs:,.0f} pairs/s", flush=True)
    if not quick:
        rows += bench_throughput(eflomal)
    return rows


def bench_throughput(eflomal: bool, times: int = 5) -> list[dict]:
    """pairs/s on a larger input: the ja-en training pairs repeated ``times`` times. The number of
    sweeps falls with the corpus size (as eflomal's iterations do), so the rate grows with it; the
    repeated text is no use for AER, which is not reported."""
    gold = data.word_gold("jaen")
    base = [(s, t) for s, t, _ in gold] + data.extra_training("jaen")
    train = base * times
    rows = []
    names = [("lancang gibbs", "gibbs"), ("lancang ibm2", "ibm2")] + ([("eflomal", "eflomal")] if eflomal else [])
    for name, aligner in names:
        try:
            al = word_aligner(aligner)
            t0 = time.perf_counter()
            al.train_align(train)
            secs = time.perf_counter() - t0
        except Exception as exc:  # eflomal missing
            print(f"throughput {name}: {exc}")
            continue
        label = f"ja–en training pairs × {times} (throughput only)"
        rows.append({"set": label, "gold": 0, "train": len(train), "aligner": name, "aer": None,
                     "precision": None, "recall": None, "rate": len(train) / secs})
        print(f"{label} {name:<24} {len(train) / secs:,.0f} pairs/s", flush=True)
    return rows


def versions() -> str:
    out = [f"Python {platform.python_version()}"]
    for p in ("lancang", "numpy", "numba", "eflomal", "OpenCC"):
        try:
            out.append(f"{p} {metadata.version(p)}")
        except metadata.PackageNotFoundError:
            out.append(f"{p} absent")
    return ", ".join(out)


def section(srows: list[dict], wrows: list[dict]) -> str:
    lines = [START, "## Alignment (`lancang align`)", "",
             f"Measured {dt.date.today().isoformat()} by `python benchmarks/bench_align.py --write docs/benchmarks.md` "
             f"on {machine()}; {versions()}. One process.", ""]
    if srows:
        lines += ["### Sentences", "",
                  "Perturbed gold document pairs (10 % of adjacent sentences merged, 5 % deleted, random side; "
                  "seed 1). F1 strict/lax as defined by Vecalign's and Bertalign's scorers. Plain Gale–Church: "
                  "c = 1, s² = 6.8, its priors. lancang: ratio and variance estimated per pair, anchors, a "
                  "lexicon learned from its own first pass, banded search; fitted on the pair's documents "
                  "without the gold.", "",
                  "| set | docs | sentences | gold beads | G–C strict | G–C lax | lancang strict | lancang lax "
                  "| lancang sent/s | G–C sent/s |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in srows:
            lines.append(f"| {r['set']} | {r['docs']} | {r['sentences']:,} | {r['beads']:,} | {r['gc_strict']:.3f} "
                         f"| {r['gc_lax']:.3f} | {r['strict']:.3f} | {r['lax']:.3f} | {r['rate']:,.0f} "
                         f"| {r['gc_rate']:,.0f} |")
        lines.append("")
    if wrows:
        lines += ["### Words", "",
                  "AER (sure and possible gold links), precision and recall on the gold pairs; every aligner "
                  "trained on the same pairs (gold sentences plus the pair's other parallel text here) and "
                  "symmetrised with grow-diag-final-and by lancang. pairs/s: training pairs over wall time, "
                  "training included. gibbs runs its chains on 2 threads (one per core); eflomal's binary runs its "
                  "samplers in parallel too (about 2 cores busy here); ibm2 is one thread of numpy. "
                  "gibbs rates are with numba's kernel cache warm (the first run after installing compiles for a "
                  "few seconds).", "",
                  "| set | gold pairs | training pairs | aligner | AER | precision | recall | pairs/s |",
                  "|---|---:|---:|---|---:|---:|---:|---:|"]
        for r in wrows:
            f3 = lambda x: "–" if x is None else f"{x:.3f}"  # noqa: E731
            lines.append(f"| {r['set']} | {r['gold'] or '–'} | {r['train']:,} | {r['aligner']} | {f3(r['aer'])} "
                         f"| {f3(r['precision'])} | {f3(r['recall'])} | {r['rate']:,.0f} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def write(path: Path, text: str) -> None:
    write_block(path, "bench_align", text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", type=Path, help="replace the alignment section of this markdown file")
    ap.add_argument("--only", choices=["sentences", "words"])
    ap.add_argument("--quick", action="store_true", help="a few sets only (a smoke run)")
    ap.add_argument("--no-eflomal", action="store_true")
    args = ap.parse_args()
    srows = bench_sentences(args.quick) if args.only in (None, "sentences") else []
    wrows = bench_words(args.quick, not args.no_eflomal) if args.only in (None, "words") else []
    if args.write:
        write(args.write, section(srows, wrows))


if __name__ == "__main__":
    main()
