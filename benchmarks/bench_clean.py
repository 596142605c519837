"""Benchmark corpus cleaning (issue 14): lancang clean and OpusFilter on pair corpora with known noise.

    python benchmarks/bench_clean.py [--write docs/benchmarks.md] [--speed-records 30000]
                                     [--bench-python /work/bench-venv/bin/python] [--million]

Quality. make_noisy.py builds zh-en, zh-th, zh-id (PUD) and th-id (PUD + TALPCo) with about 30 %
of the records noisy, ten types in equal shares, and the truth per record. lancang runs
``lancang clean IN OUT --rejects REJ`` with its default filters (adequacy included); OpusFilter runs
two configurations per pair (benchmarks/opusfilter/: ``standard`` = the filter set and defaults of
``opusfilter-autogen --method defaults`` with langid.py; ``tuned`` = per-script units and
thresholds), each with exact duplicate removal, in its own environment. A noisy record is
**handled** when it is rejected, except for repairable noise: markup, and mojibake that
``ftfy.fix_encoding`` restores exactly (make_noisy.py checks it), are handled when the record is
kept and its text, white space ignored, equals the original (so rejecting them, or keeping them
unrepaired, is a miss). A clean record is **kept** when it is not rejected. **Precision** of the
rejects = share of rejected records whose truth is noise that should be rejected. Each lancang
filter's precision counts the rejects whose reasons name that filter.

Speed, records/s per core = records / CPU seconds (the machine is shared). lancang: the whole
``lancang clean`` command with the default filters less adequacy (``--set adequacy=false``; also
with it), start-up subtracted (the CPU time of the same command on one record). On the same data
for both tools (the noisy corpora above, OpusFilter's steps in-process after reading); on up to
``--speed-records`` distinct real sentence pairs of all 21 language pairs of PUD and TALPCo
(make_noisy.py ``--natural``: real lengths, no duplicates), with each filter's own rate in-process
(repairs, fit and ``score_batch`` in batches of 1,000 over the repaired records, the way ``lancang
clean`` calls them). ``--million`` adds the command on 1,000,000 distinct records of three joined
sentence pairs (make_noisy.py ``--throughput``) with its peak RSS (``os.wait4``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # rates per core: no BLAS/numba thread pools (their spinning counts as CPU)
sys.path.insert(0, str(ROOT / "benchmarks"))

import lancang  # noqa: E402,F401  (before bench_validate puts the repository first on sys.path)

# isort: split
import make_noisy  # noqa: E402
from _report import lancang_version, measure_cpu, para, replace_section  # noqa: E402
from bench_validate import machine  # noqa: E402

LANCANG = [str(Path(sys.executable).parent / "lancang")]
REJECTABLE = {"misaligned", "wrong-language", "untranslated", "truncated", "empty", "duplicate", "near-duplicate",
              "number", "mojibake (unrepairable)"}
ROWS = ("misaligned", "wrong-language", "untranslated", "truncated", "empty", "duplicate", "near-duplicate",
        "number", "mojibake (unrepairable)", "markup", "mojibake (repairable)")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path: Path, items: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for x in items:
            f.write(json.dumps(x, ensure_ascii=False) + "\n")


def make_corpus(work: Path, pair: str, seed: int = 14) -> int:
    """Write PAIR.jsonl and PAIR.truth.jsonl (make_noisy.py's data for this seed); the record count."""
    recs, truth = make_noisy.make_pair(pair, make_noisy.random.Random(f"{seed}-{pair}"), 0.30)
    write_jsonl(work / f"{pair}.jsonl", recs)
    write_jsonl(work / f"{pair}.truth.jsonl", truth)
    return len(recs)


def row_of(truth: dict) -> str:
    kind = truth["noise"]
    if kind == "mojibake":
        return "mojibake (repairable)" if truth["repairable"] else "mojibake (unrepairable)"
    return kind


def squash(text: str) -> str:
    return "".join(text.split())


def judge(truth: dict, kept: dict | None) -> bool:
    """Whether a record's outcome is right: ``kept`` is the output record, or None when rejected."""
    row = row_of(truth)
    if row == "clean":
        return kept is not None
    if row in REJECTABLE:
        return kept is None
    if kept is None:
        return False
    return all(squash(kept["sides"].get(tag, {}).get("text", "")) == squash(text)
               for tag, text in truth["expected"].items())


class Outcome:
    """Per-row counts of one tool over the corpora."""

    def __init__(self) -> None:
        self.n: Counter = Counter()
        self.ok: Counter = Counter()
        self.rejected = 0
        self.rejected_noise = 0
        self.pair: dict[str, Counter] = defaultdict(Counter)
        self.by_filter: dict[str, Counter] = defaultdict(Counter)

    def add(self, pair: str, truth: dict, kept: dict | None, reasons: list[str]) -> None:
        row = row_of(truth)
        good = judge(truth, kept)
        self.n[row] += 1
        self.ok[row] += good
        group = "clean" if row == "clean" else "noise"
        self.pair[pair][group] += 1
        self.pair[pair][group + "_ok"] += good
        if kept is None:
            self.rejected += 1
            self.rejected_noise += row in REJECTABLE
            for f in set(reasons):
                self.by_filter[f]["rejects"] += 1
                self.by_filter[f]["noise"] += row in REJECTABLE
                self.by_filter[f][row] += 1

    def noise(self) -> tuple[int, int]:
        n = sum(v for k, v in self.n.items() if k != "clean")
        return sum(v for k, v in self.ok.items() if k != "clean"), n


def lancang_outcome(work: Path, pairs: list[str], res: Outcome) -> dict:
    stats = {}
    for pair in pairs:
        src = work / f"{pair}.jsonl"
        out, rej = work / f"{pair}.lancang.jsonl", work / f"{pair}.lancang-rejects.jsonl"
        wall, cpu, rss, code, log = measure_cpu(LANCANG + ["clean", str(src), str(out), "--rejects", str(rej),
                                                           "--format", "json", "--no-progress"])
        if code != 0:
            raise SystemExit(f"lancang clean failed on {pair} ({code}): {log.decode(errors='replace')[-2000:]}")
        stats[pair] = {"cpu": cpu, "wall": wall}
        kept = {r["id"]: r for r in read_jsonl(out)}
        reasons = {r["id"]: [x["filter"] for x in r.get("meta", {}).get("clean", {}).get("reasons", [])]
                   for r in read_jsonl(rej)}
        for t in read_jsonl(work / f"{pair}.truth.jsonl"):
            if t["id"] not in kept and t["id"] not in reasons:
                raise SystemExit(f"lancang clean lost record {t['id']} of {pair}")
            res.add(pair, t, kept.get(t["id"]), reasons.get(t["id"], []))
    return stats


def tags_of(pair: str) -> tuple[str, str]:
    s, t = pair.split("-")
    return make_noisy.tag(s), make_noisy.tag(t)


def opusfilter_run(bench_python: str, config: Path, inp: Path, pair: str, out: Path) -> dict:
    s, t = tags_of(pair)
    script = ROOT / "benchmarks" / "opusfilter" / "run_opusfilter.py"
    proc = subprocess.run(["nice", "-n", "10", bench_python, str(script), str(config), str(inp), s, t, str(out)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"opusfilter failed on {pair} with {config.name}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def opusfilter_outcome(bench_python: str, name: str, work: Path, pairs: list[str], res: Outcome) -> None:
    for pair in pairs:
        out = work / f"{pair}.opusfilter-{name}.jsonl"
        opusfilter_run(bench_python, ROOT / "benchmarks" / "opusfilter" / f"{name}-{pair}.yaml",
                       work / f"{pair}.jsonl", pair, out)
        recs = {r["id"]: r for r in read_jsonl(work / f"{pair}.jsonl")}
        dec = {d["id"]: d for d in read_jsonl(out)}
        for t in read_jsonl(work / f"{pair}.truth.jsonl"):
            d = dec[t["id"]]
            res.add(pair, t, recs[t["id"]] if d["keep"] else None, d["reasons"])


# ---------------------------------------------------------------------------------------- speed

def per_filter_rates(path: Path, config: dict) -> list[tuple[str, int, float]]:
    """(filter, records, CPU seconds) of each filter of ``config`` in-process, plus reading."""
    from lancang.processing.clean import build_filters

    c0 = time.process_time()
    records = read_jsonl(path)
    n = len(records)
    out = [("read JSONL", n, time.process_time() - c0)]
    filters = build_filters(config)
    repaired = records
    for f in filters:
        if f.repairs:
            c0 = time.process_time()
            repaired = [f.repair(r)[0] for r in repaired]
            out.append((f"{f.name} (repair)", n, time.process_time() - c0))
    for f in filters:
        c0 = time.process_time()
        if f.kind == "corpus":
            f.fit(iter(repaired))
        for i in range(0, n, 1000):
            f.score_batch(repaired[i:i + 1000])
        f.close()
        out.append((f.name + (" (fit + score)" if f.kind == "corpus" else ""), n, time.process_time() - c0))
    return out


def clean_cmd(src: Path, work: Path, adequacy: bool = False) -> list[str]:
    return LANCANG + ["clean", str(src), str(work / "speed-out.jsonl"), "--rejects", str(work / "speed-rej.jsonl"),
                      "--no-progress", "--format", "json"] + ([] if adequacy else ["--set", "adequacy=false"])


def timed_clean(src: Path, work: Path, adequacy: bool = False) -> tuple[float, float, float]:
    """(CPU s, wall s, peak RSS MiB) of ``lancang clean`` on ``src``."""
    wall, cpu, rss, code, log = measure_cpu(["nice", "-n", "10"] + clean_cmd(src, work, adequacy))
    if code != 0:
        raise SystemExit(f"lancang clean failed on {src.name} ({code}): {log.decode(errors='replace')[-2000:]}")
    return cpu, wall, rss


def speed(work: Path, n: int, bench_python: str | None, pairs: list[str], million: bool) -> dict:
    """Rates: the four noisy corpora (the same data for both tools), real pairs (lancang per filter),
    and optionally a million joined records (memory)."""
    one = work / "one.jsonl"
    nat = work / "natural.jsonl"
    n = make_noisy.natural(nat, n, seed=14)
    one.write_text(nat.open(encoding="utf-8").readline(), encoding="utf-8")
    start = timed_clean(one, work)[0]
    res: dict = {"start_cpu": start, "n": n}
    # the same data for both: the noisy corpora together
    same = work / "same.jsonl"
    same_n = 0
    with same.open("w", encoding="utf-8") as f:
        for pair in pairs:
            src = work / f"{pair}.jsonl"
            if not src.exists():
                make_corpus(work, pair)
            text = src.read_text(encoding="utf-8")
            same_n += text.count("\n")
            f.write(text)
    res["same"] = {"n": same_n, "lancang": timed_clean(same, work), "lancang+adequacy": timed_clean(same, work, True)}
    if bench_python:
        for name in ("standard", "tuned"):
            cpu = 0.0
            per: Counter = Counter()
            for pair in pairs:
                info = opusfilter_run(bench_python, ROOT / "benchmarks" / "opusfilter" / f"{name}-{pair}.yaml",
                                      work / f"{pair}.jsonl", pair, work / f"speed-{pair}.{name}.jsonl")
                cpu += info["cpu_seconds"]
                per.update(info["per_filter"])
            res["same"][f"OpusFilter {name}"] = (cpu, None, None)
            res["same"][f"OpusFilter {name} slowest"] = sorted(per.items(), key=lambda kv: -kv[1])[:3]
    # real pairs: the whole command and each filter
    res["natural"] = timed_clean(nat, work)
    res["filters"] = per_filter_rates(nat, {"adequacy": False})
    if million:
        big = work / "million.jsonl"
        make_noisy.throughput(big, 1_000_000, seed=14, pairs=tuple(pairs))
        res["million"] = timed_clean(big, work)
        big.unlink()
    return res


# ---------------------------------------------------------------------------------------- report

QUALITY = """Noisy corpora from `benchmarks/make_noisy.py` (seed 14): {sizes} records (PUD; th-id PUD and
TALPCo), about 30 % noise in ten types of equal share. A noisy record is handled when rejected, except
markup and ftfy-repairable mojibake, which are handled only when the record is kept with its original
text back (white space ignored); a clean record when kept. lancang: default filters (adequacy
included). OpusFilter: `benchmarks/opusfilter/` standard (the set and defaults of `opusfilter-autogen
--method defaults`, langid.py) and tuned (per-script units and thresholds), each with exact duplicate
removal."""
EXTRA = """lancang alone on TALPCo pairs with Vietnamese, Burmese and Malay (the same noise, made the same way;
1,372 sentences each, short ones; no OpusFilter configuration for these): share handled per noise
type."""
SPEED = """Speed, records/s per core = records / CPU seconds (the machine is shared; wall time includes
waiting). lancang's whole `lancang clean` command, its start-up ({start:.2f} s CPU, the same command on
one record) subtracted; OpusFilter's steps after reading, in-process."""



def f3(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else "–"


def report(results: dict[str, Outcome], pairs: list[str], counts: dict, sp: dict | None, args: argparse.Namespace,
           versions: list[str], extra: dict[str, Outcome] | None = None) -> list[str]:
    tools = list(results)
    first = results[tools[0]]
    head = f"{dt.date.today().isoformat()}; {machine()}; Python {platform.python_version()}; {', '.join(versions)}."
    sizes = ", ".join(f"{p} {counts[p]}" for p in pairs)
    lines = ["## Cleaning parallel corpora (issue 14)", "", head, "", para(QUALITY.format(sizes=sizes)), "",
             "| noise | records | " + " | ".join(tools) + " |", "|---|---:|" + "---:|" * len(tools)]
    for row in ROWS:
        cells = " | ".join(f3(results[t].ok[row], first.n[row]) for t in tools)
        lines.append(f"| {row} | {first.n[row]} | {cells} |")
    noise = [results[t].noise() for t in tools]
    lines.append(f"| **all noise handled** | {noise[0][1]} | " + " | ".join(f"**{f3(a, b)}**" for a, b in noise) + " |")
    cells = " | ".join(f"**{f3(results[t].ok['clean'], first.n['clean'])}**" for t in tools)
    lines.append(f"| **clean kept** | {first.n['clean']} | {cells} |")
    lines.append("| precision of rejects | – | " + " | ".join(f3(results[t].rejected_noise, results[t].rejected)
                                                          for t in tools) + " |")
    lines += ["", "Per pair: noise handled / clean kept.", "", "| pair | " + " | ".join(tools) + " |",
              "|---|" + "---:|" * len(tools)]
    for p in pairs:
        cells = []
        for t in tools:
            c = results[t].pair[p]
            cells.append(f"{f3(c['noise_ok'], c['noise'])} / {f3(c['clean_ok'], c['clean'])}")
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    lanc = results.get("lancang")
    if lanc is not None:
        lines += ["", "lancang's rejects by filter (a record rejected by several filters counts for each): how many "
                  "are noise to reject, and the noise types they catch most.", "",
                  "| filter | rejects | precision | clean rejected | most caught |", "|---|---:|---:|---:|---|"]
        for f, c in sorted(lanc.by_filter.items(), key=lambda kv: -kv[1]["rejects"]):
            top = ", ".join(f"{k} {v}" for k, v in Counter({k: v for k, v in c.items() if k in ROWS}).most_common(3))
            lines.append(f"| {f} | {c['rejects']} | {f3(c['noise'], c['rejects'])} | {c['clean']} | {top} |")
    if extra:
        names = list(extra)
        lines += ["", para(EXTRA), "", "| noise | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        for row in ROWS + ("clean",):
            cells = [f3(extra[p].ok[row], extra[p].n[row]) + f" ({extra[p].n[row]})" for p in names]
            lines.append(f"| {'**clean kept**' if row == 'clean' else row} | " + " | ".join(cells) + " |")
        cells = [f3(*extra[p].noise()) for p in names]
        lines.append("| **all noise handled** | " + " | ".join(f"**{c}**" for c in cells) + " |")
    if sp:
        st = sp["start_cpu"]
        same = sp["same"]
        m = same["n"]
        lines += ["", para(SPEED.format(start=st)), "",
                  "| data | run | CPU s | records/s per core |", "|---|---|---:|---:|"]
        for name in ("lancang", "lancang+adequacy", "OpusFilter standard", "OpusFilter tuned"):
            if name not in same:
                continue
            cpu = same[name][0] - (st if name.startswith("lancang") else 0)
            label = {"lancang": "lancang clean, default filters without adequacy",
                     "lancang+adequacy": "lancang clean, default filters with adequacy"}.get(name, name + ", all steps")
            lines.append(f"| the {m:,} noisy records above | {label} | {cpu:.2f} | **{m / cpu:,.0f}** |")
            if name + " slowest" in same:
                slow = ", ".join(f"{k} {v:.2f} s" for k, v in same[name + " slowest"])
                lines.append(f"| | slowest filters: {slow} | | |")
        n = sp["n"]
        cpu, wall, rss = sp["natural"]
        lines.append(f"| {n:,} distinct real pairs of 21 language pairs | lancang clean, default filters without "
                     f"adequacy (peak RSS {rss:.0f} MiB) | {cpu - st:.2f} | **{n / (cpu - st):,.0f}** |")
        for name, k, sec in sp["filters"]:
            lines.append(f"| the same, in-process | {name} | {sec:.2f} | {k / sec if sec else float('inf'):,.0f} |")
        if "million" in sp:
            cpu, wall, rss = sp["million"]
            lines.append(f"| 1,000,000 distinct records of three joined pairs | lancang clean, default filters "
                         f"without adequacy (wall {wall:.0f} s, **peak RSS {rss:.0f} MiB**) | {cpu:.1f} | "
                         f"{1_000_000 / cpu:,.0f} |")
    lines += ["", "Reproduce: set up `/work/bench-venv` as `benchmarks/opusfilter/README.md` says, then "
              f"`python benchmarks/bench_clean.py --speed-records {args.speed_records}"
              + (" --million" if args.million else "") + " --write docs/benchmarks.md`."]
    return lines


def run(args: argparse.Namespace, pairs: list[str], bench_python: str | None, work: Path) -> list[str]:
    # (datasketch is no longer named: lancang's MinHash is its own, vectorised with numpy)
    versions = [lancang_version(), f"ftfy {metadata.version('ftfy')}",
                f"lingua-language-detector {metadata.version('lingua-language-detector')}",
                f"numpy {metadata.version('numpy')}", f"myanmartools {metadata.version('myanmartools')}"]
    results: dict[str, Outcome] = {}
    extra: dict[str, Outcome] = {}
    counts = {}
    if args.only != "speed":
        for pair in pairs:
            counts[pair] = make_corpus(work, pair)
        results["lancang"] = Outcome()
        lancang_outcome(work, pairs, results["lancang"])
        for pair in filter(None, args.extra_pairs.split(",")):
            make_corpus(work, pair)
            extra[pair] = Outcome()
            lancang_outcome(work, [pair], extra[pair])
        if bench_python:
            for name in ("standard", "tuned"):
                results[f"OpusFilter {name}"] = Outcome()
                opusfilter_outcome(bench_python, name, work, pairs, results[f"OpusFilter {name}"])
    if bench_python:
        code = ("from importlib import metadata as m; "
                "print(m.version('opusfilter'), 'with py3langid', m.version('py3langid'))")
        versions.append("opusfilter " + subprocess.run([bench_python, "-c", code], capture_output=True,
                                                       text=True).stdout.strip())
    sp = speed(work, args.speed_records, bench_python, pairs, args.million) \
        if args.speed_records and args.only != "quality" else None
    return report(results, pairs, counts, sp, args, versions, extra) if results else \
        report({"lancang": Outcome()}, pairs, dict.fromkeys(pairs, 0), sp, args, versions)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", default=",".join(make_noisy.PAIRS))
    ap.add_argument("--extra-pairs", default="en-vi,en-my,id-ms",
                    help="TALPCo pairs cleaned by lancang alone (empty: none)")
    ap.add_argument("--speed-records", type=int, default=30_000, help="real pairs for the speed runs (0: none)")
    ap.add_argument("--million", action="store_true", help="also clean 1,000,000 records (peak memory)")
    ap.add_argument("--bench-python", default=os.environ.get("BENCH_PYTHON", "/work/bench-venv/bin/python"),
                    help="python of the environment with opusfilter (skipped when absent)")
    ap.add_argument("--only", choices=["quality", "speed"])
    ap.add_argument("--work", type=Path, help="keep the data and outputs in this folder (default: a temporary one)")
    ap.add_argument("--write", type=Path, help="replace the bench_clean section of this markdown file")
    args = ap.parse_args()
    pairs = args.pairs.split(",")
    bench_python = args.bench_python if args.bench_python and Path(args.bench_python).exists() else None
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        lines = run(args, pairs, bench_python, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-clean-") as tmp:
            lines = run(args, pairs, bench_python, Path(tmp))
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "bench_clean", lines)


if __name__ == "__main__":
    main()
