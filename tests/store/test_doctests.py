from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["lancang.store", "lancang.store.terms", "lancang.store.postgres"])
def test_doctests(name: str) -> None:
    res = doctest.testmod(importlib.import_module(name))
    assert res.attempted and not res.failed
