from __future__ import annotations

import doctest
import gzip
from pathlib import Path

import orjson
import pytest

import lancang.corpora.model as model
from lancang import Provenance, Record, read_records, write_records
from lancang.corpora.jsonl import JsonlWriter, Parsed, Problem, atomic_output, iter_lines
from lancang.errors import InputError
from lancang.schemas.validator import RecordValidator

from .conftest import valid_record


def test_model_doctests() -> None:
    res = doctest.testmod(model)
    assert res.attempted > 0 and res.failed == 0


def test_built_record_is_valid_and_round_trips(tmp_path: Path) -> None:
    r = Record.new("s1", doc="d1", source="test")
    th = r.add_side("th", "ฉันรักภาษาไทย")
    th.set_tokens([(0, 3), (3, 6), (6, 10), (10, 13)], provenance=Provenance.auto("pythainlp.newmm", "5.0"))
    th.set_sentences([(0, 13)])
    th.set_values("pos", ["PRON", "VERB", "NOUN", "PROPN"])
    en = r.add_side("en", "I love the Thai language")
    en.set_tokens([(0, 1), (2, 6), (7, 10), (11, 15), (16, 24)], provenance=Provenance.manual("ann-1"))
    en.set_sentences([(0, 24)])
    e1 = en.add_entity(11, 15, "NORP", id="T1")
    assert e1.text == "Thai"
    r.link_tokens("th", "en", [(0, 0), (1, 1), (2, 4), (3, 3, "P")], provenance=Provenance.assisted("lancang", "ann-2"))
    r.link_sentences("th", "en", [([0], [0], 0.97)])
    assert RecordValidator().check(r.to_dict()) == []
    p = tmp_path / "one.jsonl"
    assert write_records(p, [r]) == 1
    [back] = list(read_records(p))
    assert back == r.to_dict()
    rb = Record(back)
    assert rb.side("th").token_texts() == ["ฉัน", "รัก", "ภาษา", "ไทย"]
    assert [lk.pairs() for lk in rb.links if lk.kind == "tokens"] == [[(0, 0, "S"), (1, 1, "S"), (2, 4, "S"),
                                                                       (3, 3, "P")]]
    assert rb.links[1].beads() == [([0], [0])]
    assert rb.side("th").data["layers"]["tokens"]["provenance"]["tool"] == {"name": "pythainlp.newmm", "version": "5.0"}


def test_model_errors_are_clear() -> None:
    r = Record.new("x")
    r.add_side("vi", "Việt Nam")
    with pytest.raises(KeyError, match="no side 'th'.*sides: vi"):
        r.side("th")
    with pytest.raises(ValueError, match="already has a side 'vi'"):
        r.add_side("vi", "again")
    with pytest.raises(ValueError, match="not a span layer"):
        r.side("vi").set_spans("entities", [])
    with pytest.raises(TypeError, match="JSON object"):
        Record(["not", "a", "dict"])  # type: ignore[arg-type]


def test_add_side_normalises_to_nfc() -> None:
    r = Record.new("x")
    s = r.add_side("vi", "Vie\u0302\u0323t")
    assert s.text == "Việt" and len(s.text) == 4
    raw = r.add_side("vi-x-raw", "Vie\u0302\u0323t", normalize=False)
    assert [f[0] for f in RecordValidator().check(r.to_dict())] == ["text-not-nfc"]
    assert raw.text != s.text


def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path) -> None:
    p = tmp_path / "out.jsonl"
    p.write_bytes(b"old\n")
    with pytest.raises(RuntimeError):
        with JsonlWriter(p) as w:
            w.write({"id": "1"})
            raise RuntimeError("boom")
    assert p.read_bytes() == b"old\n"
    assert [x.name for x in tmp_path.iterdir()] == ["out.jsonl"], "temporary file cleaned up"


def test_gzip_write_and_read(tmp_path: Path) -> None:
    p = tmp_path / "out.jsonl.gz"
    write_records(p, [valid_record(id=str(i)) for i in range(5)])
    assert gzip.decompress(p.read_bytes()).count(b"\n") == 5
    assert [r["id"] for r in read_records(p)] == ["0", "1", "2", "3", "4"]


def test_write_to_directory_or_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        write_records(tmp_path, [])
    with pytest.raises(InputError, match="does not exist"):
        write_records(tmp_path / "no" / "x.jsonl", [])


def test_text_atomic_output(tmp_path: Path) -> None:
    p = tmp_path / "r.txt"
    with atomic_output(p, "w") as f:
        f.write("ไทย\n")
    assert p.read_text(encoding="utf-8") == "ไทย\n"


def test_reader_reports_and_goes_on(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"id":"a"}\r\n\n{bad\n[1]\n{"id":"b"}')
    items = list(iter_lines(p))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Parsed", 1), ("Problem", 2), ("Problem", 3), ("Parsed", 4), ("Parsed", 5)]
    assert items[1].code == "blank-line" and items[1].severity == "warning"
    assert items[2].code == "json-malformed"
    problems: list[Problem] = []
    assert [r["id"] for r in read_records(p, on_problem=problems.append)] == ["a", "b"]
    assert [q.code for q in problems] == ["blank-line", "json-malformed", "record-not-object"]
    with pytest.raises(InputError, match=r"x.jsonl:3: malformed JSON"):
        list(read_records(p))


def test_reader_streams(tmp_path: Path) -> None:
    """The reader yields the first record before reading the rest (a generator over the file)."""
    p = tmp_path / "s.jsonl"
    p.write_bytes(b"".join(orjson.dumps({"id": str(i), "sides": {}}) + b"\n" for i in range(1000)))
    it = iter_lines(p)
    first = next(it)
    assert isinstance(first, Parsed) and first.value["id"] == "0"


def test_text_lines_bounds_a_line(tmp_path: Path) -> None:
    """A text line over the limit is an input error at its line, not a line read whole into memory."""
    from lancang.corpora.jsonl import text_lines

    p = tmp_path / "long.txt"
    p.write_bytes(b"short\n" + b"x" * 5000 + b"\nafter\n")
    with pytest.raises(InputError, match=r"long.txt:2: the line is longer than 1,000 bytes"):
        list(text_lines(p, max_line_bytes=1000))
    assert [t for _, t in text_lines(p)] == ["short", "x" * 5000, "after"]
