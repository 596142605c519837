"""Gold word segmentation from any readable corpus, through the format hub.

UD's CoNLL-U splits a surface token into syntactic words (``membelinya`` -> ``membeli`` + ``nya``);
a word segmenter produces surface tokens, so segmentation is learnt and scored on those
(:func:`lancang.corpora.formats.conllu.surface_record`). Every other format's tokens are kept as read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..corpora.formats import read_corpus
from ..corpora.formats.conllu import surface_record
from ..corpora.jsonl import PathLike
from ..corpora.langs import language


def read_segmentation(path: PathLike, *, fmt: str | None = None, langs: Any = None,
                      options: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Records of ``path`` (any format) with tokens as surface words."""
    for rec in read_corpus(path, fmt, langs, **(options or {})):
        yield surface_record(rec)


def side_items(path: PathLike, *, layer: str | None, lang: str | None = None, fmt: str | None = None,
               langs: Any = None, options: dict[str, Any] | None = None) -> Iterator[tuple[str, Any]]:
    """``(tag, text)`` (``layer`` None) or ``(tag, (text, spans))`` of every side of a corpus in any
    format, only sides in ``lang`` when given; tokens are surface words (CoNLL-U multiword tokens whole)."""
    want = language(lang) if lang else None
    for rec in read_segmentation(path, fmt=fmt, langs=langs, options=options):
        for tag, side in rec.get("sides", {}).items():
            if want and language(tag) != want:
                continue
            if layer is None:
                yield tag, side.get("text", "")
                continue
            lay = side.get("layers", {}).get(layer)
            if lay:
                yield tag, (side["text"], [tuple(sp) for sp in lay["spans"]])
