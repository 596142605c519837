"""Named entities with a linear-chain CRF (``crf-ner``, python-crfsuite), and training one offline.

A CRF model tags *units* with BIOES labels: characters for Chinese (and Japanese), words from
lancang's segmenter for Thai, Lao, Khmer and Burmese (``newmm`` for Thai), and for languages written
with spaces (Indonesian, Malay, Vietnamese, English, ...) runs of letters and digits and single
other characters (a regular expression, no model). Features, in groups that training switches on and
off and keeps by dev score:

- ``char`` (character tagging): the characters at -2..+2, the bigrams and trigrams around the
  character, and its type (Han, Latin, digit, Thai, punctuation, ...) with its neighbours';
- ``seg`` (character tagging): the word the segmenter (jieba for Chinese) puts the character in: its
  position there (B/M/E/S), the word's length and the word itself (the lattice idea without the LSTM);
- ``word`` (word tagging): the word lowered, its prefixes and suffixes (1-3), shape, case, length,
  and the words, shapes and bigrams of the window -2..+2;
- ``lex``: a gazetteer from the *training* entities: where a known entity string starts, continues or
  ends, with its most frequent label and its length. On the training sentences the lexicon is built
  from the other folds only (5 contiguous folds), so the model learns how far to trust a match on
  text it has not seen; dev and annotated text use the whole training lexicon;
- ``vocab`` (word tagging): what the training text says about the word: unseen, how often seen, and
  how often it is capitalised where it does not open the sentence (a capitalised word that is
  usually written lower case is rarely a name), from the other folds on training sentences too.

:func:`train` reads gold twice (once for the lexicon and counts, once per feature set into
CRFsuite's own memory), scores every (feature set, c1, c2) trial on the dev sides with lancang's
entity scorer (exact match, micro) and keeps the best. A model folder holds ``model.crfsuite``,
``lexicon.tsv`` and ``lancang-crf.json`` (its settings, labels, gold counts and dev score).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import regex

from ..corpora.jsonl import PathLike
from ..corpora.langs import check_tag, language
from ..errors import UsageError
from .base import Annotator, AnnotatorSpec, ModelMissing
from .ner import CRF_SETTINGS, GoldStats, check_output, gold_sides, install_dir, read_gold, score_predictions
from .spans import Span

CRF_NER = AnnotatorSpec(
    name="crf-ner",
    description="Named entities with a CRF model (python-crfsuite) trained by `lancang train ner --backend crf`",
    provides=("entities",),
    languages=("*",),
    factory="lancang.annotators.ner_crf:CrfNer",
    backend="python-crfsuite",
    modules=("pycrfsuite",),
    extra="th",
    note="python-crfsuite; a Chinese model also needs lancang[zh] for jieba; and a model: "
         "`lancang train ner --backend crf`",
    config={"type": "object", "required": ["model"], "properties": {
        "model": {"type": "string", "minLength": 1,
                  "description": "Folder written by `lancang train ner --backend crf`."},
    }},
)

MODEL_FILE = "model.crfsuite"
LEXICON_FILE = "lexicon.tsv"
VOCAB_FILE = "vocab.tsv"
FORMAT_VERSION = 1
FOLDS = 5
MAX_LEX_UNITS = 12  # longest lexicon entry matched, in units

#: languages tagged a character at a time (no spaces between words, and words are short)
CHAR_LANGS = {"zh": "jieba", "ja": None}
#: languages tagged a word at a time with a segmenter's words
SEGMENTED_LANGS = {"th": "newmm", "lo": "laonlp", "km": "khmer-nltk", "my": "burmesenlp"}

#: feature sets tried, in this order (the first of equal dev scores is kept: the simpler)
FEATURE_SETS = {"char": (("char",), ("char", "seg"), ("char", "lex"), ("char", "seg", "lex")),
                "word": (("word",), ("word", "lex"), ("word", "lex", "vocab"))}
#: (c1, c2) tried with the best feature set (the first is also the one feature sets are chosen with)
C_GRID = ((0.1, 0.05), (0.05, 0.01), (0.3, 0.01), (0.5, 0.1))

_WORD = regex.compile(r"[\p{L}\p{M}]+|\p{N}+|[^\s]", regex.V1)


def units_of(lang: str) -> tuple[str, str | None]:
    """(unit kind, segmenter) for a language: ("char", "jieba"), ("seg", "newmm") or ("regex", None)."""
    code = language(lang)
    if code in CHAR_LANGS:
        return "char", CHAR_LANGS[code]
    if code in SEGMENTED_LANGS:
        return "seg", SEGMENTED_LANGS[code]
    return "regex", None


def char_type(c: str) -> str:
    cat = unicodedata.category(c)
    if cat == "Nd":
        return "D"
    if cat[0] == "L" or cat[0] == "M":
        name = unicodedata.name(c, "")
        for script, t in (("CJK", "H"), ("LATIN", "L"), ("THAI", "T"), ("HIRAGANA", "K"), ("KATAKANA", "K")):
            if name.startswith(script):
                return t
        return "A"
    if cat[0] == "P":
        return "P"
    if cat[0] == "S":
        return "S"
    return "O"


def shape(w: str) -> str:
    """Word shape with runs collapsed: ``Jakarta`` -> ``Xx``, ``12.5`` -> ``d.d``, Thai -> ``t``."""
    out = []
    for c in w:
        t = char_type(c)
        s = ("X" if c.isupper() else "x") if t in ("L", "A") else {"D": "d", "T": "t", "H": "h"}.get(t, c)
        if not out or out[-1] != s:
            out.append(s)
    return "".join(out)[:6]


# ------------------------------------------------------------------------------------ units

class Units:
    """Cuts a text into the units a model tags, and (character tagging) the segmenter's words."""

    def __init__(self, lang: str, kind: str | None = None, segmenter: str | None = None):
        self.lang = lang
        default_kind, default_seg = units_of(lang)
        self.kind = kind or default_kind
        self.segmenter = segmenter if kind else default_seg
        self._seg: Annotator | None = None

    @property
    def seg(self) -> Annotator:
        if self._seg is None:
            from . import spec
            from .base import shared

            if not self.segmenter:
                raise UsageError(f"no segmenter for {self.lang!r}")
            self._seg = shared(spec(self.segmenter), {})
        return self._seg

    def spans(self, text: str) -> list[Span]:
        if self.kind == "char":
            return [(i, i + 1) for i, c in enumerate(text) if not c.isspace()]
        if self.kind == "seg":
            return [(s, e) for s, e in self.seg.tokens(text, self.lang) if text[s:e].strip()]
        return [m.span() for m in _WORD.finditer(text)]

    def words(self, text: str) -> list[Span]:
        """The segmenter's words (character tagging with the ``seg`` group)."""
        return list(self.seg.tokens(text, self.lang)) if text.strip() else []


def bioes(spans: Sequence[Span], items: Iterable[Mapping[str, Any]], stats: GoldStats | None = None) -> list[str]:
    """BIOES tags of the units for gold entities: an entity covers the units it touches (widened where
    an end falls inside a unit, counted); one overlapping an entity kept before, with only white space,
    or with several fragments is left out and counted."""
    tags = ["O"] * len(spans)
    starts = [s for s, _ in spans]
    import bisect

    for it in sorted(items, key=lambda x: (x["start"], -x["end"])):
        if it.get("fragments") and len(it["fragments"]) > 1:
            if stats:
                stats.fragmented += 1
            continue
        s, e = int(it["start"]), int(it["end"])
        i = max(0, bisect.bisect_right(starts, s) - 1)
        while i < len(spans) and spans[i][1] <= s:
            i += 1
        j = i
        while j < len(spans) and spans[j][0] < e:
            j += 1
        if j == i or any(t != "O" for t in tags[i:j]):
            if stats:
                stats.overlapping += 1
            continue
        if stats and (spans[i][0] != s or spans[j - 1][1] != e):
            stats.expanded += 1
        lab = it["label"]
        if j - i == 1:
            tags[i] = "S-" + lab
        else:
            tags[i] = "B-" + lab
            tags[i + 1:j - 1] = ["I-" + lab] * (j - i - 2)
            tags[j - 1] = "E-" + lab
    return tags


def decode(spans: Sequence[Span], tags: Sequence[str]) -> list[dict[str, Any]]:
    """Entity items from BIOES (or BIO) tags, leniently: an I or E without its B starts an entity, a
    change of label ends one."""
    out: list[dict[str, Any]] = []
    cur: list[Any] | None = None  # [start, end, label]
    for (s, e), t in zip(spans, tags):
        if t == "O" or "-" not in t:
            if cur:
                out.append(cur)
            cur = None
            continue
        p, lab = t.split("-", 1)
        if p in ("B", "S") or cur is None or cur[2] != lab:
            if cur:
                out.append(cur)
            cur = [s, e, lab]
        else:
            cur[1] = e
        if p in ("E", "S"):
            out.append(cur)
            cur = None
    if cur:
        out.append(cur)
    return [{"start": s, "end": e, "label": lab} for s, e, lab in out]


# ---------------------------------------------------------------------------------- lexicon

class Lexicon:
    """Entity strings (as unit sequences, lowered) -> their most frequent label; and the training
    text's words (lowered) -> (times seen, times not first in the sentence, times capitalised there)."""

    def __init__(self, entries: Mapping[tuple[str, ...], str] | None = None,
                 vocab: Mapping[str, Sequence[int]] | None = None):
        self.entries = dict(entries or {})
        self.vocab = dict(vocab or {})
        self.longest = min(MAX_LEX_UNITS, max((len(k) for k in self.entries), default=0))

    def word_features(self, words: Sequence[str]) -> list[list[str]]:
        out = []
        for i, w in enumerate(words):
            title = "T" if w[:1].isupper() else "l"
            v = self.vocab.get(w.lower())
            if not v:
                out.append(["v=unseen" + title, "v=unseen" + title + ("0" if i == 0 else "")])
                continue
            seen, inner, cap = v
            freq = "1" if seen == 1 else "2" if seen < 4 else "4" if seen < 10 else "10"
            if not inner:
                ratio = "?"
            else:
                r = cap / inner
                ratio = "0" if r == 0 else "1" if r == 1 else "lo" if r < 0.3 else "hi" if r > 0.7 else "mid"
            out.append([f"v={freq}", f"v.cap={ratio}{title}", f"v.cap={ratio}{title}{'0' if i == 0 else ''}"])
        return out

    @staticmethod
    def key(text: str, spans: Sequence[Span]) -> tuple[str, ...]:
        return tuple(text[s:e].lower() for s, e in spans)

    @classmethod
    def from_counts(cls, counts: Mapping[tuple[str, ...], Counter[str]],
                    vocab: Mapping[str, Sequence[int]] | None = None) -> Lexicon:
        return cls({k: c.most_common(1)[0][0] for k, c in counts.items() if c and len(k) <= MAX_LEX_UNITS},
                   {w: tuple(v) for w, v in (vocab or {}).items() if v[0] > 0})

    def matches(self, keys: Sequence[str]) -> list[list[str]]:
        """Per unit, its lexicon features: ``B``/``I``/``E``/``S`` of a match with its label and length."""
        feats: list[list[str]] = [[] for _ in keys]
        n = len(keys)
        for i in range(n):
            for ln in range(1, min(self.longest, n - i) + 1):
                lab = self.entries.get(tuple(keys[i:i + ln]))
                if lab is None:
                    continue
                size = str(min(ln, 4))
                if ln == 1:
                    feats[i].append(f"lx=S:{lab}")
                    continue
                feats[i].append(f"lx=B:{lab}")
                feats[i].append(f"lx=B{size}")
                for k in range(i + 1, i + ln - 1):
                    feats[k].append(f"lx=I:{lab}")
                feats[i + ln - 1].append(f"lx=E:{lab}")
                feats[i + ln - 1].append(f"lx=E{size}")
        return feats

    def write(self, folder: Path) -> None:
        """``lexicon.tsv`` (label, then the entity's units) and ``vocab.tsv`` (word, seen, inner, capitalised)."""
        with open(folder / LEXICON_FILE, "w", encoding="utf-8") as f:
            for k, lab in sorted(self.entries.items()):
                f.write(lab + "\t" + "\t".join(k) + "\n")
        with open(folder / VOCAB_FILE, "w", encoding="utf-8") as f:
            for w, v in sorted(self.vocab.items()):
                f.write(w + "\t" + "\t".join(map(str, v)) + "\n")

    @classmethod
    def read(cls, folder: Path) -> Lexicon:
        entries, vocab = {}, {}
        if (folder / LEXICON_FILE).is_file():
            with open(folder / LEXICON_FILE, encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) >= 2:
                        entries[tuple(parts[1:])] = parts[0]
        if (folder / VOCAB_FILE).is_file():
            with open(folder / VOCAB_FILE, encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) == 4:
                        vocab[parts[0]] = tuple(int(x) for x in parts[1:])
        return cls(entries, vocab)


# --------------------------------------------------------------------------------- features

def char_features(text: str, spans: Sequence[Span], words: Sequence[Span] | None) -> list[dict[str, list[str]]]:
    """Per character: its ``char`` group and (given the segmenter's words) its ``seg`` group."""
    chars = [text[s:e] for s, e in spans]
    types = [char_type(c[0]) for c in chars]
    n = len(chars)
    pad = ["<s2>", "<s1>"] + chars + ["</s1>", "</s2>"]
    tpad = ["^", "^"] + types + ["$", "$"]
    where: list[tuple[str, int, str]] | None = None
    if words is not None:
        where = [("S", 1, "")] * len(text)
        for s, e in words:
            w = text[s:e]
            ln = e - s
            for k in range(s, e):
                pos = "S" if ln == 1 else "B" if k == s else "E" if k == e - 1 else "M"
                where[k] = (pos, ln, w)
    out = []
    for i in range(n):
        k = i + 2
        c = pad[k]
        f = ["b", "c=" + c, "c-1=" + pad[k - 1], "c+1=" + pad[k + 1], "c-2=" + pad[k - 2], "c+2=" + pad[k + 2],
             "c-1c=" + pad[k - 1] + c, "cc+1=" + c + pad[k + 1], "c-2c-1=" + pad[k - 2] + pad[k - 1],
             "c+1c+2=" + pad[k + 1] + pad[k + 2], "c-1cc+1=" + pad[k - 1] + c + pad[k + 1],
             "c-2c-1c=" + pad[k - 2] + pad[k - 1] + c, "cc+1c+2=" + c + pad[k + 1] + pad[k + 2],
             "t=" + tpad[k], "t3=" + tpad[k - 1] + tpad[k] + tpad[k + 1]]
        if spans[i][0] > 0 and text[spans[i][0] - 1].isspace():
            f.append("sp-1")
        g: dict[str, list[str]] = {"char": f}
        if where is not None:
            pos, ln, w = where[spans[i][0]]
            lnb = str(min(ln, 5))
            g["seg"] = ["wp=" + pos, "wl=" + lnb, "wpl=" + pos + lnb, "wpc=" + pos + c, "w=" + w]
        out.append(g)
    return out


def word_features(text: str, spans: Sequence[Span]) -> list[dict[str, list[str]]]:
    words = [text[s:e] for s, e in spans]
    low = [w.lower() for w in words]
    shp = [shape(w) for w in words]
    n = len(words)
    lp = ["<s2>", "<s1>"] + low + ["</s1>", "</s2>"]
    sp = ["^", "^"] + shp + ["$", "$"]
    out = []
    for i, w in enumerate(words):
        k = i + 2
        lw = low[i]
        f = ["b", "w=" + lw, "sh=" + shp[i], "len=" + str(min(len(w), 8)),
             "p1=" + lw[:1], "p2=" + lw[:2], "p3=" + lw[:3], "s1=" + lw[-1:], "s2=" + lw[-2:], "s3=" + lw[-3:],
             "w-1=" + lp[k - 1], "w+1=" + lp[k + 1], "w-2=" + lp[k - 2], "w+2=" + lp[k + 2],
             "w-1w=" + lp[k - 1] + "|" + lw, "ww+1=" + lw + "|" + lp[k + 1],
             "sh-1=" + sp[k - 1], "sh+1=" + sp[k + 1], "sh-1sh+1=" + sp[k - 1] + "|" + shp[i] + "|" + sp[k + 1]]
        if w[:1].isupper():
            f.append("title")
            if w.isupper() and len(w) > 1:
                f.append("upper")
        if i == 0:
            f.append("first")
        if i == n - 1:
            f.append("last")
        if i > 0 and spans[i - 1][1] == spans[i][0]:
            f.append("glued")  # no space before: a word in an unspaced script or after punctuation
        out.append({"word": f})
    return out


@dataclass
class Featurizer:
    """Units and their features for one language and feature set."""

    units: Units
    groups: tuple[str, ...]
    lexicon: Lexicon | None = None

    def __call__(self, text: str, lexicon: Lexicon | None = None) -> tuple[list[Span], list[list[str]]]:
        spans = self.units.spans(text)
        if not spans:
            return spans, []
        if self.units.kind == "char":
            words = self.units.words(text) if "seg" in self.groups else None
            per = char_features(text, spans, words)
        else:
            per = word_features(text, spans)
        feats = [[x for g in self.groups if g in d for x in d[g]] for d in per]
        lex = lexicon if lexicon is not None else self.lexicon
        if "lex" in self.groups and lex is not None and lex.entries:
            for f, m in zip(feats, lex.matches(Lexicon.key(text, spans))):
                f.extend(m)
        if "vocab" in self.groups and lex is not None:
            for f, m in zip(feats, lex.word_features([text[s:e] for s, e in spans])):
                f.extend(m)
        return spans, feats


# ---------------------------------------------------------------------------------- the annotator

def model_missing(model: str, why: str) -> ModelMissing:
    return ModelMissing(
        f"annotator 'crf-ner': cannot load the CRF model {model!r} ({why}). lancang never downloads models: "
        f"train one with `lancang train ner GOLD -o MODEL_DIR --src LANG --backend crf` and pass its folder "
        f"(--set crf-ner.model=MODEL_DIR)")


def load_settings(model: str) -> dict[str, Any]:
    path = Path(model).expanduser()
    if not path.is_dir():
        raise model_missing(model, "no such directory" if not path.exists() else "not a directory")
    if not (path / CRF_SETTINGS).is_file():
        if (path / "meta.json").is_file():
            raise UsageError(f"annotator 'crf-ner': {model!r} is a spaCy pipeline; use it with "
                             f"--use LANG=spacy-ner --set spacy-ner.model={model}")
        raise model_missing(model, f"no {CRF_SETTINGS}")
    try:
        settings = json.loads((path / CRF_SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise model_missing(model, f"{CRF_SETTINGS}: {exc}") from None
    if not isinstance(settings, dict) or settings.get("format") != FORMAT_VERSION:
        raise model_missing(model, f"{CRF_SETTINGS} is not a lancang CRF model of format {FORMAT_VERSION}")
    if not (path / MODEL_FILE).is_file():
        raise model_missing(model, f"no {MODEL_FILE}")
    return settings


class CrfNer(Annotator):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        import pycrfsuite

        self.model = str(config["model"])
        self.settings = load_settings(self.model)
        path = Path(self.model).expanduser()
        self.tagger = pycrfsuite.Tagger()
        try:
            self.tagger.open(str(path / MODEL_FILE))
        except (OSError, ValueError) as exc:
            raise model_missing(self.model, f"{MODEL_FILE}: {exc}") from None
        self.lang = self.settings["lang"]
        units = Units(self.lang, self.settings["units"], self.settings.get("segmenter"))
        if units.segmenter and (units.kind == "seg" or "seg" in self.settings["features"]):
            from . import spec

            spec(units.segmenter).require_backend()
        self.featurize = Featurizer(units, tuple(self.settings["features"]), Lexicon.read(path))

    @property
    def provenance_version(self) -> str:
        """python-crfsuite's version and the model's name and version, e.g. ``0.9.12 (zh_weibo 0.1.0)``."""
        from importlib import metadata

        return (f"{metadata.version('python-crfsuite')} "
                f"({language(self.lang)}_{self.settings.get('name', 'ner')} {self.settings.get('version', '')})")

    @cached_property
    def provenance_settings(self) -> dict[str, Any]:
        keep = ("lang", "name", "version", "units", "segmenter", "features", "c1", "c2", "labels")
        return {**super().provenance_settings, "model_meta": {k: self.settings.get(k) for k in keep}}

    def prepare(self, tag: str, lang: str) -> None:
        if language(tag) != language(self.lang):
            raise UsageError(f"annotator 'crf-ner': the model {self.model!r} is for language "
                             f"{language(self.lang)!r}, not {language(tag)!r}; use a model trained for it "
                             f"(`lancang train ner GOLD -o MODEL_DIR --src {language(tag)} --backend crf`)")

    def entities(self, texts: Sequence[str], tokens: Sequence[Sequence[Span] | None], lang: str
                 ) -> list[list[dict[str, Any]]]:
        self.prepare(lang, language(lang))
        return [tag_text(self.tagger, self.featurize, t) for t in texts]


def tag_text(tagger: Any, featurize: Featurizer, text: str, lexicon: Lexicon | None = None) -> list[dict[str, Any]]:
    spans, feats = featurize(text, lexicon)
    return decode(spans, tagger.tag(feats)) if spans else []


# ----------------------------------------------------------------------------------- training

Side = tuple[str, str, str, list[dict[str, Any]]]


@dataclass
class Trial:
    features: tuple[str, ...]
    c1: float
    c2: float
    seconds: float
    dev: dict[str, Any] | None = None
    iterations: int = 0

    @property
    def dev_f1(self) -> float | None:
        return self.dev["exact"]["f1"] if self.dev else None


@dataclass
class CrfResult:
    settings: dict[str, Any]
    trials: list[Trial] = field(default_factory=list)
    best: Trial | None = None
    workdir: Path | None = None


def fold_lexicons(sides: Iterable[Side], units: Units, stats: GoldStats) -> tuple[Lexicon, list[Lexicon], int]:
    """First pass over the gold: (the whole training lexicon, per fold the lexicon of the other folds,
    number of sides). Folds are contiguous blocks, as documents are."""
    per_side: list[tuple[list[tuple[tuple[str, ...], str]], list[str]]] = []
    for _rid, _tag, text, items in sides:
        spans = units.spans(text)
        bioes(spans, items, stats)  # counts what the units widen or leave out, once
        ents = []
        for it in items:
            inside = [(s, e) for s, e in spans if s < it["end"] and it["start"] < e]
            if inside:
                ents.append((Lexicon.key(text, inside), it["label"]))
        per_side.append((ents, [text[s:e] for s, e in spans] if units.kind != "char" else []))
    n = len(per_side)
    fold_counts: list[dict[tuple[str, ...], Counter[str]]] = [defaultdict(Counter) for _ in range(FOLDS)]
    fold_vocab: list[dict[str, list[int]]] = [defaultdict(lambda: [0, 0, 0]) for _ in range(FOLDS)]
    for k, (ents, words) in enumerate(per_side):
        f = fold_of(k, n)
        for key, lab in ents:
            fold_counts[f][key][lab] += 1
        for i, w in enumerate(words):
            v = fold_vocab[f][w.lower()]
            v[0] += 1
            if i:
                v[1] += 1
                v[2] += w[:1].isupper()
    del per_side

    def merged(folds: Iterable[int]) -> Lexicon:
        c: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        voc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for g in folds:
            for key, cnt in fold_counts[g].items():
                c[key].update(cnt)
            for w, v in fold_vocab[g].items():
                acc = voc[w]
                for j in range(3):
                    acc[j] += v[j]
        return Lexicon.from_counts(c, voc)

    others = [merged(g for g in range(FOLDS) if g != f) for f in range(FOLDS)]
    return merged(range(FOLDS)), others, n


def fold_of(k: int, n: int) -> int:
    return min(FOLDS - 1, k * FOLDS // max(n, 1))


def train(read_train: Callable[[GoldStats], Iterable[Side]], lang: str, *, dev_sides: Sequence[Side] | None = None,
          feature_sets: Sequence[tuple[str, ...]] | None = None, grid: Sequence[tuple[float, float]] = C_GRID,
          max_iterations: int = 150, stats: GoldStats | None = None,
          on_trial: Callable[[Trial], None] | None = None, on_gold: Callable[[GoldStats], None] | None = None,
          workdir: PathLike | None = None) -> CrfResult:
    """Train CRF models on the gold sides ``read_train(stats)`` yields (called once for the lexicon and
    once per feature set: the gold is streamed, never held) and keep the best by dev exact micro F1.

    Feature sets are tried with the first (c1, c2) of ``grid``; the rest of the grid with the best
    set. Without dev sides one model is trained: every feature group, the first (c1, c2). The chosen
    model is ``model.crfsuite`` in the returned ``workdir`` (a temporary folder unless given)."""
    import pycrfsuite

    stats = stats if stats is not None else GoldStats()
    units = Units(lang)
    stats.units = {"char": "character", "seg": f"{units.segmenter} word"}.get(units.kind, "word")
    kind = "char" if units.kind == "char" else "word"
    if units.segmenter:
        from . import spec

        spec(units.segmenter).require_backend()
    sets = list(feature_sets or FEATURE_SETS[kind])
    if not units.segmenter:  # no word boundaries to give (Japanese has no lancang segmenter yet)
        sets = [fs for fs in sets if "seg" not in fs] or [("char",)]
    if not dev_sides:
        sets = [sets[-1]]
        grid = grid[:1]
    full_lex, others, n = fold_lexicons(read_train(stats), units, stats)
    if not stats.sides:
        raise UsageError(f"no gold sides in language {lang!r} with an entities layer")
    if not stats.entities:
        raise UsageError(f"the gold has {stats.sides:,} sides in {lang!r} but no entities to learn from")
    if on_gold:
        on_gold(stats)
    work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="lancang-crf."))
    work.mkdir(parents=True, exist_ok=True)
    trials: list[Trial] = []
    best: tuple[float, int] | None = None
    dev_texts = [t for _, _, t, _ in dev_sides or ()]
    labels: set[str] = set()

    def run(trainer: Any, feats: tuple[str, ...], c1: float, c2: float, featurize: Featurizer) -> None:
        nonlocal best
        k = len(trials)
        path = work / f"trial{k}.crfsuite"
        trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations,
                            "feature.possible_transitions": True})
        t0 = time.perf_counter()
        trainer.train(str(path))
        trial = Trial(feats, c1, c2, time.perf_counter() - t0, iterations=_iterations(trainer))
        if dev_sides:
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            trial.dev = score_predictions(dev_sides, [tag_text(tagger, featurize, t) for t in dev_texts])
            tagger.close()
        trials.append(trial)
        if on_trial:
            on_trial(trial)
        f1 = -1.0 if trial.dev_f1 is None else trial.dev_f1
        if best is None or f1 > best[0]:
            if best is not None:
                (work / f"trial{best[1]}.crfsuite").unlink(missing_ok=True)
            best = (f1, k)
        else:
            path.unlink(missing_ok=True)

    def trainer_for(feats: tuple[str, ...]) -> tuple[Any, Featurizer]:
        trainer = pycrfsuite.Trainer(verbose=False)
        featurize = Featurizer(units, feats, full_lex)
        k = 0
        for _rid, _tag, text, items in read_train(GoldStats()):
            spans, x = featurize(text, others[fold_of(k, n)])
            k += 1
            if not spans:
                continue
            y = bioes(spans, items)
            labels.update(t.split("-", 1)[1] for t in y if t != "O")
            trainer.append(x, y)
        return trainer, featurize

    c1, c2 = grid[0]
    best_set: tuple[Any, Featurizer, tuple[str, ...]] | None = None
    best_set_f1 = None
    for feats in sets:
        trainer, featurize = trainer_for(feats)
        run(trainer, feats, c1, c2, featurize)
        f1 = -1.0 if trials[-1].dev_f1 is None else trials[-1].dev_f1
        if best_set_f1 is None or f1 > best_set_f1:
            best_set, best_set_f1 = (trainer, featurize, feats), f1
    assert best_set is not None
    trainer, featurize, feats = best_set
    for c1, c2 in grid[1:]:
        run(trainer, feats, c1, c2, featurize)
    assert best is not None
    chosen = trials[best[1]]
    (work / f"trial{best[1]}.crfsuite").rename(work / MODEL_FILE)
    full_lex.write(work)
    settings = {"format": FORMAT_VERSION, "lang": lang, "units": units.kind, "segmenter": units.segmenter,
                "features": list(chosen.features), "c1": chosen.c1, "c2": chosen.c2,
                "max_iterations": max_iterations, "labels": sorted(labels), "lexicon_entries": len(full_lex.entries),
                "vocabulary": len(full_lex.vocab),
                "folds": FOLDS, "gold": stats.to_dict(), "dev": chosen.dev,
                "trials": [{"features": list(t.features), "c1": t.c1, "c2": t.c2, "seconds": round(t.seconds, 2),
                            "iterations": t.iterations,
                            "dev_exact_f1": t.dev_f1} for t in trials]}
    return CrfResult(settings, trials, chosen, work)


def _iterations(trainer: Any) -> int:
    try:
        return int(trainer.logparser.iterations[-1]["num"]) if trainer.logparser.iterations else 0
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        return 0


def write_settings(work: Path, settings: Mapping[str, Any]) -> None:
    (work / CRF_SETTINGS).write_text(json.dumps(settings, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def fit_model(gold: PathLike, *, output: PathLike, lang: str, fmt: str | None = None,
              options: Mapping[str, Any] | None = None, dev_sides: Sequence[Side] | None = None,
              limit: int | None = None, max_iterations: int = 150, name: str = "ner", version: str = "0.1.0",
              echo: Callable[[str], None] = lambda _m: None) -> tuple[Path, dict[str, Any]]:
    """Train a CRF model from gold files into a temporary folder beside ``output``: (folder, summary)."""
    from ..quality.scores import shown

    def read_train(st: GoldStats) -> Iterator[Side]:
        return gold_sides(read_gold(gold, fmt, lang, options), lang, st, limit)

    def report(t: Trial) -> None:
        line = f"crf {'+'.join(t.features)} c1={t.c1:g} c2={t.c2:g}: {t.iterations} iterations"
        if t.dev:
            x = t.dev["exact"]
            line += f", dev exact P {shown(x['precision'])} R {shown(x['recall'])} F1 {shown(x['f1'])}"
        echo(line + f" ({t.seconds:.1f} s)")

    out = Path(output)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.crf.", dir=out.parent))
    st = GoldStats()
    t0 = time.perf_counter()
    try:
        res = train(read_train, lang, dev_sides=dev_sides, max_iterations=max_iterations, stats=st,
                    on_trial=report, on_gold=lambda s: echo(f"gold {gold}: {s.describe()}"), workdir=work)
    except UsageError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise UsageError(str(exc) if str(exc).startswith(str(gold)) else f"{gold}: {exc}") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    seconds = time.perf_counter() - t0
    res.settings.update({"name": name, "version": version, "train_seconds": round(seconds, 1),
                         "train_sentences_per_second": round(st.sides / seconds, 1) if seconds else None})
    write_settings(work, res.settings)
    perf = None
    if res.best and res.best.dev:
        ex = res.best.dev["exact"]
        perf = {"ents_p": ex["precision"], "ents_r": ex["recall"], "ents_f": ex["f1"]}
    return work, {"output": str(output), "backend": "crf", "pipeline": f"{language(lang)}_{name}",
                  "version": version, "labels": res.settings["labels"], "performance": perf, "gold": st.to_dict(),
                  "features": res.settings["features"], "c1": res.settings["c1"], "c2": res.settings["c2"],
                  "trials": res.settings["trials"], "train_seconds": round(seconds, 1)}


def train_model(gold: PathLike, *, output: PathLike, lang: str, backend: str = "crf", fmt: str | None = None,
                options: Mapping[str, Any] | None = None, dev: PathLike | None = None, epochs: int = 10,
                batch_size: int = 8, seed: int = 0, limit: int | None = None, max_iterations: int = 150,
                name: str = "ner", version: str = "0.1.0", force: bool = False,
                echo: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """`lancang train ner --backend spacy|crf|auto` as a function. ``auto`` trains both on the same gold,
    scores both on dev with the same scorer and writes the better (the spaCy one on a tie); it needs dev."""
    from . import ner, spec

    if backend not in ("spacy", "crf", "auto"):
        raise UsageError(f"unknown NER backend {backend!r} (spacy, crf or auto)")
    if backend == "spacy":
        return {"backend": "spacy", **ner.train_model(
            gold, output=output, lang=lang, fmt=fmt, options=options, dev=dev, epochs=epochs, batch_size=batch_size,
            seed=seed, limit=limit, name=name, version=version, force=force, echo=echo)}
    if backend == "auto" and not dev:
        raise UsageError("--backend auto chooses by dev score: give held-out gold with --dev")
    spec("crf-ner").require_backend()
    if backend == "auto":
        spec("spacy-ner").require_backend()
    check_tag(lang)
    check_output(output, force)
    if Units(lang).segmenter:
        spec(Units(lang).segmenter).require_backend()
    dev_sides = None
    if dev:
        dst = GoldStats()
        dev_sides = list(gold_sides(read_gold(dev, fmt, lang, options), lang, dst))
        if not dst.sides:
            raise UsageError(f"{dev}: no sides in language {lang!r} with an entities layer")
        echo(f"dev {dev}: {dst.describe()}")
    spacy_res = None
    if backend == "auto":
        echo("spaCy:")
        nlp, spacy_res = ner.fit_model(gold, output=output, lang=lang, fmt=fmt, options=options, dev=dev,
                                       epochs=epochs, batch_size=batch_size, seed=seed, limit=limit, name=name,
                                       version=version, force=force, echo=echo)
        echo("CRF:")
    work, res = fit_model(gold, output=output, lang=lang, fmt=fmt, options=options, dev_sides=dev_sides,
                          limit=limit, max_iterations=max_iterations, name=name, version=version, echo=echo)
    try:
        if spacy_res is not None:
            f_spacy = (spacy_res.get("performance") or {}).get("ents_f")
            f_crf = (res.get("performance") or {}).get("ents_f")
            crf_wins = f_crf is not None and (f_spacy is None or f_crf > f_spacy)
            res["compared"] = {"spacy": f_spacy, "crf": f_crf}
            if not crf_wins:
                ner.write_model(nlp, output, force)
                return {**spacy_res, "backend": "spacy", "compared": res["compared"]}
        install_dir(lambda tmp: _move_contents(work, tmp), output, force)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return res


def _move_contents(src: Path, dst: Path) -> None:
    for p in src.iterdir():
        shutil.move(str(p), str(dst / p.name))
