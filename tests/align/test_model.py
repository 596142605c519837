"""The word-alignment model and the one shape of every word aligner (fit -> model, links; model.align)."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy", reason='the aligners need numpy: pip install "lancang[align]"')

import json
from dataclasses import dataclass
from typing import ClassVar

import orjson

from lancang.annotators.align import WORD_ALIGNERS
from lancang.annotators.align.model import WordModel, model_aligners
from lancang.annotators.align.records import align_words_file
from lancang.annotators.align.word import WordAligner, WordAlignerConfig
from lancang.errors import InputError, UsageError

from ..conftest import shared, write_jsonl
from .helpers import align_data, side


@pytest.fixture(scope="module")
def pairs():
    shared("alignment", "word")
    return [(s, t) for s, t, _ in align_data.word_gold("enfr")][:150]


def test_every_word_aligner_has_the_same_shape():
    for name, cls in WORD_ALIGNERS:
        al = cls.from_config({})
        assert callable(al.fit) and callable(al.train_align) and isinstance(cls.tool(), str), name
    assert model_aligners() == ["gibbs", "ibm2"]


@pytest.mark.parametrize("name", ["ibm2", "gibbs"])
def test_fit_reads_a_stream_once_and_agrees_with_train_align(pairs, name):
    if name == "gibbs":
        pytest.importorskip("numba", reason='the Gibbs aligner needs numba: pip install "lancang[align]"')
    al = WORD_ALIGNERS.get(name).from_config({"threads": 1} if name == "gibbs" else {})
    model, links = al.fit(iter(pairs))  # a one-pass iterator is enough
    assert isinstance(model, WordModel) and model.aligner == name
    if links is None:  # the model aligns what training did not
        links = model.align(pairs)
    assert links == al.train_align(pairs)[1]
    assert model.info["pairs"] == len(pairs)


@dataclass
class LowerConfig(WordAlignerConfig):
    aligner: ClassVar[str] = "ibm2-plugin"


class PluginAligner(WordAligner):
    """A third party's aligner that keeps a model: its saved model is loaded through the registry."""

    name = "ibm2-plugin"
    Config = LowerConfig


class Diagonal:
    """A third party's aligner that keeps no model: token i goes with the target token on the diagonal."""

    name = "diagonal"

    @classmethod
    def from_config(cls, config):
        return cls()

    @classmethod
    def tool(cls):
        return "diagonal-plugin"

    @staticmethod
    def version():
        return "0.1"

    def fit(self, pairs, method=None):
        return None, [[(i, i * len(t) // len(s), "S") for i in range(len(s))] if len(t) else [] for s, t in pairs]


def test_a_saved_model_finds_its_aligner_in_the_registry(tmp_path, pairs, monkeypatch):
    model, _ = PluginAligner().fit(pairs[:40])
    model.save(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "model.json").read_text())["aligner"] == "ibm2-plugin"
    with pytest.raises(InputError, match="unknown aligner 'ibm2-plugin'.*gibbs, ibm2"):
        WordModel.load(tmp_path / "m")
    monkeypatch.setitem(WORD_ALIGNERS._objects, "ibm2-plugin", PluginAligner)
    again = WordModel.load(tmp_path / "m")
    assert isinstance(again.config, LowerConfig) and again.aligner == "ibm2-plugin"
    assert again.align(pairs[:10]) == model.align(pairs[:10])


def test_align_words_file_runs_any_registered_aligner(tmp_path, monkeypatch):
    monkeypatch.setitem(WORD_ALIGNERS._objects, "diagonal", Diagonal)
    recs = [{"id": f"p{k}", "sides": {"en": side(["a", "b", "c", "d"]), "fr": side(["w", "x"])}} for k in range(3)]
    src, out = write_jsonl(tmp_path / "in.jsonl", recs), tmp_path / "out.jsonl"
    stats = align_words_file(src, out, aligner="diagonal")
    assert stats == {"records": 3, "pairs": 3, "links": 12, "sure": 12}
    [r, *_] = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    [link] = r["links"]
    assert link["pairs"] == [[0, 0, "S"], [1, 0, "S"], [2, 1, "S"], [3, 1, "S"]]
    tool = {"name": "diagonal-plugin", "version": "0.1", "settings": {"aligner": "diagonal"}}
    assert link["provenance"]["tool"] == tool
    with pytest.raises(UsageError, match="diagonal aligner keeps no model"):
        align_words_file(src, out, aligner="diagonal", save_model=tmp_path / "m")
    with pytest.raises(UsageError, match=r"--model works with the aligners that keep a model \(gibbs, ibm2\)"):
        align_words_file(src, out, aligner="diagonal", model_dir=tmp_path / "m")
