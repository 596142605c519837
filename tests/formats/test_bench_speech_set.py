"""The speech-format benchmark's generated set is valid speech data and every format it measures
carries its segments there and back (benchmarks/bench_speech_formats.py; no speed is asserted)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from lancang.corpora.invariants import check_record

from ..conftest import shared

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.fixture(scope="module")
def bench():
    shared("parallel", "talpco", "tha_data_tha-token.txt")
    shared("parallel", "pud", "zh_pud.conllu")
    import bench_speech_formats

    return bench_speech_formats


def test_generated_recordings_are_valid(bench) -> None:
    pools = bench.sentences()
    assert all(len(pools[lang]) > 100 for lang in bench.LANGS)
    for pool in pools.values():
        for text, words in pool[:200]:
            assert words and "".join(words) == text.replace(" ", "")  # every word found in the text
    rng = random.Random(1)
    for i, lang in enumerate(bench.LANGS):
        rec = bench.recording(i, lang, pools[lang], rng)
        assert check_record(rec) == []
        side = rec["sides"][lang]
        segs = side["layers"]["segments"]["spans"]
        assert 220 < len(segs) < 450 and segs[-1]["t1"] <= bench.RECORDING
        assert {s["tier"] for s in segs} == ({"A", "B"} if i % 2 else {"A"})
        assert len(side["layers"]["words"]["spans"]) > len(segs)


@pytest.mark.parametrize("fmt", ["jsonl", "textgrid", "eaf", "webvtt", "srt", "kaldi", "stm", "ctm"])
def test_each_format_counts_what_it_wrote(bench, tmp_path: Path, fmt: str) -> None:
    stats = bench.generate(tmp_path, 2)  # the smallest set: one recording per language and speaker count
    assert stats["recordings"] == 8
    want = stats["words"] if fmt == "ctm" else stats["segments"]
    total = {"write": 0, "read": 0}
    for op in ("write", "read"):
        for lang, nspk in bench.GROUPS:
            folder = tmp_path / f"{lang}-{nspk}"
            out = folder / ("copy.jsonl" if fmt == "jsonl" else dict(bench.FORMATS)[fmt])
            cpu, n = bench.lancang_op(op, fmt, folder / "set.jsonl", out, lang, nspk)
            assert cpu >= 0
            total[op] += n
    assert total == {"write": want, "read": want}
