"""Hostile XML: entity expansion, external entities, external DTDs, oversized text, deep nesting.

Every XML reader (TMX, XLIFF 1.2, XLIFF 2) goes through :mod:`lancang.corpora.formats.xmlsafe`;
each attack is run against all three and must fail fast with a clear, located error, reading
nothing it should not.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lancang.corpora.formats import get_format
from lancang.corpora.formats.xmlsafe import PARSER_OPTIONS, XmlInputError

LOL = ('<!ENTITY lol "lol">'
       + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)))

BODIES = {
    "tmx": ('<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" '
            'adminlang="en" srclang="en" datatype="plaintext"/><body><tu><tuv xml:lang="en"><seg>{x}</seg></tuv>'
            '</tu></body></tmx>', "tmx"),
    "xliff": ('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
              'datatype="plaintext" source-language="en"><body><trans-unit id="1"><source>{x}</source></trans-unit>'
              '</body></file></xliff>', "xliff"),
    "xliff2": ('<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en"><file id="f">'
               '<unit id="u"><segment><source>{x}</source></segment></unit></file></xliff>', "xliff"),
}
ROOT = {"tmx": "tmx", "xliff": "xliff", "xliff2": "xliff"}


def make(tmp_path: Path, fmt: str, doctype: str, content: str) -> Path:
    body, root = BODIES[fmt]
    p = tmp_path / f"evil.{fmt}"
    p.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE {root} [{doctype}]>\n' + body.replace("{x}", content),
                 encoding="utf-8")
    return p


def read(fmt: str, p: Path) -> list:
    return list(get_format(fmt).read(p))


@pytest.mark.parametrize("fmt", list(BODIES))
def test_billion_laughs_is_refused_fast(tmp_path: Path, fmt: str) -> None:
    p = make(tmp_path, fmt, LOL, "&lol9;")
    t0 = time.perf_counter()
    with pytest.raises(XmlInputError) as ei:
        read(fmt, p)
    assert time.perf_counter() - t0 < 2
    assert ei.value.rule == "xml-entity-declared"
    assert str(ei.value).startswith(f"{p}:1: the DOCTYPE declares entities lol, lol1")


@pytest.mark.parametrize("fmt", list(BODIES))
def test_billion_laughs_in_an_attribute_is_refused(tmp_path: Path, fmt: str) -> None:
    body, root = BODIES[fmt]
    p = tmp_path / "evil.xml"
    p.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE {root} [{LOL}]>\n'
                 + body.replace("{x}", "x").replace('<source>', '<source xml:lang="&lol9;">', 1)
                 .replace('<seg>', '<seg>', 1).replace('xml:lang="en"><seg>', 'xml:lang="&lol9;"><seg>', 1),
                 encoding="utf-8")
    with pytest.raises(XmlInputError) as ei:
        read(fmt, p)
    assert ei.value.rule in ("xml-entity-declared", "xml-too-large")


@pytest.mark.parametrize("fmt", list(BODIES))
def test_external_entity_is_refused_and_not_read(tmp_path: Path, fmt: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42", encoding="utf-8")
    p = make(tmp_path, fmt, f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">', "&xxe;")
    with pytest.raises(XmlInputError) as ei:
        read(fmt, p)
    assert ei.value.rule == "xml-entity-declared"
    assert "external entity xxe (XXE)" in str(ei.value)
    assert "TOP-SECRET-42" not in str(ei.value)


@pytest.mark.parametrize("fmt", list(BODIES))
def test_parameter_entity_xxe_is_refused(tmp_path: Path, fmt: str) -> None:
    evil = tmp_path / "evil.dtd"
    evil.write_text('<!ENTITY leak "TOP-SECRET-43">', encoding="utf-8")
    p = make(tmp_path, fmt, f'<!ENTITY % ext SYSTEM "{evil.as_uri()}"> %ext;', "&leak;")
    with pytest.raises(XmlInputError) as ei:
        read(fmt, p)
    assert "TOP-SECRET-43" not in str(ei.value)
    assert ei.value.rule in ("xml-entity-declared", "xml-entity", "xml-malformed")


@pytest.mark.parametrize("fmt", list(BODIES))
def test_external_dtd_is_not_loaded(tmp_path: Path, fmt: str) -> None:
    """A DOCTYPE naming a DTD on disk (or the network) is fine, but the DTD is never read: an entity it
    would define stays undefined."""
    dtd = tmp_path / "defs.dtd"
    dtd.write_text('<!ENTITY greet "TOP-SECRET-44">', encoding="utf-8")
    body, root = BODIES[fmt]
    p = tmp_path / "e.xml"
    p.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "{dtd.as_uri()}">\n' + body.replace("{x}", "&greet;"),
                 encoding="utf-8")
    with pytest.raises(XmlInputError) as ei:
        read(fmt, p)
    assert "TOP-SECRET-44" not in str(ei.value)
    assert "greet" in str(ei.value)


def test_network_dtd_reference_reads_without_fetching(tmp_path: Path) -> None:
    body, root = BODIES["tmx"]
    p = tmp_path / "n.tmx"
    p.write_text('<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "http://127.0.0.1:9/tmx14.dtd">\n'
                 + body.replace("{x}", "ok"), encoding="utf-8")
    t0 = time.perf_counter()
    [rec] = read("tmx", p)
    assert rec["sides"]["en"]["text"] == "ok"
    assert time.perf_counter() - t0 < 2


@pytest.mark.parametrize("fmt", list(BODIES))
def test_oversized_text_node_is_refused(tmp_path: Path, fmt: str) -> None:
    body, _ = BODIES[fmt]
    p = tmp_path / "big.xml"
    p.write_text('<?xml version="1.0"?>\n' + body.replace("{x}", "a" * 10_000_001), encoding="utf-8")
    with pytest.raises(XmlInputError) as ei:
        read(fmt, p)
    assert ei.value.rule in ("xml-too-large", "xml-malformed")
    assert ei.value.line == 2


def test_too_deep_nesting_is_refused(tmp_path: Path) -> None:
    body, _ = BODIES["tmx"]
    p = tmp_path / "deep.tmx"
    p.write_text('<?xml version="1.0"?>\n' + body.replace("{x}", "<hi>" * 300 + "x" + "</hi>" * 300),
                 encoding="utf-8")
    with pytest.raises(XmlInputError) as ei:
        read("tmx", p)
    assert ei.value.rule in ("xml-too-large", "xml-malformed")


def test_parser_options_are_the_safe_ones() -> None:
    assert PARSER_OPTIONS["resolve_entities"] is False
    assert PARSER_OPTIONS["no_network"] is True
    assert PARSER_OPTIONS["load_dtd"] is False
    assert PARSER_OPTIONS["huge_tree"] is False


def test_plain_internal_subset_without_entities_is_accepted(tmp_path: Path) -> None:
    body, root = BODIES["tmx"]
    p = tmp_path / "ok.tmx"
    p.write_text('<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd" []>\n' + body.replace("{x}", "a &amp; b"),
                 encoding="utf-8")
    assert read("tmx", p)[0]["sides"]["en"]["text"] == "a & b"


def test_dtd_copied_inline_is_accepted(tmp_path: Path) -> None:
    """Some tools embed tmx14.dtd as the internal subset: its declarations, including its
    redeclarations of the five predefined entities, are harmless and not loaded as rules."""
    from ..conftest import shared

    dtd = shared("formats", "tmx_okapi", "tmx14.dtd").read_text(encoding="utf-8")
    # parameter entities cannot be used inside declarations of an internal subset: expand the one it has
    dtd = dtd.replace('<!ENTITY % segtypes    "block|paragraph|sentence|phrase" >', "")
    dtd = dtd.replace("(%segtypes;)", "(block|paragraph|sentence|phrase)")
    body, _ = BODIES["tmx"]
    p = tmp_path / "inline.tmx"
    p.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE tmx [\n{dtd}\n]>\n' + body.replace("{x}", "a &lt; b"),
                 encoding="utf-8")
    assert read("tmx", p)[0]["sides"]["en"]["text"] == "a < b"
