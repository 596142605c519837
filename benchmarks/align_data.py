"""Gold data for the alignment benchmark and tests, read from ../shared/data (never copied).

* :func:`pud_documents` -- PUD sentences of two languages grouped into the documents that ``#
  newdoc`` marks in the English file (all four files share the ``sent_id`` order).
* :func:`talpco_documents` -- TALPCo sentences of two languages grouped into pseudo-documents of
  consecutive ids.
* :func:`perturb` -- make a document pair realistic: merge about 10 % of adjacent sentences and
  delete about 5 %, each on a randomly chosen side, keeping the gold beads.
* :func:`word_gold` -- the word-alignment gold sets (tokens and sure/possible links, 0-indexed).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

PUD_PAIRS = (("zh", "en"), ("zh", "th"), ("zh", "id"), ("th", "id"))
TALPCO_PAIRS = (("en", "th"), ("en", "vi"), ("th", "id"), ("en", "my"))
TALPCO_FILES = {"en": "eng_data_eng", "id": "ind_data_ind", "ms": "zsm_data_zsm", "th": "tha_data_tha",
                "vi": "vie_data_vie", "my": "myn_data_myn", "ja": "jpn_data_jpn"}
UNSPACED = {"zh", "th", "ja", "my", "km", "lo"}


def _conllu(path: Path) -> list[tuple[str, str | None, str, list[str]]]:
    """(sent_id, newdoc id or None, text, forms) for each sentence."""
    out = []
    sid = doc = text = None
    forms: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc id"):
            doc = line.split("=", 1)[1].strip()
        elif line.startswith("# sent_id"):
            sid = line.split("=", 1)[1].strip()
        elif line.startswith("# text ="):
            text = line.split("=", 1)[1].strip()
        elif line and line[0].isdigit():
            cols = line.split("\t")
            if "-" not in cols[0] and "." not in cols[0]:
                forms.append(cols[1])
        elif not line and sid is not None:
            out.append((sid, doc, text or "", forms))
            sid = doc = text = None
            forms = []
    if sid is not None:
        out.append((sid, doc, text or "", forms))
    return out


def pud_sentences(lang: str, data: Path = DATA) -> list[tuple[str, str | None, str, list[str]]]:
    return _conllu(data / "parallel" / "pud" / f"{lang}_pud.conllu")


def pud_documents(src: str, tgt: str, data: Path = DATA) -> list[tuple[list[str], list[str]]]:
    en = pud_sentences("en", data)
    a, b = pud_sentences(src, data), pud_sentences(tgt, data)
    assert len(a) == len(b) == len(en)
    docs: list[tuple[list[str], list[str]]] = []
    for k, (_, newdoc, _, _) in enumerate(en):
        if newdoc is not None or not docs:
            docs.append(([], []))
        docs[-1][0].append(a[k][2])
        docs[-1][1].append(b[k][2])
    return docs


def talpco(lang: str, data: Path = DATA) -> dict[str, str]:
    out = {}
    for line in (data / "parallel" / "talpco" / f"{TALPCO_FILES[lang]}.txt").read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            k, s = line.split("\t", 1)
            out[k.strip()] = s.strip()
    return out


def talpco_documents(src: str, tgt: str, size: int = 20, data: Path = DATA) -> list[tuple[list[str], list[str]]]:
    a, b = talpco(src, data), talpco(tgt, data)
    ids = sorted(set(a) & set(b), key=int)
    return [([a[k] for k in ids[s:s + size]], [b[k] for k in ids[s:s + size]]) for s in range(0, len(ids), size)]


def perturb(src: list[str], tgt: list[str], rnd: random.Random, langs: tuple[str, str] = ("en", "en"),
            merge: float = 0.10,
            delete: float = 0.05) -> tuple[list[str], list[str], list[tuple[list[int], list[int]]]]:
    """Merge and delete sentences of a 1–1 document pair; returns the new sides and gold beads."""
    sides: list[list[str]] = [[], []]
    gold: list[tuple[list[int], list[int]]] = []
    k = 0
    n = len(src)
    while k < n:
        r = rnd.random()
        side = rnd.randrange(2)
        if r < delete:
            other = 1 - side
            sides[other].append((src, tgt)[other][k])
            idx = [[], []]
            idx[other] = [len(sides[other]) - 1]
            gold.append((idx[0], idx[1]))
            k += 1
        elif r < delete + merge and k + 1 < n:
            joiner = "" if langs[side] in UNSPACED else " "
            texts = (src, tgt)
            sides[side].append(texts[side][k] + joiner + texts[side][k + 1])
            other = 1 - side
            sides[other].extend([texts[other][k], texts[other][k + 1]])
            idx = [[], []]
            idx[side] = [len(sides[side]) - 1]
            idx[other] = [len(sides[other]) - 2, len(sides[other]) - 1]
            gold.append((idx[0], idx[1]))
            k += 2
        else:
            sides[0].append(src[k])
            sides[1].append(tgt[k])
            gold.append(([len(sides[0]) - 1], [len(sides[1]) - 1]))
            k += 1
    return sides[0], sides[1], gold


def word_gold(name: str, data: Path = DATA) -> list[tuple[list[str], list[str], list[tuple[int, int, str]]]]:
    """(source tokens, target tokens, gold links as (i, j, "S"|"P"), 0-indexed) of one gold set.

    ``name`` is ``roen``, ``enfr``, ``jaen`` (``word/``: ``src ||| tgt`` and 1-indexed ``i-j`` sure,
    ``ipj`` possible) or ``zhen`` (``word_zhen150``: 0-indexed, ``i-j-P`` possible).
    """
    out = []
    if name == "zhen":
        base = data / "alignment" / "word_zhen150"
        zh = (base / "train.zh").read_text(encoding="utf-8").splitlines()
        en = (base / "train.en").read_text(encoding="utf-8").splitlines()
        al = (base / "train.align").read_text(encoding="utf-8").splitlines()
        for s, t, a in zip(zh, en, al):
            links = []
            for x in a.split():
                parts = x.split("-")
                links.append((int(parts[0]), int(parts[1]), "P" if len(parts) > 2 and parts[2] == "P" else "S"))
            out.append((s.split(), t.split(), links))
        return out
    base = data / "alignment" / "word"
    text = (base / f"{name}.src-tgt").read_text(encoding="utf-8").splitlines()
    gold = (base / f"{name}.gold").read_text(encoding="utf-8").splitlines()
    for line, g in zip(text, gold):
        s, t = line.split("|||")
        links = []
        for x in g.split():
            if "p" in x:
                i, j = x.split("p")
                links.append((int(i) - 1, int(j) - 1, "P"))
            else:
                i, j = x.split("-")
                links.append((int(i) - 1, int(j) - 1, "S"))
        out.append((s.split(), t.split(), links))
    return out


def talpco_tokens(lang: str, data: Path = DATA) -> dict[str, list[str]]:
    """TALPCo's tokenised sentences (``-token.txt``: an id line, one token a line, ``<EOS>``)."""
    out: dict[str, list[str]] = {}
    cur: list[str] | None = None
    path = data / "parallel" / "talpco" / f"{TALPCO_FILES[lang]}-token.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if cur is None:
            if line:
                cur = out.setdefault(line, [])
        elif line == "<EOS>":
            cur = None
        elif line:
            cur.append(line)
    return out


_EN_TOKEN = re.compile(r"n't|'(?:s|re|ve|ll|d|m)\b|\w+(?=n't)|\w+(?:[.-]\w+)*|[^\w\s]", re.IGNORECASE)


def english_tokens(text: str) -> list[str]:
    """Split English the way the KFTT and WPT gold sets are split (``do n't``, ``it 's``, punctuation)."""
    return _EN_TOKEN.findall(text)


def extra_training(name: str, data: Path = DATA) -> list[tuple[list[str], list[str]]]:
    """Other parallel text under ../shared/data in the language pair of a gold set.

    ja-en: TALPCo (Japanese tokens as given, English split by :func:`english_tokens`); zh-en: the
    PUD treebank's words (Traditional Chinese converted to Simplified with OpenCC when it is
    installed, else none: the gold set is Simplified). ro-en and en-fr: none.
    """
    if name == "jaen":
        ja, en = talpco_tokens("ja", data), talpco("en", data)
        return [(ja[k], english_tokens(en[k])) for k in sorted(set(ja) & set(en), key=int)]
    if name == "zhen":
        try:
            import opencc
        except ImportError:
            return []
        conv = opencc.OpenCC("t2s")
        zh, en = pud_sentences("zh", data), pud_sentences("en", data)
        return [([conv.convert(w) for w in a[3]], b[3]) for a, b in zip(zh, en)]
    return []
