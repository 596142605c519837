"""Inline entity tags (ThaiNER's form): the format contract, the reader's repairs, the writer's refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats.inline import read, write
from lancang.errors import InputError, UsageError

from ..conftest import shared
from .contract import FormatContract, assert_needs_src


class TestInline(FormatContract):
    format_name = "inline"
    langs = ["th"]
    keeps_ids = False

    def normalise(self, rec: dict[str, Any]) -> dict[str, Any]:
        """Tags carry no entity ids."""
        r = super().normalise(rec)
        for side in r["sides"].values():
            for it in side.get("layers", {}).get("entities", {}).get("items", []):
                it.pop("id", None)
        return r


def test_reader_nesting_repairs_and_errors(tmp_path: Path) -> None:
    f = tmp_path / "th.txt"
    f.write_bytes("\ufeff[PERSON] นายก [/PERSON]ไป[LOCATION]เชียงใหม่[/LOCATION]\n\n"
                  "[ORGANIZATION]กรม[LOCATION]𝐀[/LOCATION][/ORGANIZATION] [TIME]16.00 น.[/DATE][X][/X]\n".encode())
    a, empty, b = read(f, langs=["th"])
    assert a["id"] == "th.txt:1" and a["sides"]["th"]["text"] == " นายก ไปเชียงใหม่"
    assert a["sides"]["th"]["layers"]["entities"]["items"] == [{"start": 1, "end": 5, "label": "PERSON"},
                                                               {"start": 8, "end": 17, "label": "LOCATION"}]
    assert empty == {"id": "th.txt:2", "sides": {"th": {"text": ""}}}
    assert b["id"] == "th.txt:3" and b["sides"]["th"]["text"] == "กรม𝐀 16.00 น."
    assert b["sides"]["th"]["layers"]["entities"]["items"] == [{"start": 0, "end": 4, "label": "ORGANIZATION"},
                                                               {"start": 3, "end": 4, "label": "LOCATION"},
                                                               {"start": 5, "end": 13, "label": "TIME"}]
    assert b["meta"] == {"inline": {"repaired": ["[TIME]...[/DATE]"], "empty": ["X"]}}
    f.write_text("ก[PERSON]ข\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"th.txt:1: tag \[PERSON\] is never closed"):
        list(read(f, langs=["th"]))
    f.write_text("ก[/PERSON]ข\n", encoding="utf-8")
    with pytest.raises(InputError, match="no entity open"):
        list(read(f, langs=["th"]))
    with pytest.raises(UsageError, match="--src"):
        list(read(f))


def test_writer_nests_and_refuses_what_would_not_read_back(tmp_path: Path) -> None:
    out = tmp_path / "o.txt"

    def rec(text, *items):
        return {"id": "r1", "sides": {"th": {"text": text, "layers": {"entities": {"items": [
            {"start": s, "end": e, "label": lab} for s, e, lab in items]}}}}}

    write([rec("กรมอุตุ", (0, 7, "ORG"), (3, 7, "LOC"), (0, 3, "X"))], out)
    assert out.read_text(encoding="utf-8") == "[ORG][X]กรม[/X][LOC]อุตุ[/LOC][/ORG]\n"
    for bad, match in ((rec("ab", (0, 2, "A"), (1, 2, "B"), (0, 1, "C"), (0, 2, "B")), None),
                       (rec("abcd", (0, 2, "A"), (1, 3, "B")), "cross"),
                       (rec("a b", (0, 2, "A")), "white space"),
                       (rec("ab", (0, 2, "Per")), "upper case"),
                       (rec("a[B]c"), "read back as a tag"),
                       (rec("a\nb"), "line break"),
                       (rec("ab", (1, 1, "A")), "empty")):
        if match is None:  # identical spans with two labels and proper nesting are fine
            write([bad], out)
            back = list(read(out, langs=["th"]))[0]["sides"]["th"]["layers"]["entities"]["items"]
            assert sorted((x["start"], x["end"], x["label"]) for x in back) == [
                (0, 1, "C"), (0, 2, "A"), (0, 2, "B"), (1, 2, "B")]
            continue
        with pytest.raises(InputError, match=match):
            write([bad], out)


def test_thainer_reads_writes_and_reads_the_same() -> None:
    """Every line of ThaiNER 1.5 validation: read, write, read again gives the same records."""
    src = shared("ner", "th_thainer15", "val.txt")
    first = list(read(src, langs=["th"]))
    assert len(first) == 510 and sum(len(r["sides"]["th"]["layers"]["entities"]["items"]) for r in first) > 1000
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "val.txt"
        write(iter(first), out, langs=["th"])
        again = list(read(out, langs=["th"]))
    strip = [{k: v for k, v in r.items() if k != "meta"} for r in first]
    assert [{k: v for k, v in r.items() if k != "meta"} for r in again] == strip


def test_reading_without_src_is_a_usage_error_not_und(cli, tmp_path: Path) -> None:
    """Issue 11: inline tags do not say the language; without --src the reader and every verb stop with the
    same one-line usage error naming the file (exit 2), like brat and CoNLL, never a side called ``und``."""
    f = tmp_path / "th.txt"
    f.write_text("ไป[LOCATION]เชียงใหม่[/LOCATION]\n", encoding="utf-8")
    line = assert_needs_src(cli, f, "inline", r"th.txt: an inline-tagged file does not name the language of "
                                              r"its text: give it with --src", src="th")
    assert "th.txt: format 'inline' does not name" in line  # read_corpus says it before reading
