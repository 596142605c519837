"""Benchmark the CRF NER backend (`lancang train ner --backend crf`, the `crf-ner` annotator) on real data.

    python benchmarks/bench_ner.py [--write docs/benchmarks.md] [--sets weibo,idner2k,nergrit,thainer]
                                   [--max-iterations 150]

For each set under ../shared/data/ner, `lancang train ner TRAIN --backend crf --dev DEV` runs as a child
(nice 10), which trains every feature set with the first (c1, c2), then the rest of the c1/c2 grid
with the best set, and keeps the best by dev exact micro F1 (lancang's scorer). The test splits are
held back: every figure is on the dev/validation split. The chosen model then annotates the dev texts
in this process through the annotate pipeline (`crf-ner`; loading excluded) for the annotation rate.

ThaiNER 1.5's val.txt lines all occur in its train.txt (510 of 510), so a dev score on it measures
memory. Its row trains on train.txt without the lines of val.txt (the "disjoint" split); the
spaCy figure of the earlier section was measured on the overlapping split.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import lancang_version, measure_cpu, para, replace_section  # noqa: E402
from bench_segment import machine  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "ner"
LANCANG = str(Path(sys.executable).parent / "lancang")

#: name -> (title, lang, train, dev, format, reader options, spaCy dev exact F1 of the earlier section)
SETS: dict[str, tuple[str, str, str, str, str, dict[str, Any], float]] = {
    "weibo": ("Weibo NER (NAM and NOM)", "zh", "zh_weibo/weiboNER_2nd_conll.train", "zh_weibo/weiboNER_2nd_conll.dev",
              "conll", {"seg_suffix": True}, 0.530),
    "idner2k": ("IDNer2k", "id", "id_idner2k/train.txt", "id_idner2k/dev.txt", "conll", {}, 0.783),
    "nergrit": ("NERGrit", "id", "id_nergrit/train_preprocess.txt", "id_nergrit/valid_preprocess.txt", "conll", {},
                0.657),
    "thainer": ("ThaiNER 1.5 (train without the val lines)", "th", "th_thainer15/train.txt", "th_thainer15/val.txt",
                "inline", {}, 0.903),
}
TARGETS = {"weibo": 0.55, "idner2k": 0.82, "nergrit": 0.82, "thainer": 0.88}


def disjoint_train(train: Path, dev: Path, tmp: Path) -> tuple[Path, int]:
    """``train`` without the lines that also occur in ``dev`` (one sentence a line): (file, lines removed)."""
    held = {x.strip() for x in dev.read_text(encoding="utf-8-sig").splitlines() if x.strip()}
    kept, removed = [], 0
    for line in train.read_text(encoding="utf-8-sig").splitlines():
        if line.strip() and line.strip() in held:
            removed += 1
            continue
        kept.append(line)
    out = tmp / f"{train.parent.name}-disjoint.txt"
    out.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return out, removed


def annotate_rate(model: Path, lang: str, dev: Path, fmt: str, options: dict[str, Any]) -> tuple[int, float]:
    """(sentences, sentences/s) of the crf-ner annotate pipeline on the dev texts, loading excluded."""
    from lancang.annotators.ner import GoldStats, gold_sides, read_gold
    from lancang.annotators.pipeline import Pipeline, PipelineConfig

    texts = [t for _, _, t, _ in gold_sides(read_gold(dev, fmt, lang, options), lang, GoldStats())]
    p = Pipeline.build(PipelineConfig(layers=("entities",), use={lang: ("crf-ner",)},
                                      config={"crf-ner": {"model": str(model)}}))
    recs = [{"id": str(k), "sides": {lang: {"text": t}}} for k, t in enumerate(texts)]
    t0 = time.perf_counter()
    for k in range(0, len(recs), 64):
        p.annotate_batch(recs[k:k + 64])
    return len(recs), len(recs) / (time.perf_counter() - t0)


def run_set(name: str, tmp: Path, max_iterations: int) -> dict[str, Any]:
    title, lang, train_rel, dev_rel, fmt, options, spacy_f1 = SETS[name]
    train, dev = DATA / train_rel, DATA / dev_rel
    removed = 0
    if name == "thainer":
        train, removed = disjoint_train(train, dev, tmp)
    out = tmp / f"{name}-crf"
    cmd = ["nice", "-n", "10", LANCANG, "train", "ner", str(train), "--from", fmt, "--src", lang, "-o", str(out),
           "--dev", str(dev), "--backend", "crf", "--max-iterations", str(max_iterations), "--name", name]
    for k, v in options.items():
        cmd += ["-I", f"{k}={json.dumps(v)}"]
    print(" ".join(cmd[3:]), flush=True)
    wall, cpu, rss, code, data = measure_cpu(cmd)
    text = data.decode("utf-8", "replace")
    print(text, flush=True)
    if code != 0:
        raise SystemExit(f"{name}: exit {code}")
    settings = json.loads((out / "lancang-crf.json").read_text(encoding="utf-8"))
    n_dev, rate = annotate_rate(out, lang, dev, fmt, options)
    return {"name": name, "title": title, "lang": lang, "settings": settings, "wall": wall, "cpu": cpu, "rss": rss,
            "dev_sentences": n_dev, "annotate_rate": rate, "removed": removed, "spacy_f1": spacy_f1}


def f3(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def section(rows: list[dict[str, Any]], max_iterations: int) -> list[str]:
    lines = [
        "## Named entities with a CRF (`lancang train ner --backend crf`, `--use LANG=crf-ner`; issue 16)",
        "",
        para(f"""Measured {dt.date.today().isoformat()} by `python benchmarks/bench_ner.py --write docs/benchmarks.md`
        on {machine()} (cores shared with other jobs); {lancang_version()}, python-crfsuite
        {metadata.version('python-crfsuite')}, jieba {metadata.version('jieba')}, pythainlp
        {metadata.version('pythainlp')}. `lancang train ner TRAIN --dev DEV
        --backend crf --max-iterations {max_iterations}` on all training sentences: every feature set with
        c1=0.1 c2=0.05, then three more (c1, c2) with the best set; the best trial on dev is kept. F1 is
        exact-match micro F1 over all labels on the dev/validation split (the test splits are held back), by
        lancang's scorer, the same as `lancang evaluate --layer entities` on the annotated dev texts. Train time
        is the whole command (all trials, gold read and featurised once per feature set) in wall seconds, with
        its CPU seconds; train sent/s = training sentences x trials / CPU seconds; annotate sent/s = the
        `crf-ner` annotate pipeline on the dev texts, one process, model loading excluded. spaCy = the dev F1
        of the spaCy backend in the section above (same splits, except ThaiNER, see below)."""),
        "",
        "| set | lang | train sent. | dev sent. | units | features | c1 | c2 | exact P | exact R | exact F1 | "
        "partial F1 | target | spaCy | train time (CPU) | train sent/s | annotate sent/s |",
        "|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s = r["settings"]
        ex, pa = s["dev"]["exact"], s["dev"]["partial"]
        n_train, trials = s["gold"]["sides"], len(s["trials"])
        units = s["units"] + (f" ({s['segmenter']})" if s["segmenter"] else "")
        met = "yes" if ex["f1"] >= TARGETS[r["name"]] else "no"
        lines.append(
            f"| {r['title']} | {r['lang']} | {n_train:,} | {r['dev_sentences']:,} | {units} | "
            f"{'+'.join(s['features'])} | {s['c1']:g} | {s['c2']:g} | {f3(ex['precision'])} | {f3(ex['recall'])} | "
            f"**{f3(ex['f1'])}** | {f3(pa['f1'])} | {TARGETS[r['name']]:.2f} ({met}) | {f3(r['spacy_f1'])} | "
            f"{r['wall']:.0f} s ({r['cpu']:.0f} s) | {n_train * trials / r['cpu']:,.0f} | {r['annotate_rate']:,.0f} |")
    lines += ["", "Every trial (dev exact F1; seconds of CRFsuite training alone):", "",
              "| set | features | c1 | c2 | iterations | seconds | dev exact F1 |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        for t in r["settings"]["trials"]:
            lines.append(f"| {r['name']} | {'+'.join(t['features'])} | {t['c1']:g} | {t['c2']:g} | {t['iterations']} | "
                         f"{t['seconds']:.1f} | {f3(t['dev_exact_f1'])} |")
    th = next((r for r in rows if r["name"] == "thainer"), None)
    if th:
        lines += ["", para(f"""ThaiNER 1.5: every line of val.txt also occurs in train.txt, so a model trained on
        train.txt is scored on sentences it was trained on (the spaCy figure above, 0.903, was measured that way,
        and so would a CRF be). Here the {th['removed']:,} training lines that occur in val.txt were removed
        first; the figure is on unseen sentences. Weibo's dev shares 42 of its 270 sentences with its train
        split (short repeated messages), IDNer2k 3 of 367, NERGrit none; those splits are used as published.""")]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", type=Path, help="Write the section into this markdown file.")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--max-iterations", type=int, default=150)
    args = ap.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-ner.") as tmp:
        for name in args.sets.split(","):
            rows.append(run_set(name, Path(tmp), args.max_iterations))
    lines = section(rows, args.max_iterations)
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "bench_ner", lines)


if __name__ == "__main__":
    main()
