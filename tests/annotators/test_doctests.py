"""The examples in the annotator modules' docstrings run."""

from __future__ import annotations

import doctest

import pytest

import lancang.annotators as annotators
from lancang.annotators import spans
from lancang.corpora import langs
from lancang.quality import accuracy


@pytest.mark.parametrize("mod", [annotators, langs, spans, accuracy], ids=lambda m: m.__name__)
def test_doctests(mod) -> None:
    res = doctest.testmod(mod)
    assert res.attempted > 0 and res.failed == 0
