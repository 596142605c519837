"""Language knowledge has one home (lancang.corpora.langs): schemas, formats, annotators and rules agree."""

from __future__ import annotations

import re
import unicodedata

import pytest

from lancang.annotators import default_for, pipeline
from lancang.annotators.spacy_blank import spacy_code
from lancang.annotators.stanza_local import stanza_lang
from lancang.corpora import langs
from lancang.corpora.formats import xmlsafe
from lancang.errors import UsageError
from lancang.schemas import load_schema
from lancang.schemas.validator import ManifestContext
from lancang.standards.rules import RULES


@pytest.mark.parametrize("schema", ["record", "manifest"])
def test_schema_pattern_is_the_module_pattern(schema: str) -> None:
    assert load_schema(schema)["$defs"]["bcp47"]["pattern"] == langs.BCP47_PATTERN


@pytest.mark.parametrize("tag, ok", [("zh-Hans-CN", True), ("fil", True), ("x-private", True),
                                     ("en-a-bbb-x-a-ccc", True), ("zh_Hans", False), ("", False), ("e", False),
                                     ("toolongtag", False), ("en--US", False), ("not a tag!", False)])
def test_one_well_formedness_check(tag: str, ok: bool) -> None:
    assert langs.is_tag(tag) is ok
    assert xmlsafe.bcp47_ok(tag) is ok  # formats ask the same module
    assert bool(re.match(load_schema("record")["$defs"]["bcp47"]["pattern"], tag)) is ok
    if ok:
        assert langs.check_tag(tag) == tag
    else:
        with pytest.raises(UsageError, match="not a BCP 47 language tag"):
            langs.check_tag(tag)


def test_canonical_case() -> None:
    assert langs.canonical_tag("EN-us") == "en-US"
    assert langs.canonical_tag(" zh_hans_cn ") == "zh-Hans-CN"
    assert langs.canonical_tag("en-Latn-x-PRIV") == "en-Latn-x-priv"
    assert langs.canonical_tag("es-419") == "es-419"
    assert xmlsafe.canonical_lang is langs.canonical_tag


@pytest.mark.parametrize("tag, ranges, hit", [
    ("zh-Hans-CN", ["zh"], True), ("zh-Hans-CN", ["zh-Hans"], True), ("zh-hans", ["ZH-Hans"], True),
    ("zh-Hant", ["zh-Hans"], False), ("zh", ["zh-Hans"], False), ("zha", ["zh"], False),
    ("tl", ["fil"], True), ("fil-PH", ["tl"], True), ("tgl", ["fil"], True), ("zsm", ["ms"], True),
    ("msa-Latn", ["ms-Latn"], True), ("cmn-Hans", ["zh-Hans"], True), ("id", ["ms"], False), ("th", [], False),
])
def test_prefix_matching_folds_aliases(tag: str, ranges: list[str], hit: bool) -> None:
    assert langs.tag_matches(tag, ranges) is hit


def test_expected_script() -> None:
    assert [langs.expected_script(t) for t in ("th", "tl", "fil", "zsm", "zh-Hant-TW", "sr-Latn", "my", "km", "qaa")] \
        == ["Thai", "Latin", "Latin", "Latin", "Han", "Latin", "Myanmar", "Khmer", None]


def test_script_detection_counts_letters_with_their_marks() -> None:
    assert langs.script_share("ฉันรัก ok", "Thai") == (6, 8)  # ั is a mark of Thai script: counted
    assert langs.script_share("123 ๑๒๓ ...", "Thai") == (0, 0)  # digits and punctuation are not letters
    assert langs.script_language("ខ្ញុំទៅសាលារៀន abc") == "km"
    assert langs.script_language("我爱北京天安门") == "zh"
    assert langs.script_language("ຂ້ອຍຮັກລາວ hello") == "lo"
    assert langs.script_language("မင်္ဂလာပါ hello wo") == "my"
    assert langs.script_language("Tôi yêu Hà Nội") is None  # Latin names no single language
    assert langs.script_language("123 ๑๒๓") is None  # no letters at all
    # decomposed Vietnamese: the combining marks (script Inherited) do not dilute the Latin share
    nfd = unicodedata.normalize("NFD", "Tôi yêu Hà Nội")
    inside, letters = langs.script_share(nfd, "Latin")
    assert inside == letters > 0


def test_annotators_use_the_one_module() -> None:
    assert pipeline.language is langs.language and pipeline.script_language is langs.script_language
    with pytest.raises(ModuleNotFoundError):
        __import__("lancang.annotators.langs")


def _hits(rule: str, rec: dict, params: dict) -> list:
    return list(RULES.get(rule).check(rec, params))


def test_a_rule_and_an_annotator_agree_on_what_tl_is() -> None:
    """A "tl" side is Filipino to the annotators (which backend serves it) and to every language rule."""
    assert pipeline.language("tl") == pipeline.language("fil") == "fil"
    assert default_for("tokens", pipeline.language("tl")) == default_for("tokens", "fil")
    # the backends get one code for both: Tagalog/Filipino is "tl" to spaCy and Stanza
    assert spacy_code("tl") == spacy_code("fil-PH") == stanza_lang("fil", "fil") == "tl"
    rec = {"id": "r", "sides": {"tl": {"text": "Mahal ko ang Maynila"}, "zh-Hans": {"text": "我爱马尼拉"}}}
    assert _hits("lang-allowed", rec, {"allowed": ["fil", "zh"]}) == []
    assert _hits("sides-required", rec, {"languages": ["fil"]}) == []
    assert _hits("script-matches-language", rec, {"languages": ["fil"]}) == []
    rec["sides"]["tl"]["text"] = "ฉันรักมะนิลามาก"
    [(ptr, msg)] = _hits("script-matches-language", rec, {"languages": ["fil"]})
    assert ptr == "/sides/tl/text" and "Latin" in msg
    fil = {"id": "r", "sides": {"fil": {"text": "Mahal ko ang Maynila"}}}
    assert _hits("lang-allowed", fil, {"allowed": ["tl"]}) == []
    # a tl and a fil side with the same text are one language written twice, not an untranslated segment
    both = {"id": "r", "sides": {"fil": {"text": "Mahal ko ang Maynila"}, "tl": {"text": "Mahal ko ang Maynila"}}}
    assert _hits("segment-untranslated", both, {}) == []
    both["sides"]["en"] = both["sides"].pop("tl")
    assert len(_hits("segment-untranslated", both, {})) == 1


def test_manifest_languages_match_by_prefix() -> None:
    ctx = ManifestContext(frozenset({"zh", "fil"}), frozenset())
    rec = {"id": "r", "sides": {"zh-Hans": {"text": "我"}, "tl": {"text": "ako"}, "th": {"text": "ฉัน"}}}
    assert [(rule, ptr) for rule, _sev, ptr, _msg in ctx.check(rec)] == [("language-not-in-manifest", "/sides/th")]
