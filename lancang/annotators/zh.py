"""Chinese word segmentation with jieba; Traditional input through OpenCC with offsets mapped back.

jieba is trained on Simplified text. For a side tagged ``zh-Hant`` (or ``zh-TW``/``-HK``/``-MO``
without a script), or with ``traditional: always``, the text is converted with OpenCC (``t2s`` by
default), segmented, and each boundary is carried back to the original characters. OpenCC's
``t2s`` maps one character to one character on the PUD sentences (300 of 300 keep their length),
so the mapping is positional there; where a conversion changes the length the two texts are
aligned (:func:`lancang.annotators.spans.align`) instead of assuming it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ..corpora.langs import is_traditional
from .base import AnnotatorSpec
from .segmenter import Segmenter, options
from .spans import Span, align, map_bounds, normalize_spans

JIEBA = AnnotatorSpec(
    name="jieba",
    description="Chinese words with jieba (prefix dictionary + HMM for unknown words); Traditional via OpenCC",
    provides=("tokens",),
    languages=("zh",),
    factory="lancang.annotators.zh:Jieba",
    backend="jieba",
    modules=("jieba", "opencc"),
    extra="zh",
    config=options(
        common=("lexicon", "lexicon_native", "max_chars"),
        hmm={"type": "boolean", "default": True, "description": "Use jieba's HMM to find words not in the dictionary."},
        user_dict={"type": "array", "items": {"type": "string"}, "default": [],
                   "description": "jieba user dictionaries (word [freq] [tag] per line)."},
        traditional={"enum": ["auto", "always", "never"], "default": "auto",
                     "description": "Convert to Simplified before segmenting: auto = when the tag says Traditional."},
        opencc={"enum": ["t2s", "tw2s", "hk2s", "tw2sp"], "default": "t2s",
                "description": "OpenCC configuration used for the conversion."},
    ),
)


class Jieba(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        for path in config.get("user_dict", []):
            self._tk.load_userdict(path)
        if self.native is not None:
            self.native_lexicon()
        self._hmm = bool(config.get("hmm", True))
        self._mode = config.get("traditional", "auto")
        self._cc = None
        self._cc_name = config.get("opencc", "t2s")

    def native_lexicon(self) -> None:
        """Gold words become jieba words; strings the gold always splits get their split forced.

        jieba suggests each added word's frequency from the dictionary as it stands, so the order of
        adding decides the frequencies: words go in shortest first (then by code point), so a longer
        word's frequency is suggested against a dictionary that already holds its parts, and the
        result is the same in every process (``joins()`` is a set, whose order follows
        PYTHONHASHSEED) and whether the lexicon was just trained or read from its file."""
        assert self.native is not None
        for word in sorted(self.native.joins(), key=lambda w: (len(w), w)):
            if not any(c.isspace() for c in word):
                self._tk.add_word(word)
        for word, pieces in sorted(self.native.splits(), key=lambda wp: (len(wp[0]), wp[0])):
            if self._tk.FREQ.get(word):
                self._tk.suggest_freq(tuple(pieces), tune=True)

    def converter(self) -> Any:
        if self._cc is None:
            import opencc

            self._cc = opencc.OpenCC(self._cc_name)
        return self._cc

    def tokens(self, text: str, lang: str) -> list[Span]:
        self._convert = self._mode == "always" or (self._mode == "auto" and is_traditional(lang))
        return super().tokens(text, lang)

    def _spans(self, text: str) -> list[Span]:
        """jieba's words as spans (what ``Tokenizer.tokenize`` computes, without its word strings)."""
        out, pos = [], 0
        for w in self._tk.cut(text, HMM=self._hmm):
            end = pos + len(w)
            out.append((pos, end))
            pos = end
        return out

    def segment(self, text: str, lang: str) -> list[Span]:
        if not self._convert:
            return normalize_spans(text, self._spans(text))
        simp = self.converter().convert(text)
        spans = self._spans(simp)
        if len(simp) != len(text):
            spans = carry_back(text, simp, spans)
        return normalize_spans(text, spans)


def carry_back(original: str, converted: str, spans: list[Span]) -> list[Span]:
    """Spans of a converted text carried back to the original through a character alignment."""
    return map_bounds(align(original, converted), spans)
