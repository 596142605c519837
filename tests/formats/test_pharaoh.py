from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats.pharaoh import parse_links, read, write
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from ..conftest import shared
from .contract import FormatContract


class TestPharaoh(FormatContract):
    format_name = "pharaoh"
    keeps_ids = False

    def normalise(self, rec: dict[str, Any]) -> dict[str, Any]:
        """Pharaoh keeps tokens, not the text between them: compare token strings."""
        r = super().normalise(rec)
        for side in r["sides"].values():
            text = side.pop("text")
            spans = side.pop("layers", {}).get("tokens", {}).get("spans", [])
            side["tokens"] = [text[s:e] for s, e in spans]
        return r


def test_zhen150_files_layout(tmp_path: Path) -> None:
    folder = shared("alignment", "word_zhen150")
    recs = list(read(folder / "train", langs=["zh", "en"]))  # train.zh, train.en, train.align
    assert len(recs) == 150
    rv = RecordValidator()
    assert all(rv.check(r) == [] for r in recs)
    first = recs[0]
    assert first["links"][0]["pairs"][:5] == [[0, 0, "S"], [1, 0, "S"], [2, 1, "S"], [3, 3, "S"], [3, 4, "P"]]
    gold = (folder / "train.align").read_text(encoding="utf-8").split("\n")
    assert sum(len(r["links"][0]["pairs"]) for r in recs) == sum(len(line.split()) for line in gold)
    assert sum(p[2] == "P" for r in recs for p in r["links"][0]["pairs"]) == sum(
        tok.endswith("-P") for line in gold for tok in line.split())
    out = tmp_path / "back.pharaoh"
    write(recs, out, langs=["zh", "en"], layout="files", possible="-P")
    assert (tmp_path / "back.zh").read_bytes() == (folder / "train.zh").read_bytes()
    assert (tmp_path / "back.align").read_text(encoding="utf-8").split("\n") == [line.rstrip(" ") for line in gold]
    assert list(read(out, langs=["zh", "en"])) == recs


@pytest.mark.parametrize("name, langs", [("roen", ["ro", "en"]), ("enfr", ["en", "fr"]), ("jaen", ["ja", "en"])])
def test_awesome_align_gold_sets(tmp_path: Path, name: str, langs: list[str]) -> None:
    folder = shared("alignment", "word")
    recs = list(read(folder / f"{name}.src-tgt", langs=langs, links=folder / f"{name}.gold", index_base=1))
    gold = (folder / f"{name}.gold").read_text(encoding="utf-8").split()
    assert sum(len(r["links"][0]["pairs"]) for r in recs) == len(gold)
    assert sum(p[2] == "P" for r in recs for p in r["links"][0]["pairs"]) == sum("p" in t for t in gold)
    rv = RecordValidator()
    assert all(rv.check(r) == [] for r in recs)
    out = tmp_path / "o.txt"
    write(recs, out, langs=langs, index_base=1)
    assert list(read(out, langs=langs, index_base=1)) == recs
    line = out.read_text(encoding="utf-8").split("\n")[0]
    assert line.count(" ||| ") == 2


def test_ideographic_space_is_a_token() -> None:
    folder = shared("alignment", "word")
    recs = list(read(folder / "jaen.src-tgt", langs=["ja", "en"], links=folder / "jaen.gold", index_base=1))
    ja = recs[350]["sides"]["ja"]
    assert "\u3000" in [ja["text"][s:e] for s, e in ja["layers"]["tokens"]["spans"]]


def test_link_syntax_and_errors(tmp_path: Path) -> None:
    assert parse_links("0-0 1?1 2p2 3-3-P", 4, 4, 0, "x") == (
        [[0, 0, "S"], [1, 1, "P"], [2, 2, "P"], [3, 3, "P"]], "-P")
    with pytest.raises(InputError, match=r"x: '1:2' is not a link"):
        parse_links("1:2", 4, 4, 0, "x")
    with pytest.raises(InputError, match=r"x: link 1-4 is out of range: 4 source and 4 target tokens "
                                         r"\(links counted from 1"):
        parse_links("1-4", 4, 4, 0, "x")
    p = tmp_path / "a.txt"
    p.write_text("a b ||| c d ||| 0-0 1-1\na ||| b\n", encoding="utf-8")
    recs = list(read(p, langs=["en", "fr"]))
    assert recs[0]["links"][0]["pairs"] == [[0, 0, "S"], [1, 1, "S"]] and "links" not in recs[1]
    p.write_text("a b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a.txt:1: expected 'source \|\|\| target'"):
        list(read(p, langs=["en", "fr"]))
    (tmp_path / "c.en").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "c.fr").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "c.align").write_text("0-0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c.align:2: the file ends here"):
        list(read(tmp_path / "c", langs=["en", "fr"]))
    with pytest.raises(UsageError, match="--src and --tgt"):
        list(read(p, langs=["en"]))


def test_writer_refusals(tmp_path: Path) -> None:
    out = tmp_path / "o.txt"
    rec = {"id": "r", "sides": {"vi": {"text": "Hà Nội", "layers": {"tokens": {"spans": [[0, 6]]}}},
                                "en": {"text": "Hanoi", "layers": {"tokens": {"spans": [[0, 5]]}}}}}
    with pytest.raises(InputError, match=r"record 'r': the vi token 'Hà Nội' holds white space"):
        write([rec], out, langs=["vi", "en"])
    rec["sides"]["vi"]["layers"] = {}
    rec["sides"]["vi"]["text"] = "HaNoi"
    with pytest.raises(InputError, match="the vi side has no tokens"):
        write([rec], out, langs=["vi", "en"])
    assert not out.exists()
