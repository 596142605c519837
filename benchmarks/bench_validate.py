"""Benchmark `lancang validate` end to end: records/s on one core and peak memory.

    python benchmarks/bench_validate.py [--records 200000] [--write docs/benchmarks.md]

Generates realistic records (two sides, zh-Hant and en, each a real PUD sentence: about 45 tokens a
record, with sentences, tokens, UPOS, three entities a side, provenance, a bead link and a
word-alignment link; one extra run joins two sentences a side), writes them to a temporary JSONL file,
and runs the installed `lancang validate` on it in a subprocess, measuring wall time and peak RSS
(``resource.getrusage`` of the child). It repeats the run for several corpus sizes to show that
memory does not grow with the input, and times the reference engine (`--engine py`) on a smaller
slice for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lancang.corpora.samples import sample_path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import measure, replace_section  # noqa: E402

PROV = {"method": "auto", "tool": {"name": "bench", "version": "1"}, "time": "2026-11-23T10:00:00Z"}


def pud_sentences() -> list[dict]:
    recs = [orjson.loads(line) for line in sample_path().read_bytes().splitlines()]
    return [r for r in recs if r["id"].startswith("pud-")]


def join(sides: list[dict]) -> dict:
    text, spans, sents, pos = "", [], [], []
    for s in sides:
        if text:
            text += " "
        off = len(text)
        text += s["text"]
        sents.append([off, off + len(s["text"])])
        spans += [[a + off, b + off] for a, b in s["layers"]["tokens"]["spans"]]
        pos += s["layers"]["pos"]["values"]
    return {"text": text, "layers": {
        "sentences": {"spans": sents, "provenance": PROV},
        "tokens": {"spans": spans, "provenance": PROV},
        "pos": {"values": pos, "provenance": PROV},
    }}


def make_record(i: int, pud: list[dict], rnd: random.Random, per_side: int = 1) -> dict:
    picked = rnd.sample(pud, per_side)
    zh = join([p["sides"]["zh-Hant"] for p in picked])
    en = join([p["sides"]["en"] for p in picked])
    for side in (zh, en):
        toks = side["layers"]["tokens"]["spans"]
        picks = sorted(rnd.sample(range(len(toks)), 3))
        side["layers"]["entities"] = {"items": [{"id": f"T{k}", "start": toks[t][0], "end": toks[t][1],
                                                 "label": rnd.choice(["PER", "LOC", "ORG"])}
                                                for k, t in enumerate(picks)], "provenance": PROV}
    nz, ne = len(zh["layers"]["tokens"]["spans"]), len(en["layers"]["tokens"]["spans"])
    pairs = sorted({(k * nz // max(ne, 1), k) for k in range(ne)})
    return {"id": f"bench-{i:07d}", "doc": f"d{i // 20}", "sides": {"zh-Hant": zh, "en": en}, "links": [
        {"kind": "beads", "src": "zh-Hant", "tgt": "en",
         "beads": [{"src": [k], "tgt": [k], "score": 0.9} for k in range(per_side)]},
        {"kind": "tokens", "src": "zh-Hant", "tgt": "en", "pairs": [[x, y, "S"] for x, y in pairs],
         "provenance": PROV}]}


def generate(path: Path, n: int, per_side: int = 1, seed: int = 13) -> tuple[int, float, float]:
    """Write n records; returns total bytes, bytes per record and tokens per record."""
    rnd = random.Random(seed)
    pud = pud_sentences()
    size = tokens = 0
    with open(path, "wb") as f:
        for i in range(n):
            rec = make_record(i, pud, rnd, per_side)
            tokens += sum(len(s["layers"]["tokens"]["spans"]) for s in rec["sides"].values())
            line = orjson.dumps(rec) + b"\n"
            size += len(line)
            f.write(line)
    return size, size / n, tokens / n


def run(path: Path, *extra: str) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) of this one child, and its first output line."""
    lancang = Path(sys.executable).with_name("lancang")
    wall, rss, code, data = measure([str(lancang), "validate", str(path), "--quiet", *extra])
    text = data.decode()
    if code != 0:
        raise SystemExit(f"validate failed ({code}): {text[-1000:]}")
    return wall, rss, text.strip().splitlines()[0]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def versions() -> str:
    pk = ["lancang", "jsonschema-rs", "jsonschema", "orjson"]
    return f"Python {platform.python_version()}; " + ", ".join(f"{p} {metadata.version(p)}" for p in pk)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--py-records", type=int, default=5_000, help="slice timed with the reference engine")
    ap.add_argument("--write", type=Path, help="replace the validate section of this markdown file")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sizes = sorted({max(args.records // 4, 1), max(args.records // 2, 1), args.records})
        plan = [(n, 1, "rs") for n in sizes] + [(args.records // 2, 2, "rs"), (args.py_records, 1, "py")]
        for n, per_side, eng in plan:
            p = Path(tmp) / f"bench-{n}-{per_side}.jsonl"
            total, avg, toks = generate(p, n, per_side)
            wall, rss, summary = run(p, "--engine", eng)
            rows.append((n, per_side, toks, total, avg, eng, wall, rss))
            print(f"{n:>8} records x{per_side} {toks:5.1f} tok/rec {total / 2**20:8.1f} MiB  {eng}: "
                  f"{n / wall:>9,.0f} rec/s  peak {rss:6.1f} MiB  {summary}")
            p.unlink()
    parts = components(min(args.records, 20_000))
    for k, v in parts.items():
        print(f"components: {k:<40} {v:>9,.0f} rec/s")
    if args.write:
        write_section(args.write, rows, parts)


def components(n: int) -> dict[str, float]:
    """In-process rates of each stage on the same records, to show where the time goes."""
    import jsonschema_rs

    from lancang.schemas import load_schema
    from lancang.schemas.validator import check_invariants

    rnd = random.Random(13)
    pud = pud_sentences()
    lines = [orjson.dumps(make_record(i, pud, rnd)) for i in range(n)]
    recs = [orjson.loads(x) for x in lines]
    gc.collect()
    gc.freeze()  # keep the held records out of the collector's way, as in a streaming run
    v = jsonschema_rs.Draft202012Validator(load_schema("record"))
    loads = orjson.loads

    def each(fn, items):  # results are dropped at once, as in a streaming run
        for x in items:
            fn(x)

    out = {}
    for name, fn in [("orjson.loads only", lambda: each(loads, lines)),
                     ("jsonschema-rs is_valid only (parsed)", lambda: each(v.is_valid, recs)),
                     ("invariants only (parsed)", lambda: each(check_invariants, recs)),
                     ("loads + is_valid + invariants", lambda: each(lambda x: v.is_valid(r := loads(x))
                                                                    and check_invariants(r), lines))]:
        t0 = time.perf_counter()
        fn()
        out[name] = n / (time.perf_counter() - t0)
    gc.unfreeze()
    return out


def write_section(path: Path, rows: list[tuple], parts: dict[str, float]) -> None:
    lines = ["## `lancang validate`", "",
             f"Measured {dt.date.today().isoformat()} by "
             f"`python benchmarks/bench_validate.py --write docs/benchmarks.md` on {machine()}; {versions()}.", "",
             "Records: two sides (zh-Hant, en), each one real PUD sentence (about 45 tokens per record; "
             "rows marked 2 join two sentences a side, about 90 tokens) with sentences, tokens, UPOS and three "
             "entities a side, provenance on every layer, a bead link and a word-alignment link with one pair "
             "per English token. One process (one core), end to end: read, parse, schema, invariants, "
             "unique ids. Peak memory is the child's maximum RSS.", "",
             "| records | sentences a side | tokens/record | input MiB | bytes/record | engine | seconds "
             "| records/s | peak RSS MiB |",
             "|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for n, per_side, toks, total, avg, eng, wall, rss in rows:
        lines.append(f"| {n:,} | {per_side} | {toks:.0f} | {total / 2**20:,.1f} | {avg:,.0f} | {eng} | {wall:.2f} "
                     f"| {n / wall:,.0f} | {rss:.1f} |")
    lines += ["", "Where the time goes (in process, same records, one sentence a side):", "",
              "| stage | records/s |", "|---|---:|"]
    lines += [f"| {k} | {v:,.0f} |" for k, v in parts.items()]
    replace_section(path, "bench_validate", lines)


if __name__ == "__main__":
    main()
