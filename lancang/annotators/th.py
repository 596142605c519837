"""Thai: PyThaiNLP newmm (default) and nlpo3 words, PyThaiNLP CRFCut sentences.

nlpo3 ships no dictionary; it is loaded with PyThaiNLP's ``words_th.txt``, so both word segmenters
use the same word list and differ in speed, not in vocabulary. A lexicon's words are added to the
dictionary of either (and strings the gold splits are removed from it).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from typing import Any

from .base import Annotator, AnnotatorSpec
from .segmenter import Segmenter, options
from .spans import Span, locate

NEWMM = AnnotatorSpec(
    name="newmm",
    description="Thai words with PyThaiNLP newmm (dictionary maximal matching within Thai character clusters)",
    provides=("tokens",),
    languages=("th",),
    factory="lancang.annotators.th:Newmm",
    backend="pythainlp",
    modules=("pythainlp",),
    extra="th",
    tool="pythainlp.newmm",
    config=options(
        common=("lexicon", "lexicon_native", "max_chars"),
        safe={"type": "boolean", "default": False,
              "description": "newmm safe mode: bound the search on long ambiguous stretches."},
        join_broken_num={"type": "boolean", "default": True,
                         "description": "Keep numbers such as 1,000.5 in one token."},
    ),
)

NLPO3 = AnnotatorSpec(
    name="nlpo3",
    description="Thai words with nlpo3 (newmm in Rust) and PyThaiNLP's word list",
    provides=("tokens",),
    languages=("th",),
    factory="lancang.annotators.th:Nlpo3",
    backend="nlpo3",
    modules=("nlpo3", "pythainlp"),
    extra="th",
    config=options(common=("lexicon", "lexicon_native", "max_chars"),
                   safe={"type": "boolean", "default": False, "description": "nlpo3 safe mode."}),
)

CRFCUT = AnnotatorSpec(
    name="crfcut",
    description="Thai sentences with PyThaiNLP CRFCut (CRF over words, trained on TED, ORCHID and Fake review)",
    provides=("sentences",),
    languages=("th",),
    factory="lancang.annotators.th:CrfCut",
    backend="pythainlp",
    modules=("pythainlp", "pycrfsuite"),
    extra="th",
    tool="pythainlp.crfcut",
    config={"type": "object", "properties": {}},
)


def thai_word_list(lexicon: Any = None) -> set[str]:
    from pythainlp.corpus import thai_words

    words = set(thai_words())
    if lexicon is not None:
        words |= {w for w in lexicon.joins() if not any(c.isspace() for c in w)}
        words -= {w for w, _ in lexicon.splits()}
    return words


class Newmm(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        from pythainlp.tokenize import word_tokenize

        self._wt = word_tokenize
        self._dict = None
        if self.native is not None:
            from pythainlp.util import Trie

            self._dict = Trie(thai_word_list(self.native))
        self._engine = "newmm-safe" if config.get("safe") else "newmm"
        self._jbn = bool(config.get("join_broken_num", True))

    def segment(self, text: str, lang: str) -> list[Span]:
        words = self._wt(text, custom_dict=self._dict, engine=self._engine, keep_whitespace=True,
                         join_broken_num=self._jbn)
        return locate(text, words)


class Nlpo3(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        import nlpo3
        from pythainlp.corpus import corpus_path

        self._seg = nlpo3.segment
        self._safe = bool(config.get("safe", False))
        if self.native is None:
            self._name = "lancang-th"
            nlpo3.load_dict(os.path.join(corpus_path(), "words_th.txt"), self._name)
            return
        words = sorted(thai_word_list(self.native))
        digest = hashlib.sha1("\n".join(words).encode()).hexdigest()[:12]
        self._name = f"lancang-th-{digest}"
        fd, path = tempfile.mkstemp(prefix="lancang-th-", suffix=".txt")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write("\n".join(words) + "\n")
            nlpo3.load_dict(path, self._name)
        finally:
            os.unlink(path)

    def segment(self, text: str, lang: str) -> list[Span]:
        return locate(text, self._seg(text, self._name, self._safe))


class CrfCut(Annotator):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        from pythainlp.tokenize.crfcut import segment

        self._segment = segment

    def sentences(self, text: str, lang: str) -> list[Span]:
        return windowed_sentences(text, self._split_one)

    def _split_one(self, chunk: str) -> list[Span]:
        return locate(chunk, self._segment(chunk), kind="sentences")


#: CRFCut holds features for every word of its input (about 1.5 KB a character): longer sides are cut
#: in windows of about this many characters
WINDOW = 8_000


def windowed_sentences(text: str, split: Any, window: int = WINDOW) -> list[Span]:
    """Sentence spans of ``text`` from ``split(chunk) -> spans``, run on bounded windows.

    A window ends at white space where it can (Thai writes a space between sentences). Its last
    sentence may run on past the window, so it is not kept: the next window starts where it starts,
    and every sentence the splitter sees whole is decided with its context as in one pass. A window
    that holds a single sentence (no break in ``window`` characters) keeps it as it is.
    """
    n = len(text)
    if n <= window:
        return split(text)
    out: list[Span] = []
    pos = 0
    while pos < n:
        end = min(n, pos + window)
        if end < n:
            cut = max(text.rfind(" ", pos + window // 2, end), text.rfind("\n", pos + window // 2, end))
            if cut > pos:
                end = cut + 1
        spans = split(text[pos:end])
        if end < n and len(spans) > 1:
            spans = spans[:-1]  # may run on past the window: the next window starts where it starts
            out.extend((a + pos, b + pos) for a, b in spans)
            pos += spans[-1][1]
        else:  # the last window, or one sentence as long as the window (it ends at the cut)
            out.extend((a + pos, b + pos) for a, b in spans)
            pos = end
    return out
