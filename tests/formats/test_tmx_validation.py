"""TMX 1.4b validity (reader option ``validate``, always on in ``lancang check``): the bundled DTD, the
header and version, bpt/ept pairing, and two <tuv> in one language as a lancang model limit."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from lxml import etree

from lancang.corpora.formats import get_format
from lancang.corpora.formats.tmx import MODEL_LIMITS, tmx_dtd
from lancang.corpora.formats.xmlsafe import XmlInputError

from ..conftest import SHARED_DATA, shared
from .test_tmx import KIT_FILES

TMX = get_format("tmx")
HEADER = ('<header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" '
          'srclang="en" datatype="plaintext"/>')
UNIT = '<tu><tuv xml:lang="en"><seg>a</seg></tuv><tuv xml:lang="vi"><seg>b</seg></tuv></tu>'


def doc(body: str, root: str = '<tmx version="1.4">', header: str = HEADER) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{root}\n{header}\n<body>\n{body}\n</body>\n</tmx>\n'.encode()


def read(tmp_path: Path, data: bytes, **options: Any) -> list[dict[str, Any]]:
    p = tmp_path / "in.tmx"
    p.write_bytes(data)
    return list(TMX.read(p, **options))


def reference_valid(data: bytes) -> bool:
    """libxml2 validating the whole document (built in memory) against the same DTD: the reference."""
    return tmx_dtd().validate(etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True)))


def test_the_bundled_dtd_is_the_lisa_one() -> None:
    bundled = Path(__file__).parents[2] / "lancang" / "corpora" / "formats" / "dtd" / "tmx14.dtd"
    assert bundled.read_bytes() == shared("formats", "tmx_okapi", "tmx14.dtd").read_bytes()
    notice = (bundled.parent / "NOTICE.txt").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 3.0" in notice and "never from the network" in notice


@pytest.mark.parametrize("name", KIT_FILES)
def test_kit_and_samples_same_verdict_as_whole_document_validation(name: str) -> None:
    src = shared("formats", "tmx_okapi", name)
    valid = reference_valid(src.read_bytes())
    if valid:
        assert list(TMX.read(src, validate=True)) == list(TMX.read(src))
    else:
        with pytest.raises(XmlInputError, match=r"tmx-dtd-invalid"):
            list(TMX.read(src, validate=True))
        assert list(TMX.read(src)), "the lenient reader (convert) still reads it"


def test_counts_of_the_kit() -> None:
    files = sorted(SHARED_DATA.joinpath("formats", "tmx_okapi").glob("*.tmx"))
    if not files:
        pytest.skip("../shared/data is absent")
    kit = [f for f in files if f.name.startswith("compkit_")]
    assert len(kit) == 12 and all(reference_valid(f.read_bytes()) for f in kit)
    invalid = [f.name for f in files if not reference_valid(f.read_bytes())]
    assert invalid == ["html_test.tmx"]  # an Okapi sample, not the kit: <prop type2=...> without type


# ------------------------------------------------------------------------------ DTD, streamed

DTD_CASES = {
    "tu-unknown-attribute": UNIT.replace("<tu>", '<tu foo="1">'),
    "tuv-without-lang": '<tu><tuv><seg>a</seg></tuv></tu>',
    "two-segs": '<tu><tuv xml:lang="en"><seg>a</seg><seg>b</seg></tuv></tu>',
    "tu-without-tuv": '<tu><note>n</note></tu>',
    "prop-without-type": '<tu><prop>p</prop><tuv xml:lang="en"><seg>a</seg></tuv></tu>',
    "it-without-pos": '<tu><tuv xml:lang="en"><seg>a<it>x</it></seg></tuv></tu>',
    "bpt-without-i": '<tu><tuv xml:lang="en"><seg><bpt>x</bpt>a<ept i="1">y</ept></seg></tuv></tu>',
    "unknown-inline": '<tu><tuv xml:lang="en"><seg>a<b>c</b></seg></tuv></tu>',
    "note-after-tuv": UNIT.replace("</tu>", "<note>n</note></tu>"),
    "element-in-body": UNIT + "<foo/>",
    "text-in-body": UNIT + "stray text",
    "segtype-value": UNIT.replace("<tu>", '<tu segtype="clause">'),
}


@pytest.mark.parametrize("case", sorted(DTD_CASES))
def test_dtd_violations_are_caught_as_the_reference_does(tmp_path: Path, case: str) -> None:
    data = doc(DTD_CASES[case])
    assert not reference_valid(data)
    with pytest.raises(XmlInputError) as ei:
        read(tmp_path, data, validate=True)
    assert ei.value.rule == "tmx-dtd-invalid" and ei.value.line, str(ei.value)
    # what lancang can represent still converts without validation
    if case in ("tu-unknown-attribute", "note-after-tuv", "text-in-body", "segtype-value", "bpt-without-i"):
        assert read(tmp_path, data)


@pytest.mark.parametrize("root, header, rule", [
    ('<tmx version="1.1">', HEADER, "tmx-version"),
    ("<tmx>", HEADER, "tmx-version"),
    ('<tmx version="1.4">', "", "tmx-header-missing"),
    ('<tmx version="1.4">', HEADER.replace(' o-tmf="t"', ""), "tmx-dtd-invalid"),
    ('<tmx version="1.4" lang="en">', HEADER, "tmx-dtd-invalid"),
    ('<tmx version="1.4">', HEADER + HEADER, "tmx-dtd-invalid"),
])
def test_root_and_header(tmp_path: Path, root: str, header: str, rule: str) -> None:
    data = doc(UNIT, root, header)
    with pytest.raises(XmlInputError) as ei:
        read(tmp_path, data, validate=True)
    assert ei.value.rule == rule, str(ei.value)
    assert read(tmp_path, data), "the lenient reader still reads it"


def test_header_missing_is_found_without_units(tmp_path: Path) -> None:
    with pytest.raises(XmlInputError, match=r"in.tmx:2: <tmx> has no <header>.*\[tmx-header-missing\]"):
        read(tmp_path, doc("", header=""), validate=True)


def test_unit_outside_body(tmp_path: Path) -> None:
    data = doc("", header=HEADER.replace("/>", ">") + UNIT + "</header>")
    with pytest.raises(XmlInputError, match=r"<tu> is not allowed in <header>"):
        read(tmp_path, data, validate=True)


# ------------------------------------------------------------------------------- bpt / ept

@pytest.mark.parametrize("seg, rule", [
    ('a <bpt i="1">&lt;b&gt;</bpt>bold', "tmx-bpt-unpaired"),
    ('a <ept i="1">&lt;/b&gt;</ept>', "tmx-ept-unpaired"),
    ('<ept i="1">x</ept><bpt i="1">y</bpt>', "tmx-ept-unpaired"),
    ('<bpt i="1">x</bpt><bpt i="1">y</bpt><ept i="1">z</ept>', "tmx-bpt-i-duplicate"),
    ('<bpt i="1">x</bpt>a<ept i="2">y</ept>', "tmx-ept-unpaired"),
    ('<ph>x<sub><bpt i="1">y</bpt>z</sub></ph>', "tmx-bpt-unpaired"),
    ('<bpt i="1">x<sub>s</sub></bpt><ph>p<sub><ept i="1">y</ept></sub></ph>', "tmx-bpt-unpaired"),
])
def test_inline_codes_must_pair(tmp_path: Path, seg: str, rule: str) -> None:
    data = doc(f'<tu><tuv xml:lang="en"><seg>{seg}</seg></tuv></tu>')
    assert reference_valid(data), "DTD-valid: pairing is beyond what a DTD can say"
    with pytest.raises(XmlInputError) as ei:
        read(tmp_path, data, validate=True)
    assert ei.value.rule == rule and ei.value.line == 5, str(ei.value)


@pytest.mark.parametrize("seg", [
    '<bpt i="1">x</bpt>a<ept i="1">y</ept>',
    '<bpt i="1">x</bpt><hi>a<ept i="1">y</ept></hi>',
    '<bpt i="1">x</bpt><bpt i="2">y</bpt>a<ept i="1">z</ept><ept i="2">w</ept>',  # overlapping: what i is for
    '<ph>p<sub><bpt i="1">x</bpt>s<ept i="1">y</ept></sub></ph>',
    '<it pos="begin">x</it>a',
])
def test_paired_codes_pass(tmp_path: Path, seg: str) -> None:
    assert read(tmp_path, doc(f'<tu><tuv xml:lang="en"><seg>{seg}</seg></tuv></tu>'), validate=True)


# ------------------------------------------------------------------ two <tuv> in one language

TWO_EN = ('<tu tuid="u1"><tuv xml:lang="en"><seg>colour</seg></tuv><tuv xml:lang="en"><seg>color</seg></tuv>'
          '<tuv xml:lang="vi"><seg>màu</seg></tuv></tu>')


def test_two_tuv_in_one_language_is_valid_tmx_and_a_model_limit(tmp_path: Path) -> None:
    data = doc(TWO_EN)
    assert reference_valid(data)
    with pytest.raises(XmlInputError) as ei:
        read(tmp_path, data, validate=True)
    msg = str(ei.value)
    assert ei.value.rule == "tmx-duplicate-language"
    assert "cannot be converted losslessly" in msg and "not a TMX violation" in msg
    [rec] = read(tmp_path, data, validate=True, duplicate_lang="first")
    assert rec["sides"] == {"en": {"text": "colour"}, "vi": {"text": "màu"}}
    [limit] = rec["meta"][MODEL_LIMITS]
    assert "second <tuv> in en (line 5)" in limit and "not kept" in limit


def test_check_a_valid_tmx_with_two_tuv_in_one_language(cli, tmp_path: Path) -> None:
    p = tmp_path / "two.tmx"
    p.write_bytes(doc(TWO_EN))
    res = cli("check", str(p), "-p", "tmx-1.4b", "--format", "json")
    rep = orjson.loads(res.stdout)
    by_id = {q["id"]: q for q in rep["requirements"]}
    assert by_id["well-formed"]["verdict"] == "pass"
    lim = by_id["model-limits"]
    assert lim["profile"] == "lancang" and lim["severity"] == "warning" and lim["verdict"] == "fail"
    assert "cannot be converted losslessly" in lim["title"]["en"]
    assert "second <tuv> in en" in lim["shown"][0]["message"]
    assert rep["verdict"] == "conformant" and res.exit_code == 0, rep["verdict"]


def test_convert_refuses_it_in_one_line_and_keeps_the_first_when_asked(cli, tmp_path: Path) -> None:
    p = tmp_path / "two.tmx"
    p.write_bytes(doc(TWO_EN))
    res = cli("convert", str(p), str(tmp_path / "o.jsonl"))
    assert res.exit_code == 2 and "[tmx-duplicate-language]" in res.stderr and "Traceback" not in res.output
    res = cli("convert", str(p), str(tmp_path / "o.jsonl"), "-I", "duplicate_lang=first")
    assert res.exit_code == 0, res.output
    [rec] = [orjson.loads(x) for x in (tmp_path / "o.jsonl").read_bytes().splitlines()]
    assert rec["meta"][MODEL_LIMITS]


# --------------------------------------------------------------------- check and a remote DTD

def test_check_fails_a_tmx_without_header_or_with_version_1_1(cli, tmp_path: Path) -> None:
    for name, data, what in [("nohead.tmx", doc(UNIT, header=""), "has no <header>"),
                             ("v11.tmx", doc(UNIT, '<tmx version="1.1">'), "TMX version '1.1'"),
                             ("orphan.tmx", doc('<tu><tuv xml:lang="en"><seg><bpt i="1">x</bpt>a</seg></tuv></tu>'),
                              'has no <ept i="1">')]:
        p = tmp_path / name
        p.write_bytes(data)
        res = cli("check", str(p), "-p", "tmx-1.4b", "--format", "json")
        assert res.exit_code == 1, res.output
        rep = orjson.loads(res.stdout)
        wf = next(q for q in rep["requirements"] if q["id"] == "well-formed")
        assert wf["verdict"] == "fail" and what in wf["shown"][0]["message"], (name, wf)


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            hits.append(self.path)
            body = shared("formats", "tmx_okapi", "tmx14.dtd").read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", hits
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_remote_dtd_is_never_fetched(cli, tmp_path: Path, counting_server: tuple[str, list[str]]) -> None:
    import urllib.request

    url, hits = counting_server
    with urllib.request.urlopen(f"{url}/probe") as r:  # the server counts what reaches it
        assert r.status == 200
    assert hits == ["/probe"]
    src = shared("formats", "tmx_okapi", "compkit_ImportTest1B.tmx").read_text(encoding="utf-8")
    remote = re.sub(r'<!DOCTYPE tmx SYSTEM "tmx14.dtd">', f'<!DOCTYPE tmx PUBLIC "-//LISA OSCAR:1998//DTD for '
                    f'Translation Memory eXchange//EN" "{url}/tmx14.dtd">', src)
    assert url in remote
    p = tmp_path / "remote.tmx"
    p.write_text(remote, encoding="utf-8")
    assert list(TMX.read(p, validate=True)) == list(TMX.read(shared("formats", "tmx_okapi",
                                                                       "compkit_ImportTest1B.tmx")))
    res = cli("check", str(p), "-p", "tmx-1.4b")
    assert res.exit_code == 0, res.output
    res = cli("convert", str(p), str(tmp_path / "o.jsonl"))
    assert res.exit_code == 0, res.output
    assert hits == ["/probe"], "the DOCTYPE's DTD was fetched"
