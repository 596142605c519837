"""`lancang check` on deliveries in their own formats: TMX, XLIFF 2 and CoNLL-U profiles on real files."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from ..conftest import shared


def verdict(cli, path: Path, profile: str, *extra: str) -> dict:
    res = cli("check", str(path), "-p", profile, "--format", "json", *extra)
    assert res.exit_code in (0, 1), res.output
    return orjson.loads(res.stdout)


def failing(rep: dict) -> dict[str, list[str]]:
    return {q["id"]: [f["message"] for f in q["shown"]] for q in rep["requirements"]
            if q["verdict"] == "fail" and q["severity"] == "error"}


def test_ud_gold_files_are_conformant_conllu(cli) -> None:
    files = sorted(shared("ud").glob("*/*.conllu"))
    assert files
    for f in files:
        rep = verdict(cli, f, "conllu", "--src", "und")
        assert rep["verdict"] == "conformant", (f, failing(rep))
        assert rep["summary"]["records"] > 100


def test_broken_conllu(cli, tmp_path: Path) -> None:
    src = sorted(shared("ud").glob("th_tud/*.conllu"))[0]
    lines = src.read_text(encoding="utf-8").split("\n")[:400]
    out, done_pos, done_root = [], False, False
    for ln in lines:
        cols = ln.split("\t")
        if len(cols) == 10 and cols[0].isdigit():
            if not done_pos:
                cols[3], done_pos = "NOUNISH", True
            elif not done_root and cols[6] != "0":
                cols[6], cols[7], done_root = "0", "root", True
        out.append("\t".join(cols))
    text = "\n".join(out)
    text = text[: text.rfind("\n\n") + 2]
    bad = tmp_path / "bad.conllu"
    bad.write_text(text, encoding="utf-8")
    rep = verdict(cli, bad, "conllu", "--src", "th")
    fails = failing(rep)
    assert rep["verdict"] == "not-conformant"
    assert fails["upos"] == ["pos value 'NOUNISH' is not allowed"]
    assert any("roots" in m for m in fails["tree"])
    cut = tmp_path / "cut.conllu"
    cut.write_text(text.replace("\t", " ", 1), encoding="utf-8")
    rep = verdict(cli, cut, "conllu", "--src", "th")
    assert "format" in failing(rep) and f"{cut}:" in failing(rep)["format"][0]


def test_lisa_tmx_kit_is_conformant_and_a_broken_header_is_not(cli, tmp_path: Path) -> None:
    files = sorted(shared("formats", "tmx_okapi").glob("*.tmx"))
    for f in files:
        rep = verdict(cli, f, "tmx-1.4b")
        if f.name == "html_test.tmx":  # an Okapi sample, not the kit: its header <prop> has type2, no type
            assert failing(rep)["well-formed"] == [f"{f}:14: not valid against the TMX 1.4b DTD: Element prop does "
                                                   "not carry attribute type [tmx-dtd-invalid]"]
            continue
        assert rep["verdict"] == "conformant", (f, failing(rep))
    src = shared("formats", "tmx_okapi", "compkit_ImportTest1B.tmx").read_text(encoding="utf-8")
    bad = tmp_path / "bad.tmx"
    src = re.sub(r'o-tmf="[^"]*"', "", src, count=1)
    bad.write_text(src.replace('segtype="sentence"', 'segtype="clause"', 1), encoding="utf-8")
    fails = failing(verdict(cli, bad, "tmx-1.4b"))
    # the DTD requires o-tmf and lists segtype's values: reading stops at the header, so no unit is examined
    rep = verdict(cli, bad, "tmx-1.4b")
    fails = failing(rep)
    assert set(fails) == {"canonical-record", "well-formed"}, fails
    assert "bad.tmx:7: not valid against the TMX 1.4b DTD: " in fails["well-formed"][0]  # where <header ...> ends
    assert "segtype" in fails["well-formed"][0] or "o-tmf" in fails["well-formed"][0]
    header = next(q for q in rep["requirements"] if q["id"] == "header")
    assert header["verdict"] == "not-checked" and "no records" in header["reason"]


def test_xliff2_valid_files_conformant_and_an_invalid_one_located(cli, tmp_path: Path) -> None:
    files = sorted(shared("formats", "xliff2_okapi").glob("*.xlf"))
    for f in files:
        rep = verdict(cli, f, "xliff-2")
        assert rep["verdict"] == "conformant", (f, failing(rep))
    bad = tmp_path / "bad.xlf"
    bad.write_text('<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" '
                   'srcLang="en">\n<file id="f1">\n<unit id="u1">\n<segment state="done"><source>Hi</source>'
                   '<target>Chào</target></segment>\n</unit>\n</file>\n</xliff>\n', encoding="utf-8")
    fails = failing(verdict(cli, bad, "xliff-2"))
    assert "core" in fails and f"{bad}:" in fails["core"][0]


@pytest.mark.parametrize("profile,suffix", [("xliff-2", ".tmx"), ("conllu", ".tmx")])
def test_wrong_format_for_the_profile(cli, profile: str, suffix: str) -> None:
    f = shared("formats", "tmx_okapi", "compkit_ImportTest1A.tmx")
    fails = failing(verdict(cli, f, profile))
    assert any("was read as tmx" in m for m in fails[{"xliff-2": "core", "conllu": "format"}[profile]])
