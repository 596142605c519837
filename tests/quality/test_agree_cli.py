"""`lancang agree` on annotations built from real gold data (Weibo NER, UD Chinese GSDSimp, a zh-en word
alignment gold) against seeded perturbations of it, checked against independent computations."""

from __future__ import annotations

import json
import random
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lancang.quality.agreement import agree, cohen_kappa
from lancang.schemas import load_schema
from lancang.schemas.validator import RecordValidator
from tests.conftest import shared, write_jsonl

nltk_agreement = pytest.importorskip("nltk.metrics.agreement")
krippendorff = pytest.importorskip("krippendorff")
np = pytest.importorskip("numpy")

TYPES = ["PER", "LOC", "ORG", "GPE"]


# ------------------------------------------------------------------------------- Weibo NER fixtures

def weibo(limit: int = 300) -> list[tuple[str, list[str], list[int]]]:
    """(text, BIO tags per char, word start flags) of the first `limit` NFC sentences of the dev set."""
    path = shared("ner", "zh_weibo", "weiboNER_2nd_conll.dev")
    out, chars, tags, starts = [], [], [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if chars:
                text = "".join(chars)
                if unicodedata.is_normalized("NFC", text) and not any(c.isspace() for c in text):
                    out.append((text, tags, starts))
                chars, tags, starts = [], [], []
            if len(out) >= limit:
                break
            continue
        tok, tag = line.split("\t")
        chars.append(tok[0])
        tags.append(tag.split(".")[0])  # PER.NAM -> PER (B-/I- kept)
        starts.append(tok[1:] == "0")
    return out


def spans_of(tags: list[str]) -> list[tuple[int, int, str]]:
    out, start, label = [], None, None
    for i, t in enumerate(tags + ["O"]):
        if start is not None and not t.startswith("I-"):
            out.append((start, i, label))
            start = None
        if t.startswith("B-"):
            start, label = i, t[2:]
    return out


def perturb(spans: list[tuple[int, int, str]], n: int, rnd: random.Random) -> list[tuple[int, int, str]]:
    out = []
    for s, e, lab in spans:
        r = rnd.random()
        if r < 0.08:
            continue  # missed
        if r < 0.20:
            lab = rnd.choice([t for t in TYPES if t != lab])  # wrong type
        elif r < 0.28 and e - s > 1:
            e -= 1  # boundary
        out.append((s, e, lab))
    if n > 4 and rnd.random() < 0.15:
        s = rnd.randrange(n - 2)
        if all(e <= s or s + 2 <= b for b, e, _l in out):
            out.append((s, s + 2, rnd.choice(TYPES)))  # spurious
    return sorted(out)


def words(starts: list[bool]) -> list[list[int]]:
    cuts = [i for i, f in enumerate(starts) if f] + [len(starts)]
    if cuts[0] != 0:
        cuts.insert(0, 0)
    return [[a, b] for a, b in zip(cuts, cuts[1:]) if a < b]


def record(rid: str, text: str, spans, tokens, who: str) -> dict[str, Any]:
    prov = {"method": "manual", "annotator": who}
    return {"id": rid, "sides": {"zh-Hans": {"text": text, "layers": {
        "tokens": {"spans": tokens, "provenance": prov},
        "entities": {"items": [{"start": s, "end": e, "label": lab} for s, e, lab in spans], "provenance": prov}}}}}


@pytest.fixture(scope="module")
def ner_files(tmp_path_factory) -> dict[str, Any]:
    """Three annotators: gold, and two seeded perturbations (one also merges some words)."""
    tmp = tmp_path_factory.mktemp("ner")
    rnd = random.Random(20261123)
    sents = weibo()
    ann: dict[str, list[list[tuple[int, int, str]]]] = {"gold": [], "b": [], "c": []}
    toks: dict[str, list[list[list[int]]]] = {"gold": [], "b": [], "c": []}
    for text, tags, starts in sents:
        gold = spans_of(tags)
        w = words(starts)
        ann["gold"].append(gold)
        ann["b"].append(perturb(gold, len(text), rnd))
        ann["c"].append(perturb(gold, len(text), rnd))
        toks["gold"].append(w)
        toks["b"].append(w)
        merged = [list(x) for x in w]
        if len(merged) > 3 and rnd.random() < 0.3:
            k = rnd.randrange(len(merged) - 1)
            merged[k:k + 2] = [[merged[k][0], merged[k + 1][1]]]
        toks["c"].append(merged)
    files = {}
    for name in ann:
        recs = [record(f"weibo-dev-{i:04d}", sents[i][0], ann[name][i], toks[name][i], f"ann-{name}")
                for i in range(len(sents))]
        files[name] = write_jsonl(tmp / f"{name}.jsonl", recs)
    return {"files": files, "sents": sents, "ann": ann, "toks": toks}


def char_labels(n: int, spans) -> list[str]:
    out = ["O"] * n
    for s, e, lab in spans:
        for i in range(s, e):
            out[i] = lab
    return out


def token_labels(tokens, spans) -> list[str]:
    out = []
    for a, b in tokens:
        labs = sorted({lab for s, e, lab in spans if s < b and e > a})
        out.append("+".join(labs) if labs else "O")
    return out


def test_records_are_valid(ner_files) -> None:
    rec = json.loads(ner_files["files"]["b"].read_text(encoding="utf-8").splitlines()[0])
    assert RecordValidator().check(rec) == []


def test_entity_kappa_on_characters_matches_nltk(cli, ner_files) -> None:
    f = ner_files["files"]
    res = cli("agree", str(f["gold"]), str(f["b"]), "--unit", "char", "--format", "json")
    assert res.exit_code == 0, res.stderr
    a = json.loads(res.stdout)["agreement"]
    sents, ann = ner_files["sents"], ner_files["ann"]
    gold = [x for i, (t, _g, _s) in enumerate(sents) for x in char_labels(len(t), ann["gold"][i])]
    b = [x for i, (t, _g, _s) in enumerate(sents) for x in char_labels(len(t), ann["b"][i])]
    task = nltk_agreement.AnnotationTask([(c, i, lab) for c, labs in (("g", gold), ("b", b))
                                          for i, lab in enumerate(labs)])
    ent = a["layers"]["entities"]
    assert ent["items"] == len(gold) and ent["units"] == {"char": len(gold)}
    assert abs(a["kappa"] - task.kappa()) < 1e-9 and a["kappa_method"] == "cohen" and a["kappa_layer"] == "entities"
    assert abs(a["alpha"] - task.alpha()) < 1e-9
    assert 0.5 < a["kappa"] < 0.98  # the perturbation really disagrees, but not wildly
    # exact span F1, computed here from the span sets
    tp = sum(len(set(g) & set(x)) for g, x in zip(ner_files["ann"]["gold"], ner_files["ann"]["b"]))
    ng = sum(map(len, ner_files["ann"]["gold"]))
    nb = sum(map(len, ner_files["ann"]["b"]))
    assert abs(a["span_f1"] - 2 * tp / (ng + nb)) < 1e-12
    pair = ent["spans"]["pairs"]["gold~b"]
    assert (pair["tp"], pair["a"], pair["b"]) == (tp, ng, nb)
    conf = ent["confusion"]["gold~b"]
    assert sum(v for row in conf.values() for v in row.values()) == len(gold)
    assert conf["PER"]["PER"] == sum(1 for x, y in zip(gold, b) if x == y == "PER")
    assert set(ent["per_label"]) >= {"O", "PER", "LOC"}
    assert abs(ent["per_label"]["PER"]["f1"]["gold~b"] -
               2 * sum(x == y == "PER" for x, y in zip(gold, b)) / (gold.count("PER") + b.count("PER"))) < 1e-12
    assert ent["label_counts"]["b"]["PER"] == b.count("PER")


def test_token_units_and_three_annotators(ner_files) -> None:
    f = ner_files["files"]
    a = agree([f["gold"], f["b"], f["c"]])
    ent = a["layers"]["entities"]
    # tokens are the units where all three tokenisations agree, characters elsewhere
    items: list[tuple[str, str, str]] = []
    for i, (text, _t, _s) in enumerate(ner_files["sents"]):
        tks = [ner_files["toks"][n][i] for n in ("gold", "b", "c")]
        spans = [ner_files["ann"][n][i] for n in ("gold", "b", "c")]
        if tks[0] == tks[1] == tks[2]:
            labs = [token_labels(tks[0], s) for s in spans]
        else:
            labs = [char_labels(len(text), s) for s in spans]
        items += list(zip(*labs))
    assert ent["items"] == len(items) and ent["units"]["token"] > 0 and ent["units"]["char"] > 0
    task = nltk_agreement.AnnotationTask([(f"c{k}", i, t[k]) for i, t in enumerate(items) for k in range(3)])
    assert abs(a["kappa"] - task.pi()) < 1e-9 and a["kappa_method"] == "fleiss"
    values = sorted({x for t in items for x in t})
    data = np.array([[values.index(t[k]) for t in items] for k in range(3)], dtype=float)
    assert abs(a["alpha"] - krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")) < 1e-9
    for x, y in (("gold", "b"), ("gold", "c"), ("b", "c")):
        kx, ky = ("gold", "b", "c").index(x), ("gold", "b", "c").index(y)
        want = cohen_kappa(Counter((t[kx], t[ky]) for t in items))
        assert abs(ent["cohen_kappa"][f"{x}~{y}"] - want) < 1e-12
    # O-only items left out
    some = [t for t in items if any(v != "O" for v in t)]
    assert ent["excluding_all_outside"]["items"] == len(some)
    # segmentation: c merged some words
    tok = a["layers"]["tokens"]
    assert tok["boundary"]["gold~b"]["f1"] == 1.0 and tok["span"]["gold~b"]["f1"] == 1.0
    tp = na = nb = 0
    for i, (text, _t, _s) in enumerate(ner_files["sents"]):
        bounds = [{p for s in ner_files["toks"][n][i] for p in s} - {0, len(text)} for n in ("gold", "c")]
        tp += len(bounds[0] & bounds[1])
        na += len(bounds[0])
        nb += len(bounds[1])
    assert abs(tok["boundary"]["gold~c"]["f1"] - 2 * tp / (na + nb)) < 1e-12 and tp < na
    assert set(a["per_annotator"]) == {"gold", "b", "c"}
    assert a["per_annotator"]["gold"]["entities_kappa_mean"] is not None


# ------------------------------------------------------------------------------- UD segmentation / POS

def ud_sentences(limit: int = 120) -> list[tuple[str, list[list[int]], list[str]]]:
    path = shared("ud", "zh_gsdsimp", "zh_gsdsimp-ud-dev.conllu")
    out, forms, upos = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line:
            if forms:
                text, spans, off = "", [], 0
                for f in forms:
                    spans.append([off, off + len(f)])
                    off += len(f)
                    text += f
                out.append((text, spans, upos))
                forms, upos = [], []
                if len(out) >= limit:
                    break
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0]:
            continue
        forms.append(cols[1])
        upos.append(cols[3])
    return out


def test_pos_agreement_on_identical_tokens(tmp_path: Path) -> None:
    rnd = random.Random(5)
    tags = ["NOUN", "VERB", "ADJ", "ADV", "PROPN", "PART"]
    a_recs, b_recs, pairs = [], [], []
    for i, (text, spans, upos) in enumerate(ud_sentences()):
        other = [rnd.choice(tags) if rnd.random() < 0.1 else t for t in upos]
        pairs += list(zip(upos, other))
        for recs, vals in ((a_recs, upos), (b_recs, other)):
            recs.append({"id": f"gsd-{i}", "sides": {"zh-Hans": {"text": text, "layers": {
                "tokens": {"spans": spans}, "pos": {"values": vals}}}}})
    a = agree([write_jsonl(tmp_path / "a.jsonl", a_recs), write_jsonl(tmp_path / "b.jsonl", b_recs)])
    assert a["kappa_layer"] == "pos" and a["layers"]["pos"]["items"] == len(pairs)
    assert abs(a["kappa"] - cohen_kappa(Counter(pairs))) < 1e-12
    assert a["layers"]["tokens"]["boundary_f1_mean"] == 1.0


# ------------------------------------------------------------------------------- word alignment / AER

def alignments(limit: int = 60):
    d = shared("alignment", "word_zhen150")
    zh = d.joinpath("train.zh").read_text(encoding="utf-8").splitlines()
    en = d.joinpath("train.en").read_text(encoding="utf-8").splitlines()
    al = d.joinpath("train.align").read_text(encoding="utf-8").splitlines()
    for z, e, a in list(zip(zh, en, al))[:limit]:
        links = []
        for x in a.split():
            parts = x.split("-")
            links.append((int(parts[0]), int(parts[1]), "P" if len(parts) > 2 else "S"))
        yield z.split(), e.split(), sorted(set(links))


def side(tokens: list[str], sep: str) -> dict[str, Any]:
    spans, off = [], 0
    for t in tokens:
        spans.append([off, off + len(t)])
        off += len(t) + len(sep)
    return {"text": sep.join(tokens), "layers": {"tokens": {"spans": spans}}}


def test_aer_between_annotators(tmp_path: Path) -> None:
    rnd = random.Random(9)
    a_recs, b_recs = [], []
    counts = Counter()
    for i, (zt, et, gold) in enumerate(alignments()):
        pert = []
        for x, y, f in gold:
            r = rnd.random()
            if r < 0.1:
                continue
            pert.append((x, y, "P" if r < 0.2 else f))
        if rnd.random() < 0.5:
            pert.append((rnd.randrange(len(zt)), rnd.randrange(len(et)), "S"))
        pert = sorted({(x, y): (x, y, f) for x, y, f in pert}.values())
        for recs, links in ((a_recs, gold), (b_recs, pert)):
            recs.append({"id": f"zhen-{i}", "sides": {"zh-Hans": side(zt, ""), "en": side(et, " ")},
                         "links": [{"kind": "tokens", "src": "zh-Hans", "tgt": "en",
                                    "pairs": [list(p) for p in links]}]})
        # AER of b's links against gold's sure and possible links, by the formula
        hyp = {(x, y) for x, y, _f in pert}
        sure = {(x, y) for x, y, f in gold if f == "S"}
        poss = {(x, y) for x, y, _f in gold}
        counts.update(hyp=len(hyp), sure=len(sure), hs=len(hyp & sure), hp=len(hyp & poss))
    assert RecordValidator().check(b_recs[0]) == []
    fa, fb = write_jsonl(tmp_path / "gold.jsonl", a_recs), write_jsonl(tmp_path / "b.jsonl", b_recs)
    a = agree([fa, fb], layers=["links"])
    want = 1 - (counts["hs"] + counts["hp"]) / (counts["hyp"] + counts["sure"])
    assert abs(a["layers"]["links"]["aer"]["b->gold"]["aer"] - want) < 1e-12
    assert 0 < want < 0.5 and a["layers"]["links"]["alignments"] == len(a_recs)
    assert a["aer"] == pytest.approx((a["layers"]["links"]["aer"]["b->gold"]["aer"] +
                                      a["layers"]["links"]["aer"]["gold->b"]["aer"]) / 2)


# ------------------------------------------------------------------------------- join and bad input

def small(tmp_path: Path, ner_files, name: str, order=None, drop=(), edit=None) -> Path:
    lines = ner_files["files"][name].read_text(encoding="utf-8").splitlines()[:40]
    recs = [json.loads(x) for x in lines]
    if edit:
        edit(recs)
    recs = [r for k, r in enumerate(recs) if k not in drop]
    if order == "reverse":
        recs = recs[::-1]
    elif order == "shuffle":
        random.Random(1).shuffle(recs)
    return write_jsonl(tmp_path / f"{name}-{order}-{len(drop)}.jsonl", recs)


def _strip(a: dict[str, Any]) -> dict[str, Any]:
    a = dict(a)
    a.pop("annotators")
    return a


def test_order_does_not_matter(tmp_path: Path, ner_files) -> None:
    base = agree([small(tmp_path, ner_files, "gold"), small(tmp_path, ner_files, "b")], names=["g", "b"])
    shuffled = agree([small(tmp_path, ner_files, "gold", "shuffle"), small(tmp_path, ner_files, "b", "reverse")],
                     names=["g", "b"])
    assert _strip(shuffled) == _strip(base) and base["records"] == 40


def test_different_record_sets(cli, tmp_path: Path, ner_files) -> None:
    fa = small(tmp_path, ner_files, "gold", drop=(3,))
    fb = small(tmp_path, ner_files, "b", drop=(7, 8))
    res = cli("agree", str(fa), str(fb))
    assert res.exit_code == 2
    assert f"{fa}: 1 missing (weibo-dev-0003)" in res.stderr
    assert f"{fb}: 2 missing (weibo-dev-0007, weibo-dev-0008)" in res.stderr
    res = cli("agree", str(fa), str(fb), "--intersect", "--format", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["agreement"]["records"] == 37
    assert doc["agreement"]["missing"][str(fb)] == {"count": 2, "ids": ["weibo-dev-0007", "weibo-dev-0008"]}
    assert list(jsonschema.Draft202012Validator(load_schema("metrics")).iter_errors(doc)) == []


def test_text_differs(cli, tmp_path: Path, ner_files) -> None:
    def edit(recs):
        t = recs[5]["sides"]["zh-Hans"]["text"]
        recs[5]["sides"]["zh-Hans"]["text"] = t[:3] + "X" + t[4:]
    fa = small(tmp_path, ner_files, "gold")
    fb = small(tmp_path, ner_files, "b", edit=edit)
    res = cli("agree", str(fa), str(fb))
    assert res.exit_code == 2
    assert "[weibo-dev-0005] side zh-Hans: the text differs" in res.stderr
    assert f"{fa}:6" in res.stderr and f"{fb}:6" in res.stderr and "character 3" in res.stderr
    assert "meaningless" in res.stderr


def test_sides_differ_and_duplicates(cli, tmp_path: Path, ner_files) -> None:
    def add_side(recs):
        recs[2]["sides"]["en"] = {"text": "hello"}
    res = cli("agree", str(small(tmp_path, ner_files, "gold")), str(small(tmp_path, ner_files, "b", edit=add_side)))
    assert res.exit_code == 2 and "[weibo-dev-0002]" in res.stderr and "different sides" in res.stderr
    dup = tmp_path / "dup.jsonl"
    lines = ner_files["files"]["gold"].read_text(encoding="utf-8").splitlines()[:5]
    dup.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    res = cli("agree", str(dup), str(dup))
    assert res.exit_code == 2 and "duplicate record id 'weibo-dev-0001'" in res.stderr


def test_usage_errors(cli, tmp_path: Path, ner_files) -> None:
    f = str(small(tmp_path, ner_files, "gold"))
    assert "at least two" in cli("agree", f).stderr
    res = cli("agree", f, f, "--layers", "entities,colour")
    assert res.exit_code == 2 and "unknown layer(s) colour" in res.stderr
    res = cli("agree", f, f, "--names", "a")
    assert res.exit_code == 2 and "1 names for 2 files" in res.stderr


def test_text_report(cli, tmp_path: Path, ner_files) -> None:
    f = ner_files["files"]
    res = cli("agree", str(f["gold"]), str(f["b"]), "-o", str(tmp_path / "m.json"))
    assert res.exit_code == 0
    assert "kappa (cohen, entities)" in res.stdout and "gold~b" in res.stdout and "exact span F1" in res.stdout
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["metrics"] == "lancang/metrics/1" and doc["command"] == "agree"
    assert list(jsonschema.Draft202012Validator(load_schema("metrics")).iter_errors(doc)) == []
    # a profile-style threshold over the document: {"agreement": {"kappa": {"minimum": ...}}}
    ok = {"type": "object", "properties": {"agreement": {"type": "object", "properties": {
        "kappa": {"type": "number", "minimum": 0.5}}, "required": ["kappa"]}}, "required": ["agreement"]}
    assert jsonschema.Draft202012Validator(ok).is_valid(doc)
    strict = json.loads(json.dumps(ok).replace("0.5", "0.99"))
    assert not jsonschema.Draft202012Validator(strict).is_valid(doc)


def test_metric_names_are_known_to_check(ner_files) -> None:
    """Every name a profile may constrain in an agree document is a name `check` knows."""
    metrics = pytest.importorskip("lancang.standards.metrics")
    a = agree([ner_files["files"]["gold"], ner_files["files"]["b"]])

    def schema_of(doc: Any, depth: int = 0) -> dict[str, Any]:
        if not isinstance(doc, dict) or depth > 3:
            return {}
        return {"properties": {k: schema_of(v, depth + 1) for k, v in doc.items()}}

    assert list(metrics.unknown_metrics({"properties": {"agreement": schema_of(a)}})) == []
    assert list(metrics.unknown_metrics({"properties": {"agreement": {"properties": {"kapa": {}}}}}))
