"""Thai sentence splitting in bounded windows (issue 12): CRFCut holds about 1.5 KB a character, so a
0.8M-character side took 1.27 GB; long sides are now split window by window with the same result."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from lancang.annotators.th import windowed_sentences

from ..memory import PRINT_OWN_PEAK_MB
from .helpers import needs


def _by_full_stop(chunk: str) -> list[tuple[int, int]]:
    """A toy splitter: sentences end after '.', white space between them left out."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\s.][^.]*\.?", chunk)]


@pytest.mark.parametrize("window", [90, 137, 200, 1000])  # over twice the longest sentence
def test_windows_give_the_one_pass_result(window: int) -> None:
    text = " ".join(f"sentence number {i} has {'x' * (i % 7)} words." for i in range(40))
    assert windowed_sentences(text, _by_full_stop, window) == _by_full_stop(text)


def test_a_sentence_longer_than_the_window_is_cut_at_white_space_and_spans_tile() -> None:
    text = "a " * 100 + "end. next one."
    spans = windowed_sentences(text, _by_full_stop, 30)
    assert spans[-1] == (text.index("next"), len(text))
    prev = 0
    for s, e in spans:  # ordered, disjoint, only white space between them
        assert prev <= s < e and not text[prev:s].strip()
        prev = e
    assert not text[prev:].strip()


@needs("crfcut")
def test_crfcut_windows_agree_with_one_pass() -> None:
    from lancang.annotators.th import CrfCut

    base = "ผมรักภาษาไทยมาก วันนี้อากาศดีมาก ฉันจะไปตลาดกับแม่ เขาไปโรงเรียนทุกวัน "
    text = (base * 60).strip()
    cut = CrfCut({})
    one_pass = windowed_sentences(text, cut._split_one, window=len(text))
    assert len(one_pass) > 100
    assert windowed_sentences(text, cut._split_one, window=500) == one_pass
    assert cut.sentences(text, "th") == one_pass


@pytest.mark.slow
@needs("crfcut")
def test_crfcut_on_a_long_side_stays_small() -> None:
    code = """
from lancang.annotators.th import CrfCut
base = "ผมรักภาษาไทยมาก วันนี้อากาศดีมาก ฉันจะไปตลาดกับแม่ เขาไปโรงเรียนทุกวัน "
text = (base * (800_000 // len(base) + 1))[:800_000]
spans = CrfCut({}).sentences(text, "th")
print(len(spans))
""" + PRINT_OWN_PEAK_MB
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    n, peak = map(int, res.stdout.split())
    assert n > 40_000 and peak < 300, f"peak RSS {peak} MB"  # one pass: about 1.27 GB
