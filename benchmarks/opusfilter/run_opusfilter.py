"""Run an OpusFilter configuration on a lancang JSONL pair corpus, record by record (the peer of
``lancang clean`` in benchmarks/bench_clean.py). Runs in the benchmark's own environment
(/work/bench-venv, see README.md here), not in lancang's.

    /work/bench-venv/bin/python benchmarks/opusfilter/run_opusfilter.py CONFIG.yaml IN.jsonl SRC TGT OUT.jsonl

CONFIG is an ordinary OpusFilter configuration (``opusfilter CONFIG.yaml`` runs it on line files
named in it); this script takes its ``remove_duplicates`` parameters and its ``filter`` list and
applies them with OpusFilter's own classes (``SegmentHasher``, ``FilterPipeline.from_config``) to
the sides SRC and TGT of each record (a missing side is an empty line, new lines become spaces, as
in line files). OUT gets one line per record: ``{"id", "keep", "reasons": [filter names]}``; a
duplicate's reason is ``remove_duplicates``. Every filter scores every record (so each filter's own
time is measured); a record is kept when no filter rejects it and it is not a duplicate, exactly
what the ``remove_duplicates`` + ``filter`` steps keep. The last line on stdout is JSON timing:
records, wall and CPU seconds in total (after reading) and CPU seconds per filter.
"""

from __future__ import annotations

import json
import sys
import time

import yaml
from opusfilter.pipeline import FilterPipeline
from opusfilter.segment_hash import SegmentHasher


def main(argv: list[str]) -> None:
    config, inp, src, tgt, out = argv
    with open(config, encoding="utf-8") as f:
        steps = yaml.safe_load(f)["steps"]
    dedup = next((s["parameters"] for s in steps if s["type"] == "remove_duplicates"), None)
    filters = next(s["parameters"]["filters"] for s in steps if s["type"] == "filter")
    ids, pairs = [], []
    with open(inp, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            sides = rec["sides"]
            ids.append(rec["id"])
            pairs.append(tuple((sides.get(tag) or {}).get("text", "").replace("\n", " ").replace("\r", " ")
                               for tag in (src, tgt)))
    reasons: list[list[str]] = [[] for _ in pairs]
    timing: dict[str, float] = {}
    t_all, c_all = time.perf_counter(), time.process_time()
    if dedup is not None:
        t0 = time.process_time()
        hasher = SegmentHasher(compare=dedup.get("compare", "all"), method=dedup.get("hash", "xxh64"),
                               letters_only=dedup.get("letters_only", False),
                               letter_words_only=dedup.get("letter_words_only", False),
                               lowercase=dedup.get("lowercase", False), tokenizers=dedup.get("tokenizers"))
        seen: set = set()
        for k, pair in enumerate(pairs):
            key = hasher.apply(pair)
            if key in seen:
                reasons[k].append("remove_duplicates")
            seen.add(key)
        timing["remove_duplicates"] = time.process_time() - t0
    pipeline = FilterPipeline.from_config(filters)
    for spec, filt in zip(filters, pipeline.filters):
        name = next(iter(spec))
        label = name + ("." + spec[name]["name"] if spec[name].get("name") else "")
        t0 = time.process_time()
        for k, score in enumerate(filt.score(pairs)):
            if not filt.accept(score):
                reasons[k].append(label)
        timing[label] = time.process_time() - t0
    total, cpu = time.perf_counter() - t_all, time.process_time() - c_all
    with open(out, "w", encoding="utf-8") as f:
        for i, r in zip(ids, reasons):
            f.write(json.dumps({"id": i, "keep": not r, "reasons": r}, ensure_ascii=False) + "\n")
    print(json.dumps({"records": len(pairs), "seconds": total, "cpu_seconds": cpu, "per_filter": timing}))


if __name__ == "__main__":
    main(sys.argv[1:])
