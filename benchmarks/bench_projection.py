"""Benchmark entity projection (`lancang project`): gold word links against the aligner's links.

    python benchmarks/bench_projection.py [--write docs/benchmarks.md] [--quick]

On three word-alignment gold sets under ../shared/data/alignment (ro–en 248, en–fr 447, zh–en 150
sentence pairs, tokens as given; ja–en's English side is lowercased, so it has no capitalised names),
entities are put on the English side and projected to the other side twice with
`lancang.annotators.projection.project_file`: through the GOLD links (sure and possible as
annotated) and through the links that lancang's word aligner (`align_words_file`, gibbs, one
thread, grow-diag-final-and) predicts after training on the gold set's sentences plus the pair's
other parallel text here (as in bench_align). The figure is how far the predicted-link projection
agrees with the gold-link projection (exact and partial span+label F1 on the target side, by
`lancang.quality.accuracy`), i.e. the aligner's share of the projection error: with perfect links
it would be 1.

No English NER model or entity gold on these sentences exists here (spaCy's English models are not
installed; the NER sets under ../shared/data are not word-aligned), so the English entities are
capitalised-token runs (a run starting a sentence counts only if it has two tokens or more; ``I``
never counts), labelled NAME: what is measured is the behaviour of projection on name-like spans,
not NER quality. For the two targets written in Latin script (ro, fr) the same heuristic on the
target side gives a rough reference for the projection itself, so the table also reports F1
against it with gold links and with predicted links (the method's share and the aligner's).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import align_data as data  # noqa: E402
from _report import lancang_version, write_block  # noqa: E402
from bench_validate import machine  # noqa: E402

from lancang.annotators.align.records import align_words_file  # noqa: E402
from lancang.annotators.projection import Settings, project_file  # noqa: E402
from lancang.quality.accuracy import EntityScore, entity_items, match_entities  # noqa: E402
from lancang.quality.alignment import link_scores  # noqa: E402

#: gold set -> (source tag, target tag, which of the two is English)
#: (ja–en is left out: its English side is lowercased, so capitalised runs find no entities there)
SETS = {"roen": ("ro", "en", "ro–en"), "enfr": ("en", "fr", "en–fr"), "zhen": ("zh-Hans", "en", "zh–en")}
LATIN = {"ro", "fr"}
VARIANTS = (("defaults (max gap 1, P links as fallback, min confidence 0.5)", Settings()),
            ("P links always", Settings(possible_links="always")),
            ("max gap 0", Settings(max_gap=0)),
            ("max gap 2, min confidence 0", Settings(max_gap=2, min_confidence=0.0)))


def name_runs(tokens: list[str]) -> list[tuple[int, int]]:
    """Runs [first, last] of capitalised tokens (not ``I``; a sentence-initial run needs two tokens)."""
    out, k = [], 0
    while k < len(tokens):
        if tokens[k][:1].isupper() and tokens[k] != "I":
            e = k
            while e + 1 < len(tokens) and tokens[e + 1][:1].isupper() and tokens[e + 1] != "I":
                e += 1
            if k > 0 or e > k:
                out.append((k, e))
            k = e + 1
        else:
            k += 1
    return out


def side(tokens: list[str], names: bool) -> dict[str, Any]:
    spans, pos = [], 0
    for t in tokens:
        spans.append([pos, pos + len(t)])
        pos += len(t) + 1
    s: dict[str, Any] = {"text": " ".join(tokens), "layers": {"tokens": {"spans": spans}}}
    if names:
        s["layers"]["entities"] = {"items": [{"start": spans[a][0], "end": spans[b][1], "label": "NAME"}
                                             for a, b in name_runs(tokens)],
                                   "provenance": {"method": "auto", "tool": {"name": "capitalised-runs"}}}
    return s


def gold_pairs(key: str) -> list[tuple[list[str], list[str], list[tuple[int, int, str]]]]:
    """The gold set's pairs whose links fit their tokens (``align_data.word_gold`` splits on any white
    space, so the ideographic spaces tokenised in 4 ja–en pairs shift their indices: those are left out)."""
    return [(a, b, links) for a, b, links in data.word_gold(key)
            if all(i < len(a) and j < len(b) for i, j, _ in links)]


def records(key: str, with_gold_links: bool, extra: bool) -> list[dict[str, Any]]:
    s, t, _ = SETS[key]
    out = []
    gold = gold_pairs(key)
    for k, (a, b, links) in enumerate(gold):
        rec: dict[str, Any] = {"id": f"g{k}", "sides": {s: side(a, s == "en"), t: side(b, t == "en")}}
        if with_gold_links:
            rec["links"] = [{"kind": "tokens", "src": s, "tgt": t, "pairs": [list(x) for x in links],
                             "provenance": {"method": "manual", "annotator": "gold"}}]
        out.append(rec)
    if extra:
        for k, (a, b) in enumerate(data.extra_training(key)):
            out.append({"id": f"x{k}", "sides": {s: side(a, s == "en"), t: side(b, t == "en")}})
    return out


def write_jsonl(path: Path, recs: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs))
    return path


def read_gold_ids(path: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for line in path.read_bytes().splitlines():
        r = orjson.loads(line)
        if r["id"].startswith("g"):
            out[r["id"]] = r
    return out


def score(pred: dict[str, dict[str, Any]], ref: dict[str, dict[str, Any]], tag: str) -> dict[str, Any]:
    sc = EntityScore()
    for rid, r in ref.items():
        sc.add_counts(match_entities(entity_items(pred[rid]["sides"][tag]["layers"]["entities"]),
                                     entity_items(r["sides"][tag]["layers"]["entities"])))
    return sc.to_dict()


def caps_reference(recs: dict[str, dict[str, Any]], tag: str) -> dict[str, dict[str, Any]]:
    """The records with the target side's own capitalised runs as its entities."""
    out = {}
    for rid, r in recs.items():
        text = r["sides"][tag]["text"]
        out[rid] = {"sides": {tag: side(text.split(" "), True)}}
    return out


def bench(quick: bool = False) -> list[dict[str, Any]]:
    rows = []
    keys = list(SETS)[:2] if quick else list(SETS)
    with tempfile.TemporaryDirectory(prefix="bench-project-") as tmp:
        d = Path(tmp)
        for key in keys:
            s, t, label = SETS[key]
            src, tgt = (t, s) if t == "en" else (s, t)  # project from the English side
            gold_in = write_jsonl(d / f"{key}.gold.jsonl", records(key, True, False))
            train = records(key, False, True)
            n_train = len(train)
            plain = write_jsonl(d / f"{key}.plain.jsonl", train)
            aligned = d / f"{key}.aligned.jsonl"
            t0 = time.perf_counter()
            align_words_file(plain, aligned, s, t, aligner="gibbs", config={"threads": 1})
            align_secs = time.perf_counter() - t0
            pred_links = read_gold_ids(aligned)
            gold_links = [x for _, _, x in gold_pairs(key)]
            aer = link_scores([[tuple(p[:2]) for p in pred_links[f"g{k}"]["links"][0]["pairs"]]
                               for k in range(len(gold_links))], gold_links)["aer"]
            n_ents = sum(len(r["sides"][src]["layers"]["entities"]["items"]) for r in pred_links.values())
            for name, settings in VARIANTS:
                outs = {}
                t0 = time.perf_counter()
                for which, path in (("gold", gold_in), ("pred", aligned)):
                    o = d / f"{key}.{which}.projected.jsonl"
                    project_file(path, o, src=src, tgt=tgt, settings=settings)
                    outs[which] = read_gold_ids(o)
                proj_secs = time.perf_counter() - t0
                agree = score(outs["pred"], outs["gold"], tgt)
                row = {"set": label, "pairs": len(gold_links), "train": n_train, "direction": f"{src} → {tgt}",
                       "entities": n_ents,
                       "settings": name, "aer": aer, "align_secs": align_secs, "proj_secs": proj_secs,
                       "gold_out": agree["gold"], "pred_out": agree["pred"],
                       "exact": agree["exact"]["f1"], "partial": agree["partial"]["f1"]}
                if tgt in LATIN:
                    ref = caps_reference(outs["gold"], tgt)
                    row["ref_gold"] = score(outs["gold"], ref, tgt)["exact"]["f1"]
                    row["ref_pred"] = score(outs["pred"], ref, tgt)["exact"]["f1"]
                rows.append(row)
                print(f"{label} {name}: AER {f3(aer)}; {n_ents} entities, {agree['gold']} projected with gold "
                      f"links, {agree['pred']} with predicted; agreement exact F1 {f3(row['exact'])}, "
                      f"partial {f3(row['partial'])}"
                      + (f"; vs target capitalised runs: gold links {f3(row['ref_gold'])}, predicted "
                         f"{f3(row['ref_pred'])}" if "ref_gold" in row else ""), flush=True)
    return rows


# ------------------------------------------------------------------------ (b) a model trained on projections

NER = data.DATA / "ner"
THAI_LABELS = {"PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG"}


def talpco_pairs() -> list[dict[str, Any]]:
    """TALPCo id–th as records: each side's text is its tokens (TALPCo's own segmentation) joined by a
    space (id) or nothing (th), with those tokens as its tokens layer."""
    ids, ths = data.talpco_tokens("id"), data.talpco_tokens("th")
    out = []
    for k in sorted(set(ids) & set(ths), key=int):
        out.append({"id": f"talpco-{k}", "sides": {"id": joined(ids[k], " "), "th": joined(ths[k], "")}})
    return out


def joined(tokens: list[str], sep: str) -> dict[str, Any]:
    spans, pos = [], 0
    for t in tokens:
        spans.append([pos, pos + len(t)])
        pos += len(t) + len(sep)
    return {"text": sep.join(tokens), "layers": {"tokens": {"spans": spans}}}


def thai_gold(split: str, path: Path) -> int:
    """ThaiNER 1.5 ``split`` as lancang JSONL with PERSON/LOCATION/ORGANIZATION as PER/LOC/ORG and the
    other 13 labels left out (the Indonesian model knows these three only); returns the records."""
    from lancang.corpora.formats import read_corpus

    n = 0
    with path.open("wb") as f:
        for rec in read_corpus(NER / "th_thainer15" / f"{split}.txt", "inline", ["th"]):
            for side in rec["sides"].values():
                lay = side.setdefault("layers", {}).setdefault("entities", {"items": []})
                lay["items"] = [{**e, "label": THAI_LABELS[e["label"]]} for e in lay["items"]
                                if e["label"] in THAI_LABELS]
            f.write(orjson.dumps(rec) + b"\n")
            n += 1
    return n


def scored(model: Path, gold: Path, out: Path) -> dict[str, Any]:
    from lancang.annotators.pipeline import Pipeline, PipelineConfig, annotate_file
    from lancang.corpora.formats import read_corpus
    from lancang.quality.accuracy import evaluate_entities, join

    def bare() -> Any:
        for rec in read_corpus(gold):
            for side in rec["sides"].values():
                side["layers"].pop("entities", None)
            yield rec

    write_jsonl(out.with_suffix(".in.jsonl"), list(bare()))
    pipe = Pipeline.build(PipelineConfig(layers=("entities",), use={"th": ("spacy-ner",)},
                                         config={"spacy-ner": {"model": str(model)}}))
    annotate_file(out.with_suffix(".in.jsonl"), out, pipe)
    ev = evaluate_entities(join(read_corpus(out), read_corpus(gold), "entities"))
    return ev.overall.to_dict()


def transfer(d: Path, epochs: int = 10) -> dict[str, Any]:
    """Indonesian entities (a model trained on IDNer2k) projected to the Thai side of TALPCo; a Thai
    model trained on them and one trained on as many ThaiNER gold sentences, both scored on ThaiNER's
    validation split (PER, LOC, ORG)."""
    from lancang.annotators.ner import train_model
    from lancang.annotators.pipeline import Pipeline, PipelineConfig, annotate_file

    res: dict[str, Any] = {}
    t0 = time.perf_counter()
    train_model(NER / "id_idner2k" / "train.txt", output=d / "id-ner", lang="id", fmt="conll", epochs=epochs,
                seed=0, force=True)
    res["id_train_secs"] = time.perf_counter() - t0
    pairs = talpco_pairs()
    res["pairs"] = len(pairs)
    write_jsonl(d / "talpco.jsonl", pairs)
    pipe = Pipeline.build(PipelineConfig(layers=("entities",), use={"id": ("spacy-ner",)}, sides=("id",),
                                         config={"spacy-ner": {"model": str(d / "id-ner"), "tokens": "side"}}))
    annotate_file(d / "talpco.jsonl", d / "talpco.ner.jsonl", pipe)
    align_words_file(d / "talpco.ner.jsonl", d / "talpco.aligned.jsonl", "id", "th", aligner="gibbs",
                     config={"threads": 1})
    st = project_file(d / "talpco.aligned.jsonl", d / "talpco.projected.jsonl", src="id", tgt="th")
    res["id_entities"], res["th_entities"], res["dropped"] = st.entities_in, st.entities_out, dict(st.dropped)
    thai_gold("val", d / "th-val.jsonl")
    thai_gold("train", d / "th-train.jsonl")
    t0 = time.perf_counter()
    train_model(d / "talpco.projected.jsonl", output=d / "th-projected", lang="th", epochs=epochs, seed=0, force=True)
    res["proj_train_secs"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    train_model(d / "th-train.jsonl", output=d / "th-gold", lang="th", epochs=epochs, seed=0, limit=len(pairs),
                force=True)
    res["gold_train_secs"] = time.perf_counter() - t0
    res["projected"] = scored(d / "th-projected", d / "th-val.jsonl", d / "pred-projected.jsonl")
    res["gold"] = scored(d / "th-gold", d / "th-val.jsonl", d / "pred-gold.jsonl")
    for k in ("projected", "gold"):
        x = res[k]["exact"]
        print(f"Thai model trained on {k}: exact P {f3(x['precision'])} R {f3(x['recall'])} F1 {f3(x['f1'])}; "
              f"partial F1 {f3(res[k]['partial']['f1'])}", flush=True)
    return res


def f3(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def versions() -> str:
    out = [f"Python {platform.python_version()}", lancang_version()]
    for p in ("numpy", "numba", "OpenCC"):
        try:
            out.append(f"{p} {metadata.version(p)}")
        except metadata.PackageNotFoundError:
            out.append(f"{p} absent")
    return ", ".join(out)


def section(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["## Entity projection (`lancang project`): gold links against predicted links", "",
             f"Measured {dt.date.today().isoformat()} by `python benchmarks/bench_projection.py --write "
             f"docs/benchmarks.md` on {machine()}; {versions()}. One process, the aligner on one thread.", "",
             "Entities: capitalised-token runs on the English side, label NAME (no English NER model or "
             "word-aligned entity gold exists here; see the script's docstring), projected to the other side "
             "through the gold links and through lancang's gibbs links (trained on the gold sentences plus the "
             "pair's other parallel text, as in the alignment benchmark). *Agreement* is exact (and partial) "
             "span+label F1 of the predicted-link projection against the gold-link projection: 1 − F1 is the "
             "share of the projection's error due to the aligner alone. For ro and fr, *vs target caps* scores "
             "each projection against the target side's own capitalised runs (a rough reference for the method "
             "itself, not a gold).", "",
             "| set | direction | entities | settings | AER | projected (gold links) | projected (pred. links) "
             "| agreement exact F1 | agreement partial F1 | vs target caps, gold links | vs target caps, pred. links |",
             "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['set']} | {r['direction']} | {r['entities']:,} | {r['settings']} | {f3(r['aer'])} "
                     f"| {r['gold_out']:,} | {r['pred_out']:,} | {f3(r['exact'])} | {f3(r['partial'])} "
                     f"| {f3(r.get('ref_gold'))} | {f3(r.get('ref_pred'))} |")
    default = [r for r in rows if r["settings"] == VARIANTS[0][0]]
    if default:
        worst, best = min(default, key=lambda r: r["exact"] or 0), max(default, key=lambda r: r["exact"] or 0)
        lines += ["", f"With the defaults, the predicted links reproduce the gold-link projection exactly for "
                  f"{f3(worst['exact'])} ({worst['set']}, AER {f3(worst['aer'])}) to {f3(best['exact'])} "
                  f"({best['set']}, AER {f3(best['aer'])}) of the entities (F1), and overlap it for "
                  f"{min(f3(r['partial']) for r in default)} to {max(f3(r['partial']) for r in default)}: the "
                  "aligner mostly moves span edges (an article, a neighbouring word) rather than losing the "
                  "entity. Following possible links only where a token has no sure link (the default) matters "
                  "most on en–fr, whose gold marks whole phrase blocks possible; `--max-gap 0` costs agreement "
                  "everywhere. The *vs target caps* columns are a heuristic reference and mostly measure "
                  "translation (French lowercases months, titles and nationalities): read them only as a "
                  "comparison between gold and predicted links."]
    return lines


def transfer_section(tr: dict[str, Any] | None) -> list[str]:
    if tr is None:
        return []
    dropped = ", ".join(f"{v} {k}" for k, v in sorted(tr["dropped"].items())) or "none"
    lines = ["", "### A Thai model trained on projected entities", "",
             "IDNer2k's training split trains an Indonesian spaCy model (`train_model`, 10 epochs, seed 0, "
             f"{tr['id_train_secs']:.0f} s); it tags the Indonesian side of TALPCo id–th ({tr['pairs']:,} "
             "sentence pairs, TALPCo's own tokens) and finds "
             f"{tr['id_entities']} entities; lancang's gibbs aligner links the pairs and `project_file` "
             f"(defaults) carries {tr['th_entities']} of them to Thai (dropped: {dropped}). A blank Thai spaCy "
             f"model is trained on those projected sentences ({tr['proj_train_secs']:.0f} s), and another on "
             f"the first {tr['pairs']:,} ThaiNER 1.5 training sentences (their gold, {tr['gold_train_secs']:.0f} "
             "s), both 10 epochs, no dev split. Both are scored on ThaiNER's validation split, PERSON, "
             "LOCATION and ORGANIZATION only (as PER, LOC, ORG; the other 13 ThaiNER labels left out of the "
             "gold, since the Indonesian model knows three).", "",
             "| Thai model trained on | exact P | exact R | exact F1 | partial F1 |", "|---|---:|---:|---:|---:|"]
    for k, name in (("projected", f"TALPCo th, entities projected from id ({tr['pairs']:,} sentences)"),
                    ("gold", f"ThaiNER gold ({tr['pairs']:,} sentences)")):
        x = tr[k]
        lines.append(f"| {name} | {f3(x['exact']['precision'])} | {f3(x['exact']['recall'])} "
                     f"| {f3(x['exact']['f1'])} | {f3(x['partial']['f1'])} |")
    return lines + ["", HAND_CHECK]


#: what a person read in the files ``--keep`` leaves (not recomputed by this script)
HAND_CHECK = (
    "Checked by hand on the run of 2026-12-03 (commit e6c8641, files kept with `--keep`): of the first 50 "
    "projected entities, the Thai span is exactly the counterpart of the Indonesian span for 41 (0.82) and "
    "overlaps it for the other 9: 8 are Thai compounds TALPCo segments in two where the aligner linked only "
    "one part (สมุด|โน้ต for *buku tulis*, โรง|พยาบาล for *rumah sakit*, หน้า|ร้อน for *musim panas*), 1 a source "
    "span holding half of *Selamat pagi* that lands on the one-word Thai greeting; but only "
    "25 of the 50 Indonesian spans are names at all (the IDNer2k model, trained on news, tags sentence-initial "
    "nouns, greetings and *Ya* in TALPCo's conversational sentences, and labels *Tanaka* LOC). The Thai model "
    "trained on the projections learns that noise, on Japanese names in Thai script, and finds almost nothing "
    "in ThaiNER's news: here the source NER and the domain, not the projection, decide the result. The "
    "projection itself is measured by the agreement table above.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", type=Path, help="replace the projection section of this markdown file")
    ap.add_argument("--quick", action="store_true", help="two sets only (a smoke run)")
    ap.add_argument("--no-transfer", action="store_true", help="skip (b): the Thai models (about 3 CPU minutes)")
    ap.add_argument("--keep", type=Path, help="keep (b)'s files (models, projected TALPCo) in this directory")
    args = ap.parse_args()
    rows = bench(args.quick)
    tr = None
    if not args.no_transfer:
        with tempfile.TemporaryDirectory(prefix="bench-transfer-") as tmp:
            d = args.keep or Path(tmp)
            d.mkdir(parents=True, exist_ok=True)
            tr = transfer(d)
    if args.write:
        write_block(args.write, "bench_projection", "\n".join(
            ["<!-- bench_projection:start -->", *section(rows), *transfer_section(tr), "",
             "<!-- bench_projection:end -->"]))


if __name__ == "__main__":
    main()
