"""Khmer (khmer-nltk), Lao (LaoNLP) and Burmese (burmesenlp) word segmentation.

khmer-nltk drops zero-width spaces and other characters it cleans up before its CRF runs; LaoNLP
keeps every character; burmesenlp reports offsets into its *normalised* text (zero-width
characters removed, NFC, canonical mark order). All three are mapped back to the original text.
The burmesenlp pipeline is built once per annotator and reused. Sentences for these languages come
from the punctuation rules (``punct``), which know each script's sentence-final marks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import AnnotatorSpec
from .segmenter import Segmenter, options
from .spans import Span, locate, normalize_spans

KHMER_NLTK = AnnotatorSpec(
    name="khmer-nltk",
    description="Khmer words with khmer-nltk (CRF over Khmer character clusters)",
    provides=("tokens",),
    languages=("km",),
    factory="lancang.annotators.sea:KhmerNltk",
    backend="khmer-nltk",
    modules=("khmernltk",),
    extra="km",
    config=options(),
)

LAONLP = AnnotatorSpec(
    name="laonlp",
    description="Lao words with LaoNLP (dictionary maximal matching)",
    provides=("tokens",),
    languages=("lo",),
    factory="lancang.annotators.sea:LaoNlp",
    backend="laonlp",
    modules=("laonlp", "pythainlp"),
    extra="lo",
    config=options(common=("lexicon", "lexicon_native", "max_chars"),
                   safe={"type": "boolean", "default": True,
                         "description": "Bound the search on long ambiguous stretches (LaoNLP's default)."}),
)

BURMESENLP = AnnotatorSpec(
    name="burmesenlp",
    description="Burmese words (dictionary longest match over syllables) or syllables with burmesenlp",
    provides=("tokens",),
    languages=("my",),
    factory="lancang.annotators.sea:BurmeseNlp",
    backend="burmesenlp",
    modules=("burmesenlp",),
    extra="my",
    config=options(unit={"enum": ["word", "syllable"], "default": "word",
                         "description": "Segment into words or into syllables."}),
)


class KhmerNltk(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        import logging

        from khmernltk import word_tokenize

        logging.getLogger("khmer-nltk").setLevel(logging.WARNING)  # it sets DEBUG on import

        self._wt = word_tokenize
        self._wt("ក")  # loads the CRF model now rather than on the first record

    def segment(self, text: str, lang: str) -> list[Span]:
        return locate(text, self._wt(text))


class LaoNlp(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        from laonlp.tokenize import word_tokenize

        self._wt = word_tokenize
        self._safe = bool(config.get("safe", True))
        self._seg = None
        if self.native is not None:
            from laonlp.corpus import lao_words
            from laonlp.tokenize.multi_cut import segment
            from pythainlp.util import Trie

            words = set(lao_words()) | {w for w in self.native.joins() if " " not in w}
            words -= {w for w, _ in self.native.splits()}
            trie = Trie(words)
            self._seg = lambda t: segment(t, custom_dict=trie, safe_mode=self._safe)

    def segment(self, text: str, lang: str) -> list[Span]:
        words = self._seg(text) if self._seg else self._wt(text, safe_mode=self._safe)
        return locate(text, words)


class BurmeseNlp(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        from burmesenlp import BurmeseNLP, normalize

        self._nlp = BurmeseNLP(gazetteer=False)
        self._normalize = normalize
        self._syllables = config.get("unit") == "syllable"

    def segment(self, text: str, lang: str) -> list[Span]:
        toks = self._nlp.syllable_tokens(text) if self._syllables else self._nlp.word_tokens(text)
        if self._normalize(text) == text:  # offsets refer to this very text
            return normalize_spans(text, ((t.start, t.end) for t in toks))
        return locate(text, [t.text for t in toks])
