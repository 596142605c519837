"""check_record's CPU cost before and after a change to lancang/corpora/invariants.py (issue 19 follow-up:
the layer-shape walk).

Builds bench40k.jsonl in the temporary folder once: real records from ../shared/data read through lancang's readers
(UD dev sets with tokens/pos/lemma/feats/head/deprel, Indonesian NER with entities, PUD zh-th-en pairs with
tokens), cycled with fresh ids to 40,000 records. Then times check_record over all of them, in one process,
the old module (git show REV:lancang/corpora/invariants.py) and the new one interleaved, CPU time
(time.process_time), 9 rounds each, the order swapped
each round; prints the medians and the ratio.
usage: python benchmarks/bench_check_record.py OLD_REV
"""
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
OUT = Path(tempfile.gettempdir()) / "lancang-bench-check-record" / "bench40k.jsonl"
N = 40_000


def build() -> None:
    from lancang.corpora.formats import read_corpus
    sys.path.insert(0, str(REPO))
    from tests.store.helpers import pud_pairs

    recs = []
    for path, lang in [(DATA / "ud/zh_gsdsimp", "zh-Hans"), (DATA / "ud/id_gsd", "id"), (DATA / "ud/vi_vtb", "vi"),
                       (DATA / "ud/th_tud", "th"), (DATA / "ud/tl_trg", "fil")]:
        for f in sorted(path.glob("*.conllu")):
            recs.extend(read_corpus(f, "conllu", [lang]))
    recs.extend(islice(read_corpus(DATA / "ner/id_nergrit/train_preprocess.txt", "conll", ["id"]), 5000))
    pairs = pud_pairs(OUT.parent / "pud.jsonl")
    recs.extend(orjson.loads(line) for line in pairs.read_bytes().splitlines())
    with OUT.open("wb") as f:
        for i, r in enumerate(islice(cycle(recs), N)):
            f.write(orjson.dumps({**r, "id": f"b{i}"}) + b"\n")
    print(f"{OUT}: {N} records from {len(recs)} distinct", file=sys.stderr)


def load(name: str, source: str):
    path = OUT.parent / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"lancang.corpora.{name}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def main(old_rev: str) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    if not OUT.exists():
        build()
    recs = [orjson.loads(line) for line in OUT.read_bytes().splitlines()]
    old = load("_inv_old", subprocess.run(["git", "-C", str(REPO), "show", f"{old_rev}:lancang/corpora/invariants.py"],
                                          capture_output=True, text=True, check=True).stdout)
    from lancang.corpora import invariants as new

    assert all(old.check_record(r) == new.check_record(r) for r in recs)
    issues = sum(bool(new.check_record(r)) for r in recs)
    bench(recs, old, new, f"well-formed (with an issue: {issues:,})")
    # one record in 100 with a token offset written as a string: the invariants raise, the walk runs
    bad = 0
    for r in recs[::100]:
        for side in r["sides"].values():
            spans = (side.get("layers") or {}).get("tokens", {}).get("spans")
            if spans:
                spans[-1] = [spans[-1][0], str(spans[-1][1])]
                bad += 1
                break
    bench(recs, old, new, f"{bad:,} records (1 in 100) with a string offset")


def bench(recs, old, new, what: str) -> None:
    times = {"old": [], "new": []}
    for k in range(9):  # interleaved, the order swapped each round
        for name, mod in ((("old", old), ("new", new)) if k % 2 else (("new", new), ("old", old))):
            f = mod.check_record
            t = time.process_time()
            for r in recs:
                f(r)
            times[name].append(time.process_time() - t)
    o, n = statistics.median(times["old"]), statistics.median(times["new"])
    print(f"{what}: {len(recs):,} records; old median {o:.3f} s CPU ({len(recs) / o:,.0f} rec/s), "
          f"new median {n:.3f} s CPU ({len(recs) / n:,.0f} rec/s); new/old {n / o:.3f}")
    print("  old", [round(x, 3) for x in times["old"]], "new", [round(x, 3) for x in times["new"]])


if __name__ == "__main__":
    main(sys.argv[1])
