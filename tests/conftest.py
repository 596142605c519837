from __future__ import annotations

import copy
import gzip
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from lancang.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

VALID_RECORD: dict[str, Any] = {
    "id": "r1",
    "doc": "d1",
    "sides": {
        "zh-Hans": {
            "text": "我爱北京。你呢？",
            "layers": {
                "sentences": {"spans": [[0, 5], [5, 8]]},
                "tokens": {"spans": [[0, 1], [1, 2], [2, 4], [4, 5], [5, 6], [6, 7], [7, 8]],
                           "provenance": {"method": "auto", "tool": {"name": "jieba", "version": "0.42.1"}}},
                "pos": {"values": ["PRON", "VERB", "PROPN", "PUNCT", "PRON", "PART", "PUNCT"]},
                "entities": {"items": [{"id": "T1", "start": 2, "end": 4, "label": "LOC"}],
                             "provenance": {"method": "manual", "annotator": "a1",
                                            "review": {"status": "accepted", "reviewer": "r1"}}},
            },
        },
        "en": {
            "text": "I love Beijing. And you?",
            "layers": {
                "sentences": {"spans": [[0, 15], [16, 24]]},
                "tokens": {"spans": [[0, 1], [2, 6], [7, 14], [14, 15], [16, 19], [20, 23], [23, 24]]},
            },
        },
    },
    "links": [
        {"kind": "beads", "src": "zh-Hans", "tgt": "en", "beads": [{"src": [0], "tgt": [0], "score": 0.9},
                                                               {"src": [1], "tgt": [1]}]},
        {"kind": "tokens", "src": "zh-Hans", "tgt": "en",
         "pairs": [[0, 0, "S"], [1, 1, "S"], [2, 2, "S"], [3, 3, "P"]]},
    ],
}


def valid_record(**changes: Any) -> dict[str, Any]:
    r = copy.deepcopy(VALID_RECORD)
    r.update(changes)
    return r


def write_jsonl(path: Path, records: list[Any], gz: bool = False) -> Path:
    data = b"".join(orjson.dumps(r) + b"\n" for r in records)
    if gz:
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


@pytest.fixture
def in_tmp(tmp_path: Path):
    """Run the test with the working directory in its tmp_path (for commands that use relative paths)."""
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


@pytest.fixture
def cli():
    runner = CliRunner()

    def run(*args: str, input: bytes | str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def shared(*parts: str) -> Path:
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent (shared data lives beside the repository, see ../shared/data/README.md)")
    return p
