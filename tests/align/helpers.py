"""Shared builders for the alignment tests (gold data is read from ../shared/data, never copied)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

import align_data  # noqa: E402  (benchmarks/align_data.py: gold readers and perturbation)


def side(tokens: list[str], joiner: str = " ", sentences: list[int] | None = None) -> dict:
    """A side whose text is the tokens joined, with a tokens layer (and a sentences layer when
    ``sentences`` gives the number of tokens of each sentence)."""
    text, spans = "", []
    for t in tokens:
        if text:
            text += joiner
        spans.append([len(text), len(text) + len(t)])
        text += t
    out = {"text": text, "layers": {"tokens": {"spans": spans}}}
    if sentences is not None:
        ends = [sum(sentences[:k + 1]) for k in range(len(sentences))]
        out["layers"]["sentences"] = {"spans": [[spans[e - n][0], spans[e - 1][1]] for n, e in zip(sentences, ends)]}
    return out


def doc_side(sentences: list[str], joiner: str = " ") -> dict:
    """A side whose text is the sentences joined, with a sentences layer."""
    text, spans = "", []
    for s in sentences:
        if text:
            text += joiner
        spans.append([len(text), len(text) + len(s)])
        text += s
    return {"text": text, "layers": {"sentences": {"spans": spans}}}


__all__ = ["align_data", "side", "doc_side"]
