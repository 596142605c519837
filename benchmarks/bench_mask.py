"""Benchmark personal-data masking (issue 15): lancang mask and Presidio's pattern recognisers on the
evaluation set of make_pii.py.

    python benchmarks/bench_mask.py [--write docs/benchmarks.md] [--per-lang 500] [--speed-copies 10]
                                    [--bench-python /work/bench-venv/bin/python]

The set: ``--per-lang`` real sentences per language (zh-Hans, vi, th, id, ms, en) with one value in
a natural frame, and as many clean ones (half with tempting non-personal numbers); see
make_pii.py. lancang runs as ``lancang mask IN OUT --strategy tag`` (its ``x-pii`` layer gives the
spans; the default detectors, no NER); Presidio runs in its own environment
(benchmarks/presidio/run_presidio.py: predefined pattern recognisers, a blank spaCy engine, phone
regions and the region's country recognisers added).

Scoring. A value is **found** when the detected spans (of any type) cover all its characters: a
value partly covered leaks under redaction and counts as missed. **Recall** per type = found /
values. A detected span is **correct** when it overlaps a value; **precision** per type = correct
/ spans the tool gave that type (its types mapped to ours; a type with no counterpart, e.g. a US
bank number, counts in the total only). **Clean changed** = share of clean sentences with any
detection (what redaction would change). Records/s per core = records / CPU seconds: for lancang
the whole command less its start-up (the same command on one record) on ``--speed-copies`` copies
of the set with ``--strategy redact``, for Presidio its analyse loop in-process (start-up and model
set-up excluded).
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
from collections import Counter
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # rates per core: no BLAS/numba thread pools (their spinning counts as CPU)
sys.path.insert(0, str(ROOT / "benchmarks"))

import lancang  # noqa: E402,F401  (before bench_validate puts the repository first on sys.path)

# isort: split
import make_pii  # noqa: E402
from _report import lancang_version, measure_cpu, para, replace_section  # noqa: E402
from bench_validate import machine  # noqa: E402

LANCANG_TYPES = {"CN_RESIDENT_ID": "cn-id", "TH_NATIONAL_ID": "th-id", "ID_NIK": "id-nik", "MY_NRIC": "my-nric",
                 "SG_NRIC": "sg-nric", "VN_CCCD": "vn-cccd", "PHONE": "phone", "EMAIL": "email",
                 "BANK_CARD": "bank-card", "IP_ADDRESS": "ip", "CN_PLATE": "cn-plate", "PASSPORT": "passport"}
PRESIDIO_TYPES = {"PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "CREDIT_CARD": "bank-card",
                  "IP_ADDRESS": "ip", "SG_NRIC_FIN": "sg-nric", "TH_TNIN": "th-id", "US_PASSPORT": "passport",
                  "PH_PASSPORT": "passport"}
TYPE_ORDER = ("cn-id", "th-id", "id-nik", "my-nric", "sg-nric", "vn-cccd", "phone", "email", "bank-card", "ip",
              "cn-plate", "passport")
LANCANG = [str(Path(sys.executable).parent / "lancang")]


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def lancang_spans(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    out = {}
    for rec in read_jsonl(path):
        spans = []
        for side in rec["sides"].values():
            for it in side.get("layers", {}).get("x-pii", {}).get("items", []):
                spans.append((it["start"], it["end"], LANCANG_TYPES.get(it["type"], it["type"])))
        out[rec["id"]] = spans
    return out


def presidio_spans(path: Path, mapped_only: bool = False) -> dict[str, list[tuple[int, int, str]]]:
    """Presidio's spans with our type names; ``mapped_only`` keeps the types that have a counterpart
    here (its phone, e-mail, card, IP, SG NRIC/FIN, Thai ID and passport recognisers)."""
    return {r["id"]: [(s, e, PRESIDIO_TYPES.get(t, t)) for s, e, t, _ in r["spans"]
                      if not mapped_only or t in PRESIDIO_TYPES] for r in read_jsonl(path)}


def score(truth: list[dict], texts: dict[str, str], pred: dict[str, list[tuple[int, int, str]]]) -> dict:
    values, found = Counter(), Counter()
    preds, correct = Counter(), Counter()
    lang_values, lang_found, lang_clean, lang_changed = Counter(), Counter(), Counter(), Counter()
    for t in truth:
        p = pred.get(t["id"], [])
        text = texts[t["id"]]
        for s, e, kind in t["spans"]:
            values[kind] += 1
            lang_values[t["lang"]] += 1
            covered = set()
            for ps, pe, _ in p:
                covered.update(range(max(s, ps), min(e, pe)))
            if all(i in covered or text[i].isspace() for i in range(s, e)):
                found[kind] += 1
                lang_found[t["lang"]] += 1
        for ps, pe, kind in p:
            preds[kind] += 1
            if any(ps < e and s < pe for s, e, _ in t["spans"]):
                correct[kind] += 1
        if t["clean"]:
            lang_clean[t["lang"]] += 1
            lang_changed[t["lang"]] += bool(p)
    return {"values": values, "found": found, "preds": preds, "correct": correct, "lang_values": lang_values,
            "lang_found": lang_found, "lang_clean": lang_clean, "lang_changed": lang_changed}


SET = """Evaluation set from `benchmarks/make_pii.py` (seed {seed}): {n_rec} records, {per_lang} per
language (zh-Hans, vi, th, id, ms, en) with one checksum-valid value in a natural frame after a real
sentence of ../shared/data, and {clean} clean ones (the same kind of sentences, half followed by
years, dates, prices, scores, quantities, percentages or times). A value is found when the
detections cover all its characters (partly covered leaks under redaction: missed); a detection is
correct when it overlaps a value. lancang: default detectors (no NER), `--strategy tag`. Presidio: its
predefined pattern recognisers with a blank spaCy English engine (its NER model cannot be downloaded
here), phone regions set to the 14 of the issue, and the SG NRIC/FIN, Thai ID and Philippine
recognisers it ships added; every side analysed as `en` (Presidio has no recognisers for zh, th, vi,
id or ms). "Presidio": all its results (default score threshold 0), which cover many values of types
it does not know with low-score guesses of other types (US bank number 0.05, US driver licence 0.01,
PH UMID 0.3) and change clean sentences with dates, US driver licences and phone numbers; "matching
types": only its results of the types compared here (phone, e-mail, credit card, IP, SG NRIC/FIN,
Thai ID, US and PH passport)."""
RATE = """lancang's rate: `lancang mask` (redact, default detectors) on {copies} copies of the set, CPU time
of the whole command less its start-up ({start:.2f} s, the same command on one record; the machine is
shared: wall time includes waiting). Presidio's: its `analyze` loop only, CPU time."""
REPRODUCE = """Reproduce: `python3 -m venv /work/bench-venv && /work/bench-venv/bin/pip install
presidio-analyzer`, then `python benchmarks/bench_mask.py --per-lang {per_lang} --speed-copies {copies}
--write docs/benchmarks.md`."""



def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def run(args: argparse.Namespace, work: Path) -> tuple[list[str], dict]:
    recs, truth = make_pii.make(args.per_lang, args.seed)
    inp = work / "pii.jsonl"
    with inp.open("w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    texts = {r["id"]: next(iter(r["sides"].values()))["text"] for r in recs}
    results: dict[str, dict] = {}
    # lancang, tag strategy: the spans
    out = work / "tagged.jsonl"
    wall, cpu, rss, code, log = measure_cpu(LANCANG + ["mask", str(inp), str(out), "--strategy", "tag",
                                                       "--format", "json", "--no-progress"])
    if code != 0:
        raise SystemExit(f"lancang mask failed ({code}): {log.decode(errors='replace')[-2000:]}")
    results["lancang"] = score(truth, texts, lancang_spans(out))
    # lancang, redact, on copies of the set for the rate
    big = work / "speed.jsonl"
    with big.open("w", encoding="utf-8") as f:
        for k in range(args.speed_copies):
            for r in recs:
                f.write(json.dumps({**r, "id": f"{r['id']}-{k}"}, ensure_ascii=False) + "\n")
    n_big = len(recs) * args.speed_copies
    one = work / "one.jsonl"
    one.write_text(inp.open(encoding="utf-8").readline(), encoding="utf-8")
    redact = lambda src: ["nice", "-n", "10"] + LANCANG + ["mask", str(src), str(work / "redacted.jsonl"),  # noqa: E731
                                                          "--no-progress", "--format", "json"]
    start = measure_cpu(redact(one))[1]
    wall, cpu, rss, code, log = measure_cpu(redact(big))
    if code != 0:
        raise SystemExit(f"lancang mask (redact) failed ({code}): {log.decode(errors='replace')[-2000:]}")
    speed = {"lancang": (n_big, cpu - start, wall, rss)}
    args.start_cpu = start
    versions = [lancang_version(), f"phonenumbers {metadata.version('phonenumbers')}",
                f"python-stdnum {metadata.version('python-stdnum')}"]
    if args.bench_python and Path(args.bench_python).exists():
        pout = work / "presidio.jsonl"
        script = ROOT / "benchmarks" / "presidio" / "run_presidio.py"
        proc = subprocess.run(["nice", "-n", "10", args.bench_python, str(script), str(inp), str(pout)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"presidio failed: {proc.stderr[-2000:]}")
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        results["Presidio"] = score(truth, texts, presidio_spans(pout))
        results["Presidio, matching types"] = score(truth, texts, presidio_spans(pout, mapped_only=True))
        speed["Presidio"] = (info["records"], info["cpu_seconds"], info["seconds"], None)
        versions.append(f"presidio-analyzer {info['version']} (pattern recognisers, blank spaCy en)")
    return table(results, speed, args, versions), results


def table(results: dict, speed: dict, args: argparse.Namespace, versions: list[str]) -> list[str]:
    tools = list(results)
    n_rec = 12 * args.per_lang
    head = f"{dt.date.today().isoformat()}; {machine()}; Python {platform.python_version()}; {', '.join(versions)}."
    lines = ["## Masking personal data (issue 15)", "", head, "",
             para(SET.format(seed=args.seed, n_rec=n_rec, per_lang=args.per_lang, clean=6 * args.per_lang)), "",
             "| type | values | " + " | ".join(f"{t} recall | {t} precision" for t in tools) + " |",
             "|---|---:|" + "---:|---:|" * len(tools)]
    for kind in TYPE_ORDER:
        n = results[tools[0]]["values"][kind]
        row = [kind, str(n)]
        for t in tools:
            r = results[t]
            row += [fmt(ratio(r["found"][kind], n)), fmt(ratio(r["correct"][kind], r["preds"][kind]))]
        lines.append("| " + " | ".join(row) + " |")
    row = ["**all**", str(sum(results[tools[0]]["values"].values()))]
    for t in tools:
        r = results[t]
        row += [fmt(ratio(sum(r["found"].values()), sum(r["values"].values()))),
                fmt(ratio(sum(r["correct"].values()), sum(r["preds"].values())))]
    lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Per language: recall over all values / share of clean sentences changed.", "",
              "| language | " + " | ".join(tools) + " |", "|---|" + "---:|" * len(tools)]
    for lang in make_pii.LANGS:
        row = [make_pii.TAGS.get(lang, lang)]
        for t in tools:
            r = results[t]
            row.append(f"{fmt(ratio(r['lang_found'][lang], r['lang_values'][lang]))} / "
                       f"{fmt(ratio(r['lang_changed'][lang], r['lang_clean'][lang]))}")
        lines.append("| " + " | ".join(row) + " |")
    row = ["**all**"]
    for t in tools:
        r = results[t]
        row.append(f"{fmt(ratio(sum(r['lang_found'].values()), sum(r['lang_values'].values())))} / "
                   f"{fmt(ratio(sum(r['lang_changed'].values()), sum(r['lang_clean'].values())))}")
    lines.append("| " + " | ".join(row) + " |")
    lines += ["", "| tool | records | CPU s | wall s | records/s per core | peak RSS MiB |",
              "|---|---:|---:|---:|---:|---:|"]
    for t, (n, cpu, wall, rss) in speed.items():
        mem = "–" if rss is None else f"{rss:.0f}"
        lines.append(f"| {t} | {n} | {cpu:.2f} | {wall:.2f} | {n / cpu:,.0f} | {mem} |")
    lines += ["", para(RATE.format(copies=args.speed_copies, start=getattr(args, "start_cpu", 0))), "",
              para(REPRODUCE.format(per_lang=args.per_lang, copies=args.speed_copies))]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-lang", type=int, default=500)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--speed-copies", type=int, default=10)
    ap.add_argument("--bench-python", default=os.environ.get("BENCH_PYTHON", "/work/bench-venv/bin/python"),
                    help="python of the environment with presidio-analyzer (skipped when absent)")
    ap.add_argument("--work", type=Path, help="keep the data and outputs in this folder (default: a temporary one)")
    ap.add_argument("--write", type=Path, help="replace the bench_mask section of this markdown file")
    args = ap.parse_args()
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        lines, _ = run(args, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-mask-") as tmp:
            lines, _ = run(args, Path(tmp))
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "bench_mask", lines)


if __name__ == "__main__":
    main()
