"""Benchmark `lancang check` with the GB/T 40035-2021 profile: records/s on one core and peak memory.

    python benchmarks/bench_check.py [--records 1000000] [--write docs/benchmarks.md]
    python benchmarks/bench_check.py --jobs 1,2 --records 200000 [--repeat 2] [--write FILE]

Uses the same generated records as bench_validate.py (two sides of a real PUD sentence, about 45
tokens a record, with layers, provenance and links) plus a manifest, and runs the installed
`lancang check CORPUS --manifest M -p gb-t-40035-2021 --format json` in a subprocess, measuring wall
time and the child's peak RSS. Sizes grow by 4x to show whether memory stays flat.

With ``--jobs``, one corpus of ``--records`` is checked with each ``--jobs N`` in turn (``--repeat`` rounds,
alternating, so a change in the machine's load hits every N alike): wall time, CPU time (user + system of
the command and its pool's workers, which it waits for), the ratio to one process, the load average
before each run, and whether every report equals the one of ``--jobs 1`` (but for its time stamp).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
import random  # noqa: E402

from _report import measure, measure_cpu, replace_section  # noqa: E402
from bench_validate import machine, make_record, pud_sentences, versions  # noqa: E402

MANIFEST = {"manifest": "lancang/manifest/1", "id": "bench", "title": "bench", "languages": ["zh-Hant", "en"],
            "license": "CC-BY-SA-3.0", "sources": [{"name": "UD PUD"}], "collection": {"method": "translation"},
            "created": "2026-11-23", "size": {"records": 0}, "tools": [{"name": "lancang"}],
            "processing": [{"step": s} for s in ("preparation", "cleaning", "deduplication", "desensitisation",
                                                 "alignment", "review")]}


def generate(path: Path, n: int, seed: int = 13) -> tuple[int, float, float]:
    """Like bench_validate.generate, but every text pair is unique (a number ends each text, in the last
    sentence and as its own token), as in a de-duplicated delivery."""
    rnd = random.Random(seed)
    pud = pud_sentences()
    size = tokens = 0
    with open(path, "wb") as f:
        for i in range(n):
            rec = make_record(i, pud, rnd)
            for side in rec["sides"].values():
                start = len(side["text"]) + 1
                side["text"] += f" {i}"
                lay = side["layers"]
                lay["sentences"]["spans"][-1][1] = len(side["text"])
                lay["tokens"]["spans"].append([start, len(side["text"])])
                lay["pos"]["values"].append("NUM")
                tokens += len(lay["tokens"]["spans"])
            line = orjson.dumps(rec) + b"\n"
            size += len(line)
            f.write(line)
    return size, size / n, tokens / n


def run(corpus: Path, manifest: Path) -> tuple[float, float, str]:
    lancang = Path(sys.executable).with_name("lancang")
    wall, rss, code, data = measure([str(lancang), "check", str(corpus), "--manifest", str(manifest), "-p",
                                     "gb-t-40035-2021", "--format", "json"])
    if code not in (0, 1):
        raise SystemExit(f"check failed ({code}): {data[-1000:]!r}")
    return wall, rss, orjson.loads(data)["verdict"]


def run_jobs(corpus: Path, manifest: Path, jobs: int) -> tuple[float, float, float, float, dict]:
    """(wall, CPU, peak RSS of the command, 1-minute load average before, the report) of one `check --jobs`."""
    import os

    lancang = Path(sys.executable).with_name("lancang")
    load = os.getloadavg()[0]
    wall, cpu, rss, code, data = measure_cpu([str(lancang), "check", str(corpus), "--manifest", str(manifest),
                                              "-p", "gb-t-40035-2021", "--format", "json", "--jobs", str(jobs)])
    if code not in (0, 1):
        raise SystemExit(f"check failed ({code}): {data[-1000:]!r}")
    rep = orjson.loads(data)
    rep["signature"].pop("created")
    return wall, cpu, rss, load, rep


def main_jobs(args: argparse.Namespace) -> None:
    jobs = [int(j) for j in args.jobs.split(",")]
    rows: dict[int, list[tuple[float, float, float, float]]] = {j: [] for j in jobs}
    with tempfile.TemporaryDirectory() as tmp:
        m = Path(tmp) / "manifest.json"
        m.write_bytes(orjson.dumps(MANIFEST))
        p = Path(tmp) / "c.jsonl"
        total, _avg, toks = generate(p, args.records)
        first = None
        for _ in range(args.repeat):
            for j in jobs:
                wall, cpu, rss, load, rep = run_jobs(p, m, j)
                if first is None:
                    first = rep
                same = rep == first
                rows[j].append((wall, cpu, rss, load))
                print(f"--jobs {j}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, {args.records / wall:8,.0f} rec/s, "
                      f"peak {rss:6.1f} MiB (parent), load {load:.2f} before, {rep['verdict']}, "
                      f"report {'equal' if same else 'DIFFERS'}", flush=True)
                if not same:
                    raise SystemExit("the report differs from the first run's")
    base = min(w for w, *_ in rows[jobs[0]])
    lines = [f"## `lancang check --jobs` (GB/T 40035-2021 profile, {args.records:,} records)", "",
             f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `python benchmarks/bench_check.py "
             f"--jobs {args.jobs} --records {args.records} --repeat {args.repeat}` on {machine()}; {versions()}.",
             "", f"Records as in the table above ({total / 2**20:,.0f} MiB, {toks:.0f} tokens a record). Runs "
             "alternate between the N (a change of the machine's load hits each alike); CPU is user + system of "
             "the command and its pool's workers; the load average is the 1-minute one just before the run "
             "(the machine is shared). Every report equals the first (but for its time stamp).", "",
             "| --jobs | run | wall s | CPU s | records/s (wall) | speed-up (best wall of --jobs "
             f"{jobs[0]} / wall) | CPU / records (µs) | load before |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for j in jobs:
        for k, (wall, cpu, _rss, load) in enumerate(rows[j]):
            lines.append(f"| {j} | {k + 1} | {wall:.1f} | {cpu:.1f} | {args.records / wall:,.0f} | {base / wall:.2f} "
                         f"| {cpu / args.records * 1e6:.0f} | {load:.2f} |")
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "bench_check_jobs", lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--write", type=Path)
    ap.add_argument("--jobs", help="compare these --jobs values on one corpus (e.g. 1,2)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    if args.jobs:
        main_jobs(args)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        m = Path(tmp) / "manifest.json"
        m.write_bytes(orjson.dumps(MANIFEST))
        for n in sorted({max(args.records // 16, 1), max(args.records // 4, 1), args.records}):
            p = Path(tmp) / f"c{n}.jsonl"
            total, _avg, toks = generate(p, n)
            wall, rss, verdict = run(p, m)
            rows.append((n, total, toks, wall, rss, verdict))
            print(f"{n:>9,} records {total / 2**20:8.1f} MiB  {n / wall:>8,.0f} rec/s  peak {rss:6.1f} MiB  {verdict}")
            p.unlink()
    if args.write:
        lines = ["## `lancang check` (GB/T 40035-2021 profile)", "",
                 f"Measured {dt.date.today().isoformat()} by "
                 f"`python benchmarks/bench_check.py --write docs/benchmarks.md` on {machine()}; {versions()}.", "",
                 "Records as in the validate benchmark (one PUD sentence a side, about 45 tokens). The profile runs "
                 "13 requirements: the text-hygiene rules, bilingual sides, empty segments, duplicate pairs (bounded "
                 "memory), untranslated segments, manifest items and processing steps. One process, end to end, "
                 "JSON report.", "",
                 "| records | input MiB | tokens/record | seconds | records/s | peak RSS MiB |",
                 "|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {n:,} | {t / 2**20:,.1f} | {k:.0f} | {w:.1f} | {n / w:,.0f} | {r:.1f} |"
                  for n, t, k, w, r, _v in rows]
        replace_section(args.write, "bench_check", lines)


if __name__ == "__main__":
    main()
