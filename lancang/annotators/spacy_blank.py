"""Indonesian, Malay, Filipino/Tagalog and English tokens and sentences with spaCy's blank pipelines.

A blank pipeline is spaCy's rule-based tokenizer for the language (prefixes, suffixes, infixes and
exceptions such as ``Dr.``) with no trained model, so nothing is downloaded. Sentences come from
spaCy's ``sentencizer`` (punctuation rules). Texts are processed a batch at a time with
``nlp.pipe``. Filipino (``fil``) uses spaCy's Tagalog (``tl``) rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..corpora.langs import iso639_1, language
from .base import AnnotatorSpec
from .segmenter import Segmenter, options
from .spans import Span, normalize_spans

SPACY = AnnotatorSpec(
    name="spacy",
    description="Tokens (rule-based tokenizer) and sentences (sentencizer) with spaCy blank pipelines",
    provides=("tokens", "sentences"),
    languages=("id", "ms", "fil", "en"),
    factory="lancang.annotators.spacy_blank:SpacyBlank",
    backend="spacy",
    modules=("spacy",),
    extra="spacy",
    config=options(common=("lexicon",), batch_size={"type": "integer", "minimum": 1, "default": 256,
                               "description": "Texts per nlp.pipe batch."}),
)

def spacy_code(tag: str) -> str:
    """spaCy's language code for a language tag (``fil`` is spaCy's ``tl``)."""
    return iso639_1(language(tag))


class SpacyBlank(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        import spacy

        self._spacy = spacy
        self._nlps: dict[tuple[str, str], Any] = {}
        self._batch = int(config.get("batch_size", 256))

    def nlp(self, tag: str, layer: str) -> Any:
        code = spacy_code(tag)
        key = (code, layer)
        if key not in self._nlps:
            nlp = self._spacy.blank(code)
            if layer == "sentences":
                nlp.add_pipe("sentencizer")
            self._nlps[key] = nlp
        return self._nlps[key]

    def run(self, layer: str, texts: Sequence[str], lang: str) -> list[list[Span]]:
        nlp = self.nlp(lang, layer)
        longest = max((len(t) for t in texts), default=0)
        if longest >= nlp.max_length:
            nlp.max_length = longest + 1
        out: list[list[Span]] = []
        for text, doc in zip(texts, nlp.pipe(texts, batch_size=self._batch)):
            if layer == "tokens":
                spans = normalize_spans(text, ((t.idx, t.idx + len(t)) for t in doc))
                out.append(self.lexicon.adapt(text, spans) if self.lexicon else spans)
            else:
                out.append(normalize_spans(text, ((s.start_char, s.end_char) for s in doc.sents), "sentences"))
        return out

    def tokens(self, text: str, lang: str) -> list[Span]:
        return self.run("tokens", [text], lang)[0]

    def sentences(self, text: str, lang: str) -> list[Span]:
        return self.run("sentences", [text], lang)[0]
