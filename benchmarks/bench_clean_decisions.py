"""Check that a change to ``lancang clean`` changed no decision: run the cleaning of this tree and of an
earlier commit on the real data of ``../shared/data`` and compare them record by record.

    python benchmarks/bench_clean_decisions.py BEFORE [--after DIR] [--speed-records 30000] [--filters]

BEFORE is a git commit of this repository; its ``lancang/`` is exported (``git archive``) into a
temporary folder and imported from there in a child process, the working tree's in another. The data:
the noisy evaluation corpora of ``make_noisy.py`` (PUD zh-en, zh-th, zh-id, th-id; TALPCo en-vi,
en-my, id-ms; seed 14, as bench_clean.py makes them) and up to ``--speed-records`` distinct real
sentence pairs of the 21 language pairs of PUD and TALPCo (``make_noisy.py --natural``), each cleaned
with the default filters and with the default filters less ``adequacy`` (``clean_file`` in-process).

Per corpus and filter set, the same means: the same set of rejected ids, each rejected by the same
filters, and the kept records' sides identical; whether the corpus filters' learnt state is identical
is reported, not failed (a change may store it another way). Exit 1 when a decision differs. With each
run's CPU seconds (``time.process_time`` of ``clean_file``: the machine may be shared) and, with ``--filters``,
each filter's own CPU seconds on the real pairs, before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import make_noisy  # noqa: E402

EXTRA = ("en-vi", "en-my", "id-ms")

#: run in a child with the tree to test first on sys.path: clean every corpus, write what was decided
CHILD = r'''
import json, os, sys, time
tree, out, specs, filters = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4] == "1"
sys.path.insert(0, tree)
import lancang
assert os.path.realpath(lancang.__file__).startswith(os.path.realpath(tree)), lancang.__file__
from lancang.processing.clean import build_filters, clean_file, _repaired
res = {}
for name, path, config in specs:
    kept_path, rej_path = out + ".kept.jsonl", out + ".rej.jsonl"
    c0 = time.process_time()
    stats = clean_file(path, kept_path, rejects=rej_path, config=config)
    cpu = time.process_time() - c0
    rejects = {}
    with open(rej_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rejects[r["id"]] = sorted({x["filter"] for x in r["meta"]["clean"]["reasons"]})
    with open(kept_path, encoding="utf-8") as f:
        kept = {r["id"]: {t: s["text"] for t, s in r["sides"].items()} for r in map(json.loads, f)}
    res[name] = {"rejects": rejects, "kept": kept, "learnt": stats.learnt, "cpu": cpu, "records": stats.records}
per_filter = {}
if filters:
    path = specs[-1][1]
    with open(path, encoding="utf-8") as f:
        records = [json.loads(x) for x in f]
    every = build_filters({"adequacy": False})
    records = [_repaired(r, every)[0] for r in records]
    for name in [f.name for f in every]:
        f = [x for x in build_filters({"adequacy": False}) if x.name == name][0]
        f.score_batch(records[:1])  # backends loaded (lingua's models), as in any run past its first record
        f.close()
        f = [x for x in build_filters({"adequacy": False}) if x.name == name][0]
        c0 = time.process_time()
        if f.kind == "corpus":
            f.fit(iter(records))
        for i in range(0, len(records), 1000):
            f.score_batch(records[i:i + 1000])
        per_filter[name] = time.process_time() - c0
        f.close()
with open(out, "w", encoding="utf-8") as f:
    json.dump({"runs": res, "filters": per_filter}, f)
'''


def corpora(work: Path, n: int) -> list[tuple[str, str, dict | None]]:
    specs = []
    for pair in (*make_noisy.PAIRS, *EXTRA):
        path = work / f"{pair}.jsonl"
        recs, _truth = make_noisy.make_pair(pair, make_noisy.random.Random(f"14-{pair}"), 0.30)
        make_noisy.write_jsonl(path, recs)
        specs.append((f"{pair} (noisy), default", str(path), None))
        specs.append((f"{pair} (noisy), without adequacy", str(path), {"adequacy": False}))
    nat = work / "natural.jsonl"
    k = make_noisy.natural(nat, n, seed=14)
    specs.append((f"{k:,} real pairs, default", str(nat), None))
    specs.append((f"{k:,} real pairs, without adequacy", str(nat), {"adequacy": False}))
    return specs


def run_tree(tree: Path, work: Path, label: str, specs: list, filters: bool) -> dict:
    out = work / f"{label}.json"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", PYTHONPATH="")
    subprocess.run([sys.executable, "-c", CHILD, str(tree), str(out), json.dumps(specs), "1" if filters else "0"],
                   check=True, env=env)
    return json.loads(out.read_text(encoding="utf-8"))


def compare(before: dict, after: dict) -> tuple[list[str], bool]:
    lines = ["| corpus, filters | records | rejected | same rejects | same kept texts | learnt state | "
             "CPU s before | CPU s after |", "|---|---:|---:|---|---|---|---:|---:|"]
    same_all = True
    for name, b in before["runs"].items():
        a = after["runs"][name]
        same_rej = a["rejects"] == b["rejects"]
        same_kept = a["kept"] == b["kept"]
        same_all &= same_rej and same_kept
        learnt = "same" if a["learnt"] == b["learnt"] else "different"  # reported: a layout may change
        lines.append(f"| {name} | {b['records']:,} | {len(b['rejects']):,} | {'yes' if same_rej else '**NO**'} | "
                     f"{'yes' if same_kept else '**NO**'} | {learnt} | {b['cpu']:.2f} | {a['cpu']:.2f} |")
        if not same_rej:
            diff = sorted(set(a["rejects"].items()) ^ set(b["rejects"].items()), key=str)[:5]
            lines.append(f"| | first differences: {diff} | | | | | | |")
    if before["filters"] and after["filters"]:
        n = list(before["runs"].values())[-1]["records"]
        lines += ["", "| filter, in-process on the real pairs | CPU s before | CPU s after | records/s after |",
                  "|---|---:|---:|---:|"]
        for f, sec in after["filters"].items():
            old = before["filters"].get(f)
            lines.append(f"| {f} | {'–' if old is None else f'{old:.2f}'} | {sec:.2f} | {n / sec:,.0f} |")
    return lines, same_all


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", help="git commit whose lancang/ is the reference")
    ap.add_argument("--after", type=Path, default=ROOT, help="the tree to check (default: this working tree)")
    ap.add_argument("--speed-records", type=int, default=30_000)
    ap.add_argument("--filters", action="store_true", help="also each filter's CPU seconds on the real pairs")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="clean-decisions-") as tmp:
        work = Path(tmp)
        ref = work / "before"
        ref.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "lancang"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(ref)], input=archive, check=True)
        specs = corpora(work, args.speed_records)
        before = run_tree(ref, work, "before", specs, args.filters)
        after = run_tree(args.after.resolve(), work, "after", specs, args.filters)
    lines, same = compare(before, after)
    print("\n".join(lines))
    print("\nevery decision the same" if same else "\nDECISIONS DIFFER")
    raise SystemExit(0 if same else 1)


if __name__ == "__main__":
    main()
