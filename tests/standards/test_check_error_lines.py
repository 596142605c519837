"""A reader's violation is located at the file line the reader names, in every requirement that
reports it (never at a count of records read)."""

from __future__ import annotations

from pathlib import Path

from lancang.standards.checker import check
from lancang.standards.profiles import load_profile

TMX = """<?xml version="1.0"?>
<tmx version="1.4">
<header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="x"
 creationtoolversion="1"/>
<body>
<tu><tuv xml:lang="en"><seg>one</seg></tuv><tuv xml:lang="th"><seg>หนึ่ง</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>two</seg></tuv><tuv xml:lang="th"><seg>สอง<bpt i="1">x</bpt></seg></tuv></tu>
</body>
</tmx>
"""

CONLLU = ("# sent_id = 1\n# text = a b\n1\ta\ta\tNOUN\t_\t_\t0\troot\t_\t_\n2\tb\tb\tNOUN\t_\t_\t1\tdep\t_\t_\n\n"
          "# sent_id = 2\n# text = c\n1\tc\tc\tNOUN\t_\t_\t0\troot\n\n")


def lines_of(report: dict) -> set:
    return {(r["id"], f.get("line")) for r in report["requirements"] for f in r.get("shown") or []
            if r["verdict"] == "fail"}


def test_tmx_violation_is_located_at_its_line(tmp_path: Path) -> None:
    p = tmp_path / "c.tmx"
    p.write_text(TMX, encoding="utf-8")
    rep = check(p, [load_profile("tmx-1.4b")])
    found = lines_of(rep)
    assert found and {line for _, line in found} == {7}, found  # one record read, the error on line 7


def test_conllu_violation_is_located_at_its_line(tmp_path: Path) -> None:
    p = tmp_path / "th_x-ud-test.conllu"
    p.write_text(CONLLU, encoding="utf-8")
    rep = check(p, [load_profile("conllu")])
    assert {line for _, line in lines_of(rep)} == {8}, lines_of(rep)
