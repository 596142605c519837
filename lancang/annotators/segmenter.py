"""The base of every word segmenter: long-text chunking and the gold-derived lexicon.

A subclass implements :meth:`Segmenter.segment` for one piece of text (at most ``max_chars``
characters, cut at a line break, sentence end or space where one is near). The configuration key
``lexicon`` names a file written by ``lancang train lexicon``: each segmenter that has a dictionary
of its own gets the words through :meth:`Segmenter.native_lexicon`, and every segmenter applies
the lexicon's joins and splits to its output, so it follows the gold corpus's standard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Annotator, chunks
from .spans import Span

#: configuration keys segmenters accept (``lexicon_native`` only those with a dictionary of their own)
COMMON_OPTIONS: dict[str, Any] = {
    "lexicon": {"type": "string", "minLength": 1,
                "description": "Lexicon from `lancang train lexicon` (TSV): words to keep whole, strings to split."},
    "lexicon_native": {"type": "boolean", "default": False,
                       "description": "Also put the lexicon's words into the backend's own dictionary. Off by "
                                      "default: measured worse than joining and splitting the output alone "
                                      "(see docs/benchmarks.md)."},
    "max_chars": {"type": "integer", "minimum": 200, "default": 20000,
                  "description": "Longest piece of text given to the backend at once; longer texts are cut "
                                 "at a line break, sentence end or space."},
}


def options(common: tuple[str, ...] = ("lexicon", "max_chars"), **specific: Any) -> dict[str, Any]:
    """A configuration schema: the segmenter's own options plus the common ones it honours."""
    return {"type": "object", "properties": {**specific, **{k: COMMON_OPTIONS[k] for k in common}}}


class Segmenter(Annotator):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        self._max = int(config.get("max_chars", 20000))
        self.lexicon = None
        if config.get("lexicon"):
            from .lexicon import Lexicon

            self.lexicon = Lexicon.load(config["lexicon"])
        #: the lexicon, when it should also go into the backend's own dictionary
        self.native = self.lexicon if config.get("lexicon_native") else None

    def tokens(self, text: str, lang: str) -> list[Span]:
        if len(text) <= self._max:
            out = self.segment(text, lang)
            return self.lexicon.adapt(text, out) if self.lexicon is not None else out
        out = []
        for off, piece in chunks(text, self._max):
            if not piece.strip():
                continue
            if off:
                out.extend((s + off, e + off) for s, e in self.segment(piece, lang))
            else:
                out.extend(self.segment(piece, lang))
        if self.lexicon is not None:
            out = self.lexicon.adapt(text, out)
        return out

    def segment(self, text: str, lang: str) -> list[Span]:  # pragma: no cover - abstract
        raise NotImplementedError
