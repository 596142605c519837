"""Sentence and word alignment of parallel corpora, without neural encoders.

Two registries (filled from the tables below and from entry points, like every lancang registry):

* :data:`SENTENCE_ALIGNERS` -- ``lancang`` (:class:`~.sentence.SentenceAligner`: Gale–Church length
  with per-pair ratios, anchors, a learned lexicon, banded search) and ``gale-church`` (the plain
  baseline). Each has ``from_config(dict)``, ``fit(documents) -> model`` and
  ``align(src_sentences, tgt_sentences, model) -> beads``.
* :data:`WORD_ALIGNERS` -- ``gibbs`` (the default, :class:`~.gibbs.BayesAligner`: a Bayesian HMM
  with fertility trained by collapsed Gibbs sampling, numba-compiled), ``ibm2``
  (:class:`~.word.WordAligner`: IBM Model 1, then fast_align's Model 2 by EM with numpy; streams its
  training input) and ``eflomal`` (the optional GPL-3.0 backend, ``pip install "lancang[eflomal]"``,
  imported only when used). Both directions are trained and symmetrised. Each has
  ``from_config(dict)``, ``fit(pairs) -> (model or None, links or None)`` (the pairs read once; the
  links where training gave them, else the model aligns them with ``model.align(pairs)``) and
  ``train_align(pairs) -> (model or None, links)``; the models of ``gibbs`` and ``ibm2`` are one
  class, :class:`~.model.WordModel`, saved and loaded by :mod:`.model`.

>>> aligner = sentence_aligner("lancang", {"passes": 1})
>>> src = ["我有一本书。", "他在2019年去了北京。"]
>>> tgt = ["I have a book.", "He went to Beijing in 2019."]
>>> [(b[0], b[1]) for b in aligner.align(src, tgt)]
[([0], [0]), ([1], [1])]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...registry import Registry

SENTENCE_ALIGNERS = Registry("sentence aligner", "lancang.sentence_aligners", {
    "lancang": "lancang.annotators.align.sentence:SentenceAligner",
    "gale-church": "lancang.annotators.align.sentence:GaleChurch",
})

WORD_ALIGNERS = Registry("word aligner", "lancang.word_aligners", {
    "gibbs": "lancang.annotators.align.gibbs:BayesAligner",
    "ibm2": "lancang.annotators.align.word:WordAligner",
    "eflomal": "lancang.annotators.align.eflomal_backend:EflomalAligner",
})


def sentence_aligner(name: str = "lancang", config: Mapping[str, Any] | None = None) -> Any:
    """Build a sentence aligner from its registered name and configuration (unknown keys are errors)."""
    return SENTENCE_ALIGNERS.get(name).from_config(config)


def word_aligner(name: str = "gibbs", config: Mapping[str, Any] | None = None) -> Any:
    """Build a word aligner from its registered name and configuration (unknown keys are errors)."""
    return WORD_ALIGNERS.get(name).from_config(config)


__all__ = ["SENTENCE_ALIGNERS", "WORD_ALIGNERS", "sentence_aligner", "word_aligner"]
