from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.convert import convert
from lancang.corpora.formats.moses import paths, read, write
from lancang.errors import InputError, UsageError

from ..conftest import shared
from .contract import FormatContract


class TestMoses(FormatContract):
    """Moses is several files: the contract's path is a folder holding the prefix ``corpus``."""

    format_name = "moses"
    keeps_ids = False

    def path(self, tmp_path: Path) -> Path:
        return tmp_path / "moses"

    def write(self, records: list[dict[str, Any]], path: Path) -> None:
        path.mkdir(exist_ok=True)
        super().write(records, path / "corpus.moses")

    def read(self, path: Path) -> list[dict[str, Any]]:
        return super().read(path / "corpus.moses")

    def to_crlf_bom(self, path: Path) -> None:
        for p in path.iterdir():
            super().to_crlf_bom(p)


def test_prefix_and_files(tmp_path: Path) -> None:
    assert paths(tmp_path / "c.moses", ["zh-Hans", "vi"]) == [tmp_path / "c.zh-Hans", tmp_path / "c.vi"]
    assert paths("x/c", ["th"]) == [Path("x/c.th")]
    recs = [{"id": "a", "sides": {"zh-Hans": {"text": "你好"}, "vi": {"text": "Xin chào"}}},
            {"id": "b", "sides": {"zh-Hans": {"text": ""}, "vi": {"text": "Tạm biệt"}}}]
    assert write(recs, tmp_path / "c.moses") == 2
    assert (tmp_path / "c.zh-Hans").read_text(encoding="utf-8") == "你好\n\n"
    assert (tmp_path / "c.vi").read_text(encoding="utf-8") == "Xin chào\nTạm biệt\n"
    back = list(read(tmp_path / "c.moses", langs=["zh-Hans", "vi"]))
    assert [r["sides"] for r in back] == [r["sides"] for r in recs] and [r["id"] for r in back] == ["1", "2"]


def test_mismatched_line_counts_name_the_line(tmp_path: Path) -> None:
    (tmp_path / "c.en").write_text("a\nb\nc\n", encoding="utf-8")
    (tmp_path / "c.th").write_text("ก\nข\n", encoding="utf-8")
    it = read(tmp_path / "c", langs=["en", "th"])
    assert next(it)["sides"]["th"]["text"] == "ก"  # streams: the first lines come before the error
    with pytest.raises(InputError, match=r"c.th:3: the file ends here but .*c.en goes on"):
        list(it)


def test_real_moses_files_round_trip(tmp_path: Path) -> None:
    folder = shared("alignment", "word_zhen150")
    recs = list(read(folder / "train", langs=["zh", "en"]))
    assert len(recs) == 150
    assert recs[0]["sides"]["zh"]["text"] == "印 尼 重申 反对 外国 军队 进驻"
    write(recs, tmp_path / "train.moses")
    for lang in ("zh", "en"):
        assert (tmp_path / f"train.{lang}").read_bytes() == (folder / f"train.{lang}").read_bytes()


def test_needs_languages_and_refuses_line_breaks(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--src and --tgt"):
        list(read(tmp_path / "c.moses"))
    with pytest.raises(InputError, match="record 'r': the vi text has a line break"):
        write([{"id": "r", "sides": {"vi": {"text": "a\nb"}}}], tmp_path / "d.moses")
    assert not (tmp_path / "d.vi").exists()


def test_convert_from_jsonl(tmp_path: Path) -> None:
    from lancang.corpora.jsonl import write_records

    src = tmp_path / "in.jsonl"
    write_records(src, [{"id": "1", "sides": {"th": {"text": "สวัสดี"}, "en": {"text": "Hello"}}}])
    rep = convert(src, tmp_path / "out.moses", langs=["th", "en"])
    assert rep.records == 1 and (tmp_path / "out.th").read_text(encoding="utf-8") == "สวัสดี\n"
