"""Annotators: word segmenters, sentence splitters and named entities (``spacy-ner``, with a model).

The registry ``ANNOTATORS`` maps a name to an :class:`~lancang.annotators.base.AnnotatorSpec`,
filled from the built-in table below and from the ``lancang.annotators`` entry-point group, so a
third party adds an annotator by publishing a spec. Specs are plain data: listing them imports no
backend. :data:`DEFAULTS` says which annotator serves a layer for a language when the user does not
choose (``--use``).

>>> spec("jieba").provides, spec("jieba").install_hint
(('tokens',), 'pip install "lancang[zh]"')
>>> default_for("sentences", "km"), default_for("sentences", "en"), default_for("tokens", "fil")
('punct', 'punct', 'spacy')
"""

from __future__ import annotations

from ..errors import UsageError
from ..registry import Registry
from .base import LAYERS, Annotator, AnnotatorSpec, BackendMissing, ModelMissing

BUILTIN = {
    "jieba": "lancang.annotators.zh:JIEBA",
    "newmm": "lancang.annotators.th:NEWMM",
    "nlpo3": "lancang.annotators.th:NLPO3",
    "crfcut": "lancang.annotators.th:CRFCUT",
    "pyvi": "lancang.annotators.vi:PYVI",
    "underthesea": "lancang.annotators.vi:UNDERTHESEA",
    "khmer-nltk": "lancang.annotators.sea:KHMER_NLTK",
    "laonlp": "lancang.annotators.sea:LAONLP",
    "burmesenlp": "lancang.annotators.sea:BURMESENLP",
    "spacy": "lancang.annotators.spacy_blank:SPACY",
    "punct": "lancang.annotators.rules:PUNCT",
    "sentencepiece": "lancang.annotators.subword:SENTENCEPIECE",
    "stanza": "lancang.annotators.stanza_local:STANZA",
    "spacy-ner": "lancang.annotators.ner:SPACY_NER",
    "crf-ner": "lancang.annotators.ner_crf:CRF_NER",
}

ANNOTATORS = Registry("annotator", "lancang.annotators", BUILTIN)

#: layer -> language -> default annotator ("*" = any other language)
DEFAULTS: dict[str, dict[str, str]] = {
    "tokens": {"zh": "jieba", "th": "newmm", "vi": "pyvi", "km": "khmer-nltk", "lo": "laonlp",
               "my": "burmesenlp", "id": "spacy", "ms": "spacy", "fil": "spacy", "en": "spacy"},
    # spaCy's sentencizer is not the default for id/ms/fil/en: it hangs the opening quote of the next
    # sentence on the previous one (F1 0.80 vs 0.98 for punct on English PUD; see docs/benchmarks.md)
    "sentences": {"zh": "punct", "th": "crfcut", "vi": "underthesea", "*": "punct"},
    # entities have no default: spacy-ner needs a model chosen with --set spacy-ner.model=...
}


def spec(name: str) -> AnnotatorSpec:
    obj = ANNOTATORS.get(name)
    if not isinstance(obj, AnnotatorSpec):
        raise UsageError(f"annotator {name!r} is registered as {type(obj).__name__}, not an AnnotatorSpec")
    return obj


def all_specs() -> list[AnnotatorSpec]:
    return [spec(n) for n in ANNOTATORS.names()]


def default_for(layer: str, lang: str) -> str | None:
    table = DEFAULTS.get(layer, {})
    return table.get(lang, table.get("*"))


__all__ = ["ANNOTATORS", "DEFAULTS", "LAYERS", "Annotator", "AnnotatorSpec", "BackendMissing", "ModelMissing",
           "all_specs", "default_for", "spec"]
