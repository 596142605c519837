"""Vietnamese: pyvi and underthesea words (multi-syllable words keep their inner spaces), and
underthesea sentences.

pyvi returns one string with the syllables of a word joined by ``_`` and spaces between words
(and drops line breaks); underthesea returns words with spaces and re-normalises accent placement
(``hoà`` -> ``hòa``) unless told not to. Both are mapped back to the original text, so a word such
as ``sinh viên`` is one token whose span covers the inner space.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import AnnotatorSpec
from .segmenter import Segmenter, options
from .spans import Span, locate

PYVI = AnnotatorSpec(
    name="pyvi",
    description="Vietnamese words with pyvi (CRF over syllables)",
    provides=("tokens",),
    languages=("vi",),
    factory="lancang.annotators.vi:Pyvi",
    backend="pyvi",
    modules=("pyvi",),
    extra="vi",
    config=options(),
)

UNDERTHESEA = AnnotatorSpec(
    name="underthesea",
    description="Vietnamese words (CRF) and sentences with underthesea",
    provides=("tokens", "sentences"),
    languages=("vi",),
    factory="lancang.annotators.vi:Underthesea",
    backend="underthesea",
    modules=("underthesea",),
    extra="vi",
    config=options(
        common=("lexicon", "lexicon_native", "max_chars"),
        normalize={"type": "boolean", "default": False,
                   "description": "Let underthesea normalise tokens (accent placement) before tagging; "
                                  "offsets always refer to the original text."},
    ),
)


class Pyvi(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        from pyvi import ViTokenizer

        self._tokenize = ViTokenizer.tokenize

    def segment(self, text: str, lang: str) -> list[Span]:
        return locate(text, self._tokenize(text).split(" "), ignore="_")


class Underthesea(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        import underthesea

        self._wt = underthesea.word_tokenize
        self._st = underthesea.sent_tokenize
        self._norm = bool(config.get("normalize", False))
        self._fixed = None
        if self.native is not None:  # underthesea keeps these multi-syllable words whole
            self._fixed = sorted(w for w in self.native.joins() if " " in w)

    def segment(self, text: str, lang: str) -> list[Span]:
        return locate(text, self._wt(text, use_token_normalize=self._norm, fixed_words=self._fixed))

    def sentences(self, text: str, lang: str) -> list[Span]:
        return locate(text, self._st(text), kind="sentences")

