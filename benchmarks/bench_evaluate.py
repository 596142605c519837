"""Benchmark `lancang evaluate --layer tokens` on the shared UD gold: records/s, tokens/s, peak memory.

    python benchmarks/bench_evaluate.py [--write docs/benchmarks.md]

Each UD file under ../shared/data/ud is converted once to lancang JSONL (the conllu format), and
`lancang evaluate PRED GOLD` then scores a prediction against it in a subprocess (wall time and the
child's peak RSS via os.wait4). The prediction is the gold file itself with every token of every
tenth sentence split in two (so the score is below 1 and the scoring does real work); the same JSONL
read twice would measure the same thing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import measure, replace_section  # noqa: E402
from bench_validate import machine, versions  # noqa: E402

from lancang.corpora.formats import get_format  # noqa: E402
from lancang.corpora.jsonl import write_records  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ud"


def perturb(rec: dict, i: int) -> dict:
    if i % 10:
        return rec
    rec = orjson.loads(orjson.dumps(rec))
    for side in rec["sides"].values():
        lay = side.get("layers", {})
        spans = []
        for s, e in lay.get("tokens", {}).get("spans", []):
            spans += [[s, s + (e - s) // 2], [s + (e - s) // 2, e]] if e - s > 1 else [[s, e]]
        side["layers"] = {"tokens": {"spans": spans}}
    return rec


def run(pred: Path, gold: Path) -> tuple[float, float, dict]:
    lancang = Path(sys.executable).with_name("lancang")
    wall, rss, code, data = measure([str(lancang), "evaluate", str(pred), str(gold), "--format", "json"])
    if code != 0:
        raise SystemExit(data[-800:])
    return wall, rss, orjson.loads(data)["accuracy"]["tokens"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()
    rows = []
    conllu = get_format("conllu")
    with tempfile.TemporaryDirectory() as tmp:
        for f in sorted(SHARED.glob("*/*.conllu")):
            lang = f.name.split("_")[0]
            gold = Path(tmp) / f"{f.stem}.gold.jsonl"
            pred = Path(tmp) / f"{f.stem}.pred.jsonl"
            recs = list(conllu.read(f, langs=[lang]))
            write_records(gold, ({"id": r["id"],
                                  "sides": {k: {"text": s["text"], "layers": {"tokens": s["layers"]["tokens"]}}
                                            for k, s in r["sides"].items()}} for r in recs))
            gold_recs = (orjson.loads(x) for x in gold.read_bytes().splitlines())
            write_records(pred, (perturb(r, i) for i, r in enumerate(gold_recs)))
            wall, rss, acc = run(pred, gold)
            toks = acc["overall"]["gold"]
            rows.append((f.name, len(recs), toks, wall, rss, acc["overall"]["f1"]))
            print(f"{f.name:<28} {len(recs):>6} records {toks:>8,} tokens {wall:6.2f} s "
                  f"{len(recs) / wall:>8,.0f} rec/s {toks / wall:>9,.0f} tok/s peak {rss:5.1f} MiB "
                  f"F1 {acc['overall']['f1']:.4f}")
    if args.write:
        lines = ["## `lancang evaluate --layer tokens` on the UD gold", "",
                 f"Measured {dt.date.today().isoformat()} by "
                 f"`python benchmarks/bench_evaluate.py --write docs/benchmarks.md` on {machine()}; {versions()}.", "",
                 "Prediction = the gold with every token of every tenth sentence split in two. Whole command in a "
                 "subprocess: start-up (about 0.1 s of each run), reading both JSONL files, joining by id, scoring, "
                 "JSON output. Peak RSS is an upper bound: Linux counts the benchmark parent's memory at the fork in "
                 "the child's high-water mark.", "",
                 "| file | records | gold tokens | seconds | records/s | tokens/s | peak RSS MiB | F1 |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {n} | {r:,} | {t:,} | {w:.2f} | {r / w:,.0f} | {t / w:,.0f} | {m:.1f} | {f1:.4f} |"
                  for n, r, t, w, m, f1 in rows]
        replace_section(args.write, "bench_evaluate", lines)


if __name__ == "__main__":
    main()
