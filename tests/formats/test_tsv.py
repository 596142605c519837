from __future__ import annotations

from pathlib import Path

import pytest

from lancang.corpora.formats.tsv import read, write
from lancang.errors import InputError, UsageError

from ..conftest import shared
from .contract import FormatContract


class TestTsv(FormatContract):
    format_name = "tsv"
    keeps_ids = False


def test_talpco_id_column_round_trips(tmp_path: Path) -> None:
    src = shared("parallel", "talpco", "ind_data_ind.txt")
    recs = list(read(src, langs=["id"], id_column=True))
    assert recs[0] == {"id": "1176", "sides": {"id": {"text": "Pak Tanaka bukan murid."}}}
    assert len(recs) == len({r["id"] for r in recs})
    out = tmp_path / "o.tsv"
    write(recs, out, id_column=True)
    assert out.read_bytes() == src.read_bytes().replace(b"\r\n", b"\n")  # TALPCo has CRLF; we write LF


def test_columns_header_and_errors(tmp_path: Path) -> None:
    p = tmp_path / "b.tsv"
    p.write_text("zh-Hans\tvi\n你好\tXin chào\n再见\n", encoding="utf-8")
    it = read(p, header=True)
    assert next(it) == {"id": "1", "sides": {"zh-Hans": {"text": "你好"}, "vi": {"text": "Xin chào"}}}
    with pytest.raises(InputError, match=r"b.tsv:3: 1 column, 2 expected \(zh-Hans, vi\)"):
        next(it)
    with pytest.raises(InputError, match=r"b.tsv:1: the header names zh-Hans, vi but --src/--tgt give th, vi"):
        list(read(p, langs=["th", "vi"], header=True))
    with pytest.raises(UsageError, match="--src and --tgt"):
        list(read(p))
    p.write_text("a\tb\tc\n", encoding="utf-8")
    assert list(read(p, langs=["en", "fr", "de"]))[0]["sides"]["de"] == {"text": "c"}  # n-way
    out = tmp_path / "o.tsv"
    with pytest.raises(InputError, match="record 'x': the en text has a tab"):
        write([{"id": "x", "sides": {"en": {"text": "a\tb"}, "fr": {"text": "c"}}}], out)
    assert not out.exists()
    write([{"id": "x", "sides": {"en": {"text": "a"}, "fr": {"text": "c"}}}], out, header=True)
    assert out.read_text(encoding="utf-8") == "en\tfr\na\tc\n"
