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


def read_segmentation(path: PathLike, *, fmt: str | None = None, langs: Any = None,
                      options: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Records of ``path`` (any format) with tokens as surface words."""
    for rec in read_corpus(path, fmt, langs, **(options or {})):
        yield surface_record(rec)
