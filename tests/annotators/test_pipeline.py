"""The annotator registry and the pipeline: checks at build time, provenance, bad input, workers."""

from __future__ import annotations

import concurrent.futures as cf
import copy
import multiprocessing
import sys
from typing import Any

import pytest

from lancang.annotators import ANNOTATORS, DEFAULTS, AnnotatorSpec, BackendMissing, all_specs, spec
from lancang.annotators.pipeline import Pipeline, PipelineConfig, parse_use
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from .helpers import DEFAULT_BACKENDS, assert_tiles, needs


def rec(rid: str = "r1", **sides: str) -> dict[str, Any]:
    return {"id": rid, "sides": {k.replace("_", "-"): {"text": v} for k, v in sides.items()}}


def run(records: list[dict[str, Any]], layers: tuple[str, ...] = ("tokens", "sentences"), **kw: Any):
    p = Pipeline.build(PipelineConfig(layers=layers, **kw))
    p.annotate_batch(records)
    return records


def texts(side: dict[str, Any], layer: str) -> list[str]:
    return [side["text"][s:e] for s, e in side["layers"][layer]["spans"]]


# ------------------------------------------------------------------------------------ registry

def test_every_builtin_declares_what_the_issue_asks() -> None:
    specs = all_specs()
    assert {s.name for s in specs} >= {"jieba", "newmm", "nlpo3", "crfcut", "pyvi", "underthesea", "khmer-nltk",
                                       "laonlp", "burmesenlp", "spacy", "punct", "sentencepiece", "stanza"}
    for s in specs:
        assert s.provides and set(s.provides) <= {"tokens", "sentences", "entities"}
        assert s.languages
        assert s.config.get("type") == "object"
        if s.backend:
            assert s.install_hint.startswith(f'pip install "lancang[{s.extra}]"')
        d = s.describe()
        assert d["installed"] == s.installed and (d["version"] is not None) == s.installed
    for layer, table in DEFAULTS.items():
        for lang, name in table.items():
            assert layer in spec(name).provides and spec(name).serves(lang if lang != "*" else "qaa")


def test_unknown_config_keys_and_bad_values_are_errors() -> None:
    with pytest.raises(UsageError, match="unknown configuration key 'hmmm'.*known: hmm"):
        spec("jieba").check_config({"hmmm": True})
    with pytest.raises(UsageError, match="configuration hmm: 'yes' is not of type 'boolean'"):
        spec("jieba").check_config({"hmm": "yes"})
    with pytest.raises(UsageError, match="'model' is a required property"):
        spec("sentencepiece").check_config({})
    assert spec("jieba").check_config({"hmm": False})["hmm"] is False
    assert spec("jieba").check_config({})["traditional"] == "auto"  # defaults filled in


def test_plugin_registered_under_the_entry_point_registry() -> None:
    plug = AnnotatorSpec(name="x-chars", description="one token per character", provides=("tokens",),
                         languages=("*",), factory="tests.annotators.test_pipeline:CharTokens")
    ANNOTATORS.register("x-chars", plug)
    try:
        [r] = run([rec(qaa="ab c")], ("tokens",), use={"qaa": ("x-chars",)})
        assert texts(r["sides"]["qaa"], "tokens") == ["a", "b", "c"]
        assert r["sides"]["qaa"]["layers"]["tokens"]["provenance"]["tool"]["name"] == "x-chars"
    finally:
        ANNOTATORS._objects.pop("x-chars")


class CharTokens:
    """A third-party annotator that does not even subclass the base (duck typing suffices)."""

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.provenance_settings = {}

    def run(self, layer: str, batch: list[str], lang: str) -> list[list[tuple[int, int]]]:
        return [[(i, i + 1) for i, c in enumerate(t) if not c.isspace()] for t in batch]


def test_missing_backend_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyvi", None)  # as if pyvi were not installed
    assert not spec("pyvi").installed
    with pytest.raises(BackendMissing, match=r'needs pyvi .*pip install "lancang\[vi\]"'):
        spec("pyvi").build()
    p = Pipeline.build(PipelineConfig(layers=("tokens",)))
    with pytest.raises(InputError, match=r"record 'v1'.*side 'vi'.*pip install \"lancang\[vi\]\""):
        p.annotate_batch([rec("v1", vi="Xin chào")])
    # chosen explicitly, it fails when the pipeline is built, before any record is read
    with pytest.raises(BackendMissing, match="lancang\\[vi\\]"):
        Pipeline.build(PipelineConfig(layers=("tokens",), use={"vi": ("pyvi",)}))


@pytest.mark.skipif(spec("stanza").installed, reason="stanza is installed here")
def test_stanza_missing_is_a_clear_error() -> None:
    with pytest.raises(BackendMissing, match=r'pip install "lancang\[stanza\]" \(install torch first'):
        Pipeline.build(PipelineConfig(layers=("tokens",), use={"th": ("stanza",)}))


@pytest.mark.skipif(not spec("stanza").installed, reason="stanza is not installed")
def test_stanza_without_models_never_downloads(tmp_path) -> None:
    from lancang.annotators.base import ModelMissing

    with pytest.raises(ModelMissing, match="never downloads.*stanza.download"):
        Pipeline.build(PipelineConfig(layers=("tokens",), use={"th": ("stanza",)},
                                      config={"stanza": {"model_dir": str(tmp_path)}}))
    assert not any(tmp_path.iterdir())


def test_pipeline_is_checked_when_built() -> None:
    with pytest.raises(UsageError, match="unknown layer 'pos'"):
        Pipeline.build(PipelineConfig(layers=("tokens", "pos")))
    with pytest.raises(UsageError, match="unknown annotator 'jeba'"):
        Pipeline.build(PipelineConfig(layers=("tokens",), use={"zh": ("jeba",)}))
    with pytest.raises(UsageError, match="'jieba' does not serve language 'th'"):
        Pipeline.build(PipelineConfig(layers=("tokens",), use={"th": ("jieba",)}))
    with pytest.raises(UsageError, match="'crfcut' provides sentences, none of the requested layers"):
        Pipeline.build(PipelineConfig(layers=("tokens",), use={"th": ("crfcut",)}))
    with pytest.raises(UsageError, match="unknown configuration key"):
        Pipeline.build(PipelineConfig(layers=("tokens",), config={"newmm": {"engine": "x"}}))
    with pytest.raises(UsageError, match="LANG=ANNOTATOR"):
        parse_use(["zh:jieba"])
    assert parse_use(["zh=jieba,tl=spacy", "th=nlpo3"]) == {"zh": ("jieba",), "fil": ("spacy",), "th": ("nlpo3",)}


# ----------------------------------------------------------------------------------- pipeline

@needs(*DEFAULT_BACKENDS)
def test_all_languages_with_provenance_and_valid_records() -> None:
    r = rec(zh_Hans="我爱北京。你呢？", th="ผมรักภาษาไทย วันนี้อากาศดี", vi="Tôi là sinh viên. Xin chào!",
            km="ខ្ញុំទៅផ្សារ។ សួស្តី", lo="ສະບາຍດີ. ພາສາລາວ", my="ကျွန်တော် ကျောင်းသွားမယ်။ သူလာတယ်။",
            id="Saya pergi. Dia datang!", ms="Saya makan. Dia minum.", fil="Kumain ako. Masarap!",
            en="I came. I saw.")
    [r] = run([r])
    assert RecordValidator().check(r) == []
    for tag, side in r["sides"].items():
        assert len(side["layers"]["sentences"]["spans"]) == 2, (tag, texts(side, "sentences"))
        for layer in ("tokens", "sentences"):
            assert_tiles(side["text"], side["layers"][layer]["spans"])
            prov = side["layers"][layer]["provenance"]
            assert prov["method"] == "auto" and prov["time"].endswith("Z")
            assert prov["tool"]["version"] and prov["tool"]["settings"]["annotator"]
    zh = r["sides"]["zh-Hans"]["layers"]["tokens"]["provenance"]["tool"]
    assert zh["name"] == "jieba" and zh["version"] == "0.42.1" and zh["settings"]["hmm"] is True
    assert r["sides"]["th"]["layers"]["tokens"]["provenance"]["tool"]["name"] == "pythainlp.newmm"
    assert r["sides"]["th"]["layers"]["sentences"]["provenance"]["tool"]["name"] == "pythainlp.crfcut"


@needs("jieba")
def test_tokens_never_cross_sentences() -> None:
    # jieba would join 了。 differently across the boundary; tokens are made sentence by sentence
    [r] = run([rec(zh="他走了。了解吗？我明白了")])
    side = r["sides"]["zh"]
    bounds = {e for _, e in side["layers"]["sentences"]["spans"]}
    for s, e in side["layers"]["tokens"]["spans"]:
        assert not any(s < b < e for b in bounds)


@needs("jieba")
def test_tokens_of_a_side_with_broken_sentences_ignore_them() -> None:
    r = rec(zh="我爱北京。你呢？")
    r["sides"]["zh"]["layers"] = {"sentences": {"spans": [[0, 5], [3, 8]]}}  # overlapping: not usable
    run([r], ("tokens",))
    assert texts(r["sides"]["zh"], "tokens") == ["我", "爱", "北京", "。", "你", "呢", "？"]


@needs("nlpo3")
def test_use_and_settings_are_honoured() -> None:
    [r] = run([rec(th="ผมรักภาษาไทย")], ("tokens",), use={"th": ("nlpo3",)}, config={"nlpo3": {"safe": True}})
    tool = r["sides"]["th"]["layers"]["tokens"]["provenance"]["tool"]
    assert tool["name"] == "nlpo3" and tool["settings"]["safe"] is True


@needs("jieba")
def test_existing_layers_are_kept_unless_overwrite() -> None:
    r = rec(zh="我爱北京")
    r["sides"]["zh"]["layers"] = {"tokens": {"spans": [[0, 4]], "provenance": {"method": "manual", "annotator": "a"}}}
    run([r], ("tokens",))
    assert r["sides"]["zh"]["layers"]["tokens"]["spans"] == [[0, 4]]
    run([r], ("tokens",), overwrite=True)
    assert r["sides"]["zh"]["layers"]["tokens"]["spans"] == [[0, 1], [1, 2], [2, 4]]


def test_overwrite_refuses_to_orphan_token_indexed_layers() -> None:
    r = rec(zh="我爱北京")
    r["sides"]["zh"]["layers"] = {"tokens": {"spans": [[0, 4]]}, "pos": {"values": ["X"]}}
    with pytest.raises(InputError, match="record 'r1'.*side 'zh': cannot replace its tokens: pos"):
        run([r], ("tokens",), overwrite=True)


@needs("newmm")
def test_lang_from_script_and_sides_filter() -> None:
    r = rec(und="ผมรักภาษาไทย", en="I love Thai.")
    run([r], ("tokens",), lang_from="script", sides=("und",))
    assert texts(r["sides"]["und"], "tokens") == ["ผม", "รัก", "ภาษาไทย"]
    assert r["sides"]["und"]["layers"]["tokens"]["provenance"]["tool"]["name"] == "pythainlp.newmm"
    assert "layers" not in r["sides"]["en"]


# ---------------------------------------------------------------------------------- bad input

@needs(*DEFAULT_BACKENDS)
@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "。！？…", "!!! ... ???", "«»—–", "\u200b\u200b"])
def test_empty_space_and_punctuation_only(text: str) -> None:
    r = rec(zh=text, th=text, vi=text, km=text, lo=text, my=text, id=text)
    run([r])
    assert RecordValidator().check(r) == []
    for side in r["sides"].values():
        for layer in ("tokens", "sentences"):
            spans = side["layers"][layer]["spans"]
            assert_tiles(text, spans)
            if not text.strip():
                assert spans == []


@needs("jieba", "newmm")
def test_mixed_script_text() -> None:
    r = rec(zh="我用iPhone 15拍了3张照片，花了¥5999。", th="ผมใช้ iPhone 15 ถ่ายรูป 3 ใบ ราคา 5,999 บาท")
    run([r], ("tokens",))
    zh, th = texts(r["sides"]["zh"], "tokens"), texts(r["sides"]["th"], "tokens")
    assert "iPhone" in zh and "15" in zh and "5999" in zh
    assert "iPhone" in th and "5,999" in th and "บาท" in th


def test_unknown_and_malformed_language_tags() -> None:
    p = Pipeline.build(PipelineConfig(layers=("tokens",)))
    with pytest.raises(InputError, match=r"record 'q'.*side 'qaa': no tokens annotator for language 'qaa'; "
                                         r"choose one with --use qaa=NAME.*sentencepiece"):
        p.annotate_batch([rec("q", qaa="some text")])
    with pytest.raises(InputError, match="side 'not a tag!'.*not a BCP 47 language tag"):
        p.annotate_batch([{"id": "b", "sides": {"not a tag!": {"text": "x"}}}])
    # sentences have a rule-based default for any language
    [r] = run([rec("q", qaa="One. Two.")], ("sentences",))
    assert texts(r["sides"]["qaa"], "sentences") == ["One.", "Two."]


def test_malformed_records_name_their_location() -> None:
    p = Pipeline.build(PipelineConfig(layers=("tokens",)))
    with pytest.raises(InputError, match="record 'x': side 'zh' has no text string"):
        p.annotate_batch([{"id": "x", "sides": {"zh": {"txt": "a"}}}])
    with pytest.raises(InputError, match="record 'y': record has no 'sides' object"):
        p.annotate_batch([{"id": "y"}])


@needs(*DEFAULT_BACKENDS)
@pytest.mark.parametrize("tag,unit", [("zh", "我爱北京天安门。他说你好然后走了真的吗？"),
                                      ("th", "ผมรักภาษาไทยมากวันนี้อากาศดี "), ("km", "ខ្ញុំស្រឡាញ់ប្រទេសកម្ពុជា។"),
                                      ("vi", "Tôi là sinh viên đại học. "), ("my", "ကျွန်တော် ကျောင်းသွားမယ်။")])
def test_very_long_text(tag: str, unit: str) -> None:
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    [r] = run([rec(**{tag: text})])
    side = r["sides"][tag]
    assert_tiles(text, side["layers"]["tokens"]["spans"])
    assert_tiles(text, side["layers"]["sentences"]["spans"])
    assert len(side["layers"]["tokens"]["spans"]) > 10_000


# ------------------------------------------------------------------------------------ workers

def _work(cfg: dict[str, Any], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    p = Pipeline.build(PipelineConfig.from_dict(cfg))
    p.annotate_batch(records)
    return records


def _strip_time(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = copy.deepcopy(records)
    for r in out:
        for side in r["sides"].values():
            for lay in side.get("layers", {}).values():
                lay["provenance"].pop("time", None)
    return out


@needs("jieba", "nlpo3", "crfcut", "pyvi", "underthesea")
def test_built_from_plain_config_in_a_fresh_worker_process() -> None:
    cfg = PipelineConfig(layers=("tokens", "sentences"), use={"th": ("nlpo3",)}, config={"jieba": {"hmm": False}})
    data = [rec("a", zh="我爱北京。你呢？", th="ผมรักภาษาไทย วันนี้อากาศดี"), rec("b", vi="Tôi là sinh viên.")]
    local = _work(cfg.to_dict(), copy.deepcopy(data))
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as ex:
        remote = ex.submit(_work, cfg.to_dict(), copy.deepcopy(data)).result(timeout=300)
    assert _strip_time(remote) == _strip_time(local)


def test_stanza_language_codes_and_model_dir(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from lancang.annotators.stanza_local import model_dir, stanza_lang

    assert [stanza_lang(t, lang) for t, lang in [("zh-Hant", "zh"), ("zh", "zh"), ("fil", "fil"), ("my", "my")]] == [
        "zh-hant", "zh-hans", "tl", "my"]
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tmp_path))
    assert model_dir({}) == str(tmp_path) and model_dir({"model_dir": "/m"}) == "/m"
