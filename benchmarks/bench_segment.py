"""Benchmark word segmentation: F1 against gold, speed, pipeline overhead, and the lexicon's gain.

    python benchmarks/bench_segment.py [--limit N] [--repeat 3] [--write docs/benchmarks.md]

For every language with gold segmentation in ../shared/data (UD zh GSDSimp dev, vi VTB dev, th TUD
dev, id GSD dev, tl TRG; the zh/th/id/en sides of PUD, zh in Traditional script going through the
OpenCC path; the TALPCo token files for my, ms, th, vi and id) and every installed segmenter that
serves it:

* F1 (SIGHAN: a word is right iff both boundaries match), precision and recall of lancang's
  ``annotate`` pipeline (``Pipeline.annotate_batch``, layer ``tokens``, batches of 64 records);
* characters per second through that pipeline, and through the same backend called directly on the
  same texts (its plain Python call, e.g. ``jieba.Tokenizer().tokenize``), and the pipeline's
  overhead over the direct call (target: at most 15%); best of ``--repeat`` runs;
* end to end (``lancang annotate`` as a library call: read JSONL, annotate, write JSONL) chars/s;
* sentence splitting: F1 of each language's default splitter (and the rule-based ``punct``) on PUD
  paragraphs made of 5 consecutive gold sentences (joined by a space, nothing for zh);
* the gain from ``lancang train lexicon``: th (TUD train -> TUD dev), vi (VTB train -> VTB dev) and zh
  (one half of GSDSimp dev -> the other half, both ways).

``--limit`` keeps the first N sentences of each data set (smoke runs). The table goes between the
``bench_segment`` markers of the file given to ``--write``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
DATA = ROOT.parent / "shared" / "data"

from _report import write_block  # noqa: E402

from lancang.annotators import default_for, spec  # noqa: E402
from lancang.annotators.gold import read_corpus  # noqa: E402
from lancang.annotators.lexicon import Lexicon  # noqa: E402
from lancang.annotators.pipeline import Pipeline, PipelineConfig, annotate_file  # noqa: E402
from lancang.corpora.jsonl import write_records  # noqa: E402
from lancang.quality.accuracy import Score, score_spans  # noqa: E402

UD = [
    ("zh GSDSimp dev", "ud/zh_gsdsimp/zh_gsdsimp-ud-dev.conllu", "zh-Hans"),
    ("zh-Hant PUD (OpenCC)", "parallel/pud/zh_pud.conllu", "zh-Hant"),
    ("th TUD dev", "ud/th_tud/th_tud-ud-dev.conllu", "th"),
    ("th PUD", "parallel/pud/th_pud.conllu", "th"),
    ("vi VTB dev", "ud/vi_vtb/vi_vtb-ud-dev.conllu", "vi"),
    ("id GSD dev", "ud/id_gsd/id_gsd-ud-dev.conllu", "id"),
    ("id PUD", "parallel/pud/id_pud.conllu", "id"),
    ("tl TRG", "ud/tl_trg/tl_trg-ud-test.conllu", "tl"),
    ("en PUD", "parallel/pud/en_pud.conllu", "en"),
]
TALPCO = [("my TALPCo", "myn", "my"), ("ms TALPCo", "zsm", "ms"), ("th TALPCo", "tha", "th"),
          ("vi TALPCo", "vie", "vi"), ("id TALPCo", "ind", "id")]
BACKENDS = {
    "zh": [("jieba", {}), ("jieba", {"hmm": False})],
    "th": [("newmm", {}), ("nlpo3", {})],
    "vi": [("pyvi", {}), ("underthesea", {})],
    "id": [("spacy", {})], "ms": [("spacy", {})], "fil": [("spacy", {})], "en": [("spacy", {})],
    "my": [("burmesenlp", {})],
}


# ------------------------------------------------------------------------------------- data

def ud_records(path: Path, tag: str, limit: int | None) -> list[dict[str, Any]]:
    out = []
    for r in read_corpus(path, lang=tag):
        out.append(r)
        if limit and len(out) >= limit:
            break
    return out


def talpco_records(code: str, tag: str, limit: int | None) -> tuple[list[dict[str, Any]], int]:
    """TALPCo sentences with their token files; sentences whose tokens are not in the text are skipped."""
    import unicodedata

    base = DATA / "parallel" / "talpco"
    texts = {}
    for line in (base / f"{code}_data_{code}.txt").read_text(encoding="utf-8").splitlines():
        rid, _, text = line.partition("\t")
        texts[rid.strip()] = unicodedata.normalize("NFC", text.strip())
    out, skipped, cur, toks = [], 0, None, []
    for line in (base / f"{code}_data_{code}-token.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if cur is None:
            cur, toks = line, []
        elif line == "<EOS>":
            rec = _locate(cur, texts.get(cur), [unicodedata.normalize("NFC", t) for t in toks], tag)
            if rec:
                out.append(rec)
            else:
                skipped += 1
            cur = None
            if limit and len(out) >= limit:
                break
        elif line:
            toks.append(line)
    return out, skipped


def _locate(rid: str, text: str | None, toks: list[str], tag: str) -> dict[str, Any] | None:
    if not text:
        return None
    spans, pos = [], 0
    for t in toks:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not text.startswith(t, pos):
            return None
        spans.append([pos, pos + len(t)])
        pos += len(t)
    if text[pos:].strip():
        return None
    return {"id": rid, "sides": {tag: {"text": text, "layers": {"tokens": {"spans": spans}}}}}


def texts_only(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": r["id"], "sides": {k: {"text": s["text"]} for k, s in r["sides"].items()}} for r in records]


# ----------------------------------------------------------------------------------- direct calls

def direct_call(name: str, config: dict[str, Any], tag: str) -> Callable[[list[str]], Any]:
    """The backend's own Python call on a batch of texts (what a user would write without lancang)."""
    if name == "jieba":
        import jieba
        import opencc

        tk = jieba.Tokenizer()
        tk.initialize()
        hmm = config.get("hmm", True)
        if tag == "zh-Hant":
            cc = opencc.OpenCC("t2s")
            return lambda texts: [list(tk.tokenize(cc.convert(t), HMM=hmm)) for t in texts]
        return lambda texts: [list(tk.tokenize(t, HMM=hmm)) for t in texts]
    if name == "newmm":
        from pythainlp.tokenize import word_tokenize

        return lambda texts: [word_tokenize(t, engine="newmm") for t in texts]
    if name == "nlpo3":
        import nlpo3
        from pythainlp.corpus import corpus_path

        nlpo3.load_dict(os.path.join(corpus_path(), "words_th.txt"), "bench-th")
        return lambda texts: [nlpo3.segment(t, "bench-th") for t in texts]
    if name == "pyvi":
        from pyvi import ViTokenizer

        return lambda texts: [ViTokenizer.tokenize(t) for t in texts]
    if name == "underthesea":
        from underthesea import word_tokenize

        return lambda texts: [word_tokenize(t, use_token_normalize=False) for t in texts]
    if name == "spacy":
        import spacy

        nlp = spacy.blank({"fil": "tl"}.get(tag, tag))
        return lambda texts: [[t.text for t in d] for d in nlp.pipe(texts, batch_size=256)]
    if name == "burmesenlp":
        from burmesenlp import BurmeseNLP

        bn = BurmeseNLP(gazetteer=False)
        return lambda texts: [bn.word_tokens(t) for t in texts]
    raise KeyError(name)


def best_time(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def batches(items: list[Any], n: int = 64) -> Iterator[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


# ------------------------------------------------------------------------------------- measures

def measure(label: str, gold: list[dict[str, Any]], tag: str, name: str, config: dict[str, Any],
            repeat: int) -> dict[str, Any]:
    from lancang.corpora.langs import language

    lang = language(tag)
    cfg = PipelineConfig(layers=("tokens",), use={lang: (name,)}, config={name: config} if config else {})
    pipe = Pipeline.build(cfg)
    plain = texts_only(gold)
    chars = sum(len(s["text"]) for r in plain for s in r["sides"].values())
    out: list[dict[str, Any]] = []
    copies = [copy.deepcopy(plain) for _ in range(repeat + 1)]  # fresh records per run, made outside the timing

    def run_pipeline() -> None:
        out.clear()
        for b in batches(copies.pop()):
            pipe.annotate_batch(b)
            out.extend(b)

    texts = [r["sides"][tag]["text"] for r in plain]
    direct = direct_call(name, config, tag)
    for b in batches(texts):  # warm up both on the same texts (spaCy's vocabulary, jieba's caches)
        direct(b)
    run_pipeline()
    t_pipe = best_time(run_pipeline, repeat)
    t_direct = best_time(lambda: [direct(b) for b in batches(texts)], repeat)
    score = Score()
    for p, g in zip(out, gold):
        gs, ps = g["sides"][tag], p["sides"][tag]
        score.add(score_spans(ps["layers"]["tokens"]["spans"], gs["layers"]["tokens"]["spans"]))
    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d) / "in.jsonl", Path(d) / "out.jsonl"
        write_records(src, plain)
        t_e2e = best_time(lambda: annotate_file(src, dst, pipe), repeat)
    shown = name + ("" if not config else " " + ",".join(f"{k}={v}" for k, v in config.items()))
    return {"data": label, "backend": shown, "version": spec(name).backend_version(), "sentences": len(gold),
            "words": score.gold, "chars": chars, "p": score.precision, "r": score.recall, "f1": score.f1,
            "cps_pipe": chars / t_pipe, "cps_direct": chars / t_direct, "overhead": t_pipe / t_direct - 1,
            "cps_e2e": chars / t_e2e}


def paragraphs(gold: list[dict[str, Any]], tag: str, size: int = 5) -> list[dict[str, Any]]:
    """Join consecutive gold sentences into paragraphs with sentence spans (zh: no space between)."""
    sep = "" if tag.startswith("zh") else " "
    out = []
    for k in range(0, len(gold), size):
        text, spans = "", []
        for r in gold[k:k + size]:
            t = r["sides"][tag]["text"]
            if text:
                text += sep
            spans.append([len(text), len(text) + len(t)])
            text += t
        out.append({"id": f"p{k}", "sides": {tag: {"text": text, "layers": {"sentences": {"spans": spans}}}}})
    return out


def sentence_scores(label: str, paras: list[dict[str, Any]], tag: str, names: list[str]) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        if not spec(name).installed:
            continue
        ann = spec(name).build({})
        sc = Score()
        for b in batches(paras):
            texts = [r["sides"][tag]["text"] for r in b]
            for r, spans in zip(b, ann.run("sentences", texts, tag)):
                sc.add(score_spans(spans, r["sides"][tag]["layers"]["sentences"]["spans"]))
        rows.append({"data": label, "splitter": name, "paragraphs": len(paras), "sentences": sc.gold,
                     "p": sc.precision, "r": sc.recall, "f1": sc.f1})
    return rows


def lexicon_gain(name: str, tag: str, train: list[dict[str, Any]], dev: list[dict[str, Any]],
                 label: str) -> dict[str, Any]:
    lex = Lexicon.train((s["text"], [tuple(x) for x in s["layers"]["tokens"]["spans"]])
                        for r in train for s in r["sides"].values())
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.lex"
        with p.open("w", encoding="utf-8") as f:
            lex.write(f)
        anns = spec(name).build({}), spec(name).build({"lexicon": str(p)})
        scores = Score(), Score()
        for b in batches(dev):
            texts = [r["sides"][tag]["text"] for r in b]
            for sc, ann in zip(scores, anns):
                for r, spans in zip(b, ann.run("tokens", texts, tag)):
                    sc.add(score_spans(spans, r["sides"][tag]["layers"]["tokens"]["spans"]))
    return {"what": label, "backend": name, "train_words": int(lex.meta["words"]), "dev_words": scores[0].gold,
            "f1_without": scores[0].f1, "f1_with": scores[1].f1, "joins": len(lex.joins()),
            "splits": len(lex.split_forms)}


# --------------------------------------------------------------------------------------- report

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def versions() -> str:
    out = []
    for d in ("lancang", "jieba", "opencc", "pythainlp", "nlpo3", "pyvi", "underthesea", "spacy", "burmesenlp"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out.append(f"{d} {metadata.version(d)}")
    return ", ".join(out)


def section(rows: list[dict[str, Any]], gains: list[dict[str, Any]], sents: list[dict[str, Any]],
            args: argparse.Namespace) -> str:
    lines = ["<!-- bench_segment:start -->", "## Word segmentation (`lancang annotate --layers tokens`)", "",
             f"Measured {dt.date.today().isoformat()} by `python benchmarks/bench_segment.py"
             + (f" --limit {args.limit}" if args.limit else "") + f" --repeat {args.repeat}` on {machine()}; "
             f"{versions()}.", "",
             "F1 as in the SIGHAN bakeoff (a word is right iff both its boundaries match the gold). Speeds are "
             "characters per second on one core, best of the repeats: *pipeline* is `Pipeline.annotate_batch` "
             "(batches of 64 records: choosing the annotator, mapping output to exact offsets, provenance); "
             "*direct* is the backend's own call on the same texts; *overhead* = pipeline time / direct time - 1 "
             "(target at most 15%); *end to end* adds reading and writing JSONL.", "",
             "| data | backend | sentences | gold words | P | R | F1 | chars/s pipeline | chars/s direct "
             "| overhead | chars/s end to end |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['data']} | {r['backend']} {r['version']} | {r['sentences']:,} | {r['words']:,} "
                     f"| {r['p']:.4f} | {r['r']:.4f} | **{r['f1']:.4f}** | {r['cps_pipe']:,.0f} "
                     f"| {r['cps_direct']:,.0f} "
                     f"| {100 * r['overhead']:+.1f}% | {r['cps_e2e']:,.0f} |")
    lines += ["", "Sentence splitting on PUD paragraphs of 5 consecutive gold sentences (a sentence is right iff "
              "both its ends match):", "",
              "| data | splitter | paragraphs | gold sentences | P | R | F1 |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in sents:
        lines.append(f"| {r['data']} | {r['splitter']} | {r['paragraphs']:,} | {r['sentences']:,} | {r['p']:.4f} "
                     f"| {r['r']:.4f} | **{r['f1']:.4f}** |")
    lines += ["", "Gain from `lancang train lexicon` (lexicon from the training side, F1 on the held-out side, "
              "same segmenter and settings otherwise):", "",
              "| held out | segmenter | training words | held-out words | joins | split forms "
              "| F1 without | F1 with | gain |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for g in gains:
        lines.append(f"| {g['what']} | {g['backend']} | {g['train_words']:,} | {g['dev_words']:,} | {g['joins']:,} "
                     f"| {g['splits']:,} | {g['f1_without']:.4f} | {g['f1_with']:.4f} "
                     f"| {g['f1_with'] - g['f1_without']:+.4f} |")
    lines += ["", "<!-- bench_segment:end -->"]
    return "\n".join(lines)


def write_section(path: Path, block: str) -> None:
    write_block(path, "bench_segment", block)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, help="first N sentences of each data set (smoke runs)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", type=Path, help="markdown file to update (e.g. docs/benchmarks.md)")
    ap.add_argument("--only", help="comma-separated language prefixes to run (e.g. zh,th)")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    from lancang.corpora.langs import language

    sets = [(label, ud_records(DATA / rel, tag, args.limit), tag) for label, rel, tag in UD
            if (DATA / rel).exists() and (not only or language(tag) in only or tag in only)]
    for label, code, tag in TALPCO:
        if (DATA / "parallel" / "talpco").exists() and (not only or tag in only):
            recs, skipped = talpco_records(code, tag, args.limit)
            sets.append((label + (f" ({skipped} not aligned, left out)" if skipped else ""), recs, tag))
    rows = []
    for label, gold, tag in sets:
        for name, config in BACKENDS.get(language(tag), []):
            if not spec(name).installed:
                print(f"skip {name}: {spec(name).install_hint}", file=sys.stderr)
                continue
            row = measure(label, gold, tag, name, config, args.repeat)
            rows.append(row)
            print(f"{label:<28} {row['backend']:<16} F1 {row['f1']:.4f}  {row['cps_pipe']:>10,.0f} c/s  "
                  f"direct {row['cps_direct']:>10,.0f}  overhead {100 * row['overhead']:+.1f}%  "
                  f"e2e {row['cps_e2e']:>10,.0f}", flush=True)
    gains = []
    lim = args.limit

    def gold_of(rel: str, tag: str) -> list[dict[str, Any]]:
        return ud_records(DATA / rel, tag, lim)

    plan = [("th TUD dev <- TUD train", "th", "ud/th_tud/th_tud-ud-train.conllu", "ud/th_tud/th_tud-ud-dev.conllu",
             ["newmm", "nlpo3"]),
            ("vi VTB dev <- VTB train", "vi", "ud/vi_vtb/vi_vtb-ud-train.conllu", "ud/vi_vtb/vi_vtb-ud-dev.conllu",
             ["pyvi", "underthesea"])]
    for what, tag, tr, dv, names in plan:
        if (not only or tag in only) and (DATA / tr).exists():
            train, dev = gold_of(tr, tag), gold_of(dv, tag)
            gains += [lexicon_gain(n, tag, train, dev, what) for n in names if spec(n).installed]
    zh = DATA / "ud/zh_gsdsimp/zh_gsdsimp-ud-dev.conllu"
    if (not only or "zh" in only) and zh.exists():
        recs = ud_records(zh, "zh-Hans", lim)
        a, b = recs[::2], recs[1::2]
        gains.append(lexicon_gain("jieba", "zh-Hans", a, b, "zh GSDSimp dev odd <- even sentences"))
        gains.append(lexicon_gain("jieba", "zh-Hans", b, a, "zh GSDSimp dev even <- odd sentences"))
    for g in gains:
        print(f"{g['what']:<40} {g['backend']:<12} F1 {g['f1_without']:.4f} -> {g['f1_with']:.4f} "
              f"({g['f1_with'] - g['f1_without']:+.4f})", flush=True)
    sents = []
    for label, rel, tag in UD:
        if "PUD" in label and (DATA / rel).exists() and (not only or language(tag) in only):
            default = default_for("sentences", language(tag))
            names = [default] + (["punct"] if default != "punct" else [])
            sents += sentence_scores(label.replace(" (OpenCC)", ""), paragraphs(ud_records(DATA / rel, tag, lim), tag),
                                     tag, names)
    for r in sents:
        print(f"sentences {r['data']:<20} {r['splitter']:<12} F1 {r['f1']:.4f}", flush=True)
    block = section(rows, gains, sents, args)
    if args.write:
        write_section(args.write, block)
        print(f"wrote {args.write}", file=sys.stderr)


if __name__ == "__main__":
    main()
