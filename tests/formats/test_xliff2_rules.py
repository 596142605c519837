"""XLIFF 2 validation: one minimal failing and one passing document per requirement coded for issue 13
(files in data/xliff2_rules; the rule each fail file breaks is named in its first comment), the
bundled OASIS schemas (never fetched), and an unknown module namespace (allowed by the spec)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lancang.corpora.formats import get_format
from lancang.corpora.formats.xliff2rules import NS20, NS22, XSD_DIR, _Bundled, schema
from lancang.corpora.formats.xmlsafe import XmlInputError

X2 = get_format("xliff2")
DATA = Path(__file__).parent / "data" / "xliff2_rules"
FAIL = sorted(DATA.glob("*.fail.xlf"))
PASS = sorted(DATA.glob("*.pass.xlf"))


def rule_of(path: Path) -> str:
    m = re.search(r"<!-- (xliff2-[a-z0-9-]+):", path.read_text(encoding="utf-8"))
    assert m, path
    return m.group(1)


def test_every_fail_file_has_its_pass_file() -> None:
    assert len(FAIL) >= 25
    for p in FAIL:
        assert (DATA / p.name.replace(".fail.", ".pass.")).is_file(), p


@pytest.mark.parametrize("path", FAIL, ids=[p.name for p in FAIL])
def test_fail_file_is_refused_with_its_rule(path: Path) -> None:
    with pytest.raises(XmlInputError) as ei:
        list(X2.read(path))
    err = ei.value
    assert err.rule == rule_of(path), str(err)
    assert err.line and err.line >= 3, str(err)  # located on the element, not the file
    assert str(err).startswith(f"{path}:{err.line}: ")
    if err.rule != "xliff2-schema":
        assert re.search(r"\(XLIFF 2 (Core )?§|\(XLIFF 2 .*Module", str(err)), str(err)  # names its clause


@pytest.mark.parametrize("path", PASS, ids=[p.name for p in PASS])
def test_pass_file_reads(path: Path) -> None:
    recs = list(X2.read(path))
    assert all(r["sides"] for r in recs)


def test_unknown_module_namespace_passes_and_is_kept(tmp_path: Path) -> None:
    [rec] = list(X2.read(DATA / "unknown-module.pass.xlf"))
    kept = rec["meta"]["xliff2"]["open"]["unit"]
    assert "urn:example:unknown-module" in kept["xml"][0]
    assert kept["attrs"]["{urn:example:unknown-module}weight"] == "3"
    out = tmp_path / "o.xlf"
    X2.write([rec], out)
    assert list(X2.read(out)) == [rec]


def test_no_file_is_refused_and_an_empty_corpus_writes_a_valid_document(tmp_path: Path) -> None:
    out = tmp_path / "empty.xlf"
    assert X2.write([], out) == 0
    assert list(X2.read(out)) == []
    assert "<file" in out.read_text(encoding="utf-8")


def test_schemas_are_bundled_and_never_fetched() -> None:
    for name in ("xliff_core_2.2.xsd", "xml.xsd", "NOTICE.txt", "SOURCE.txt", "catalog.xml"):
        assert (XSD_DIR / name).is_file(), name
    with pytest.raises(XmlInputError, match="not bundled"):
        _Bundled(NS22).resolve("http://www.w3.org/2001/XMLSchema.xsd", None, None)
    with pytest.raises(XmlInputError, match="not bundled"):
        _Bundled(NS22).resolve("https://example.org/fs.xsd/../evil.xsd", None, None)
    assert schema(NS20) is schema(NS20)  # compiled once


def test_schema_applies_to_xliff20_documents(tmp_path: Path) -> None:
    """The 2.0 namespace is validated with the 2.2 schemas read in that namespace."""
    p = tmp_path / "a.xlf"
    p.write_text(f'<xliff xmlns="{NS20}" version="2.1" srcLang="en"><file id="f"><unit id="u">'
                 '<mda:metadata xmlns:mda="urn:oasis:names:tc:xliff:metadata:2.0"/><segment><source>a</source>'
                 '</segment></unit></file></xliff>', encoding="utf-8")
    with pytest.raises(XmlInputError) as ei:
        list(X2.read(p))
    assert ei.value.rule == "xliff2-schema" and "metaGroup" in str(ei.value)


def test_record_ids_travel_in_a_record_attribute_not_an_extension_id(tmp_path: Path) -> None:
    """lancang's own <lc:record> is an extension: its identifiers must be NMTOKENs, so a record id
    (any string) is written as ``record``; an ``id`` that is not an NMTOKEN is refused like any other."""
    out = tmp_path / "o.xlf"
    X2.write([{"id": "doc 1/7", "sides": {"en": {"text": "a"}}}], out)
    text = out.read_text(encoding="utf-8")
    assert 'record="doc 1/7"' in text and 'id="doc 1/7"' not in text
    assert [r["id"] for r in X2.read(out)] == ["doc 1/7"]
    out.write_text(text.replace('record="doc 1/7"', 'id="doc 1/7"'), encoding="utf-8")
    with pytest.raises(XmlInputError) as ei:
        list(X2.read(out))
    assert ei.value.rule == "xliff2-extension-id"


def test_the_22_namespace_takes_versions_20_and_21(tmp_path: Path) -> None:
    """The 2.2 schema's versionValues allow 2.0 and 2.1 "for backward compatibility"; 2.2 needs the
    2.2 namespace."""
    p = tmp_path / "a.xlf"
    for version, ns, ok in (("2.1", NS22, True), ("2.0", NS22, True), ("2.2", NS20, False)):
        p.write_text(f'<xliff xmlns="{ns}" version="{version}" srcLang="en"><file id="f"><unit id="u"><segment>'
                     '<source>a</source></segment></unit></file></xliff>', encoding="utf-8")
        if ok:
            assert [r["id"] for r in X2.read(p)] == ["u"]
        else:
            with pytest.raises(XmlInputError, match=r"\[xliff2-version\]"):
                list(X2.read(p))


def test_same_languages_is_a_model_limit_that_check_reads_past(tmp_path: Path) -> None:
    """srcLang = trgLang is valid XLIFF 2; a record cannot hold two texts in one language. By default
    the reader refuses it as lancang's limit; duplicate_lang=first keeps the sources and marks the
    records, and writing them back gives no target (the source is not copied into one)."""
    p = tmp_path / "a.xlf"
    p.write_text(f'<xliff xmlns="{NS20}" version="2.0" srcLang="th" trgLang="th"><file id="f"><unit id="u">'
                 '<segment><source>ก</source><target>ข</target></segment></unit></file></xliff>', encoding="utf-8")
    with pytest.raises(XmlInputError, match="lancang model limit, not an XLIFF 2 violation"):
        list(X2.read(p))
    [rec] = X2.read(p, duplicate_lang="first")
    assert rec["sides"] == {"th": {"text": "ก"}}
    assert "was not kept" in rec["meta"]["model_limits"][0]
    out = tmp_path / "o.xlf"
    X2.write([rec], out)
    assert "<target" not in out.read_text(encoding="utf-8")


def test_validate_false_skips_only_the_schema_step(tmp_path: Path) -> None:
    bad = DATA / "schema.fail.xlf"
    assert len(list(X2.read(bad, validate=False))) == 1  # only the XSD catches an empty mda:metadata
    with pytest.raises(XmlInputError) as ei:
        list(X2.read(DATA / "sm-unpaired.fail.xlf", validate=False))
    assert ei.value.rule == "xliff2-sm-unpaired"


def test_check_reads_an_xliff2_file_with_its_own_options(cli, tmp_path: Path) -> None:
    """lancang check reads a .xlf holding XLIFF 2 with the xliff2 reader's options, so srcLang = trgLang
    is a lancang/model-limits warning, and a violated processing requirement fails xliff-2/core."""
    p = tmp_path / "same.xlf"
    p.write_text(f'<xliff xmlns="{NS20}" version="2.0" srcLang="th" trgLang="th"><file id="f"><unit id="u">'
                 '<segment><source>ก</source><target>ข</target></segment></unit></file></xliff>', encoding="utf-8")
    res = cli("check", str(p), "-p", "xliff-2")
    assert res.exit_code == 0, res.output
    assert "lancang/model-limits" in res.output and "was not kept" in res.output
    res = cli("check", str(DATA / "comment-ref.fail.xlf"), "-p", "xliff-2")
    assert res.exit_code == 1, res.output
    assert "[xliff2-comment-ref]" in res.output
