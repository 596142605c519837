"""Every message lancang's check writes has an English and a Chinese text in one catalog
(lancang/standards/messages.py), and a report rendered with --lang zh holds no English finding sentence."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from lxml import html as lhtml

import lancang
from lancang.corpora.samples import sample_path
from lancang.findings import Finding
from lancang.standards import conllu
from lancang.standards.checker import check
from lancang.standards.html import render_html
from lancang.standards.messages import CATALOG, Msg, fields, finding_text, msg, reason_text, tagged, text
from lancang.standards.profiles import load_profile
from lancang.standards.report import render_text
from lancang.standards.rules import RULES
from tests.standards.test_rules import CASES, MANIFEST, MANIFEST_CASES, RECORD

PKG = Path(lancang.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def has(key: str) -> bool:
    """The catalog says ``key`` (a rule id: itself or one of its variants ``key.…``) in Chinese."""
    return any((k == key or k.startswith(key + ".")) and CJK.search(v["zh"]) for k, v in CATALOG.items())


def test_every_registered_rule_has_a_zh_template() -> None:
    missing = [r for r in RULES.names() if not has(r)]
    assert missing == []


def test_every_conllu_test_id_has_a_zh_template() -> None:
    assert [r for r in [*conllu.RULES, *conllu.WARNINGS] if not has(f"conllu/{r}")] == []


def _literals(pattern: str, files: list[Path]) -> set[str]:
    return {m for f in files for m in re.findall(pattern, f.read_text(encoding="utf-8"))}


def format_rule_ids() -> set[str]:
    """The rule ids the format readers raise, read from their source: ``fail(ctx, "x", …)`` in xliff2rules
    (prefixed ``xliff2-``), ``XmlInputError("…")`` / ``self.fail("…")`` / ``self.err("…")`` elsewhere, and the
    inline-code ids under each XML format's prefix."""
    formats = sorted((PKG / "corpora" / "formats").glob("*.py"))
    ids = {"xliff2-" + x for x in _literals(r'\bfail\(ctx, "([a-z0-9-]+)"', formats)}
    ids |= _literals(r'(?:XmlInputError|self\.fail|self\.err)\(\s*"([a-z0-9-]+-[a-z0-9-]+)"', formats)
    ids |= {"xml-malformed", "xml-too-large", "xml-entity"}  # chosen in xmlsafe's error mapping
    codes = _literals(r'CodeError\(\s*"([a-z0-9-]+)"', formats)
    assert codes, "the inline-code ids were found"
    ids |= {p + c for p in ("tmx-", "xliff-", "xliff2-") for c in codes}
    return ids


def test_every_format_validator_id_has_a_zh_template() -> None:
    ids = format_rule_ids()
    assert len(ids) > 80  # xliff2rules alone raises about 55 ids
    assert sorted(i for i in ids if not has(i)) == []


def test_every_record_invariant_and_jsonl_problem_has_a_zh_template() -> None:
    inv = _literals(r'\("([a-z]+(?:-[a-z]+)+)", "(?:error|warning)"', [PKG / "corpora" / "invariants.py"])
    assert len(inv) > 15 and sorted(i for i in inv if not has(f"invariant/{i}")) == []
    probs = _literals(r'Problem\([^,]+, "([a-z0-9-]+)"', [PKG / "corpora" / "jsonl.py"])
    probs |= {"json-malformed", "utf8-invalid"}
    assert sorted(p for p in probs if not has(f"jsonl/{p}")) == []


def test_every_message_the_code_makes_is_in_the_catalog() -> None:
    src = [PKG / "standards" / "rules.py", PKG / "standards" / "checker.py"]
    used = _literals(r'\bmsg\(\s*"([^"]+)"', src) | _literals(r'tagged\([^)]*?"([a-z][a-z0-9./-]+)",', src)
    assert len(used) > 40
    assert sorted(u for u in used if u not in CATALOG) == []


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_templates_agree_on_their_parameters(key: str) -> None:
    """Both languages exist; the Chinese is Chinese and uses only parameters the English has (an English
    ``{detail}`` is a text given from elsewhere: the Chinese then names only the parameters given with it)."""
    en, zh = CATALOG[key]["en"], CATALOG[key]["zh"]
    assert en and zh and CJK.search(zh), key
    if "{detail}" not in en:
        assert fields(zh) <= fields(en), key


def test_a_message_is_its_english_text_and_keeps_its_code_and_parameters() -> None:
    m = msg("text-control-chars", char="U+0007", offset=3)
    assert m == "control character U+0007 at offset 3" and isinstance(m, str)
    assert (m.code, m.params) == ("text-control-chars", {"char": "U+0007", "offset": 3})
    assert text(m.code, "zh", m.params) == "偏移 3 处有控制字符 U+0007"
    f = Finding("text-control-chars", m, code=m.code, params=m.params).to_dict()
    assert type(f["message"]) is str and json.loads(json.dumps(f))["params"] == {"char": "U+0007", "offset": 3}
    assert finding_text(f, "zh") == "偏移 3 处有控制字符 U+0007" and finding_text(f, "en") == m


def test_lists_nested_entries_and_unknown_codes() -> None:
    m = msg("processing-steps", steps=["cleaning", "dedup"])
    assert m == "processing log has no cleaning or dedup step"
    assert text(m.code, "zh", m.params) == "加工日志中没有 cleaning 或 dedup 步骤"
    m = msg("sampling.switching-mismatch", said="reduced", used="normal")
    assert "放宽检验" in text(m.code, "zh", m.params) and "正常检验" in text(m.code, "zh", m.params)
    t = tagged("xliff2 said so", "source-format.conllu", code="invalid-word-id", detail="ID '1a' ...")
    assert t == "xliff2 said so" and "ID 须为词序号" in text(t.code, "zh", t.params)
    # a finding of another version (an unknown code) or a plain third-party message keeps its English
    assert finding_text({"message": "custom rule said", "code": "no-such-code"}, "zh") == "custom rule said"
    assert finding_text({"message": "plain"}, "zh") == "plain"
    assert reason_text({"reason": "why", "reason_code": "reason.no-records", "reason_params": {}}, "zh") == \
        "语料中没有记录，因此未检查任何内容"


def test_messages_survive_pickling() -> None:
    import pickle

    m = pickle.loads(pickle.dumps(msg("segment-empty")))
    assert isinstance(m, Msg) and m.code == "segment-empty" and m == "empty segment"


@pytest.mark.parametrize("rule_id", sorted(CASES) + sorted(MANIFEST_CASES))
def test_every_rule_failure_renders_in_chinese(rule_id: str) -> None:
    """The failing fixture of every rule: its messages carry a code of the catalog, their parameters fill the
    Chinese template, and the Chinese has no English sentence."""
    params, mutate = {**CASES, **MANIFEST_CASES}[rule_id]
    bad = copy.deepcopy(MANIFEST if rule_id in MANIFEST_CASES else RECORD)
    mutate(bad)
    hits = list(RULES.get(rule_id).check(bad, params))
    assert hits
    for _ptr, m in hits:
        assert isinstance(m, Msg) and m.code in CATALOG
        zh = text(m.code, "zh", m.params)
        assert CJK.search(zh) and not english_sentence(zh), zh


#: three English words in a row (two letters or more each): a sentence, not a code, an id or a value
_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?:\s+[A-Za-z]{2,}){2,}\b")
#: what may stay: quoted values, code-like ids (kebab-case, dotted, slashed), <tags>, paths, JSON pointers
_ALLOWED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|<[^>]*>|\S*[/\\]\S*|\b[\w.]+(?:[-.:][\w.]+)+\b")


def english_sentence(s: str) -> str | None:
    m = _SENTENCE.search(_ALLOWED.sub(" ", s))
    return m.group() if m else None


def page_texts(page: str) -> list[str]:
    """The finding, reason and not-checked texts of an HTML report (locations cut off)."""
    dom = lhtml.fromstring(page)
    out = [d.text_content().split(": ", 1)[-1] for d in dom.xpath("//div[@class='finding']")]
    out += [d.text_content() for d in dom.xpath("//div[@class='reason']")]
    out += [li.text_content().split(": ", 1)[-1] for li in dom.xpath("//ul[@id='not-checked']/li")]
    return out


def test_the_detector_finds_english_and_allows_codes_and_values() -> None:
    assert english_sentence("the record duplicates the record on line 3")
    assert not english_sentence("该记录与第 3 行的记录重复")
    assert not english_sentence("invalid-word-id：ID 须为词序号 'Hello big world'")


def test_the_demo_report_in_chinese_has_no_english_finding_sentence(cli, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    res = cli("demo", "--out", str(out))
    assert res.exit_code in (0, 1), res.output
    page = tmp_path / "report.html"
    args = ["check", str(out / "aligned.jsonl"), "--manifest", str(out / "manifest.json"), "-p",
            "lancang-zh-asean-parallel", "--format", "html", "--lang", "zh", "-o", str(page)]
    if (out / "metrics.json").exists():
        args += ["--metrics", str(out / "metrics.json")]
    cli(*args)
    rep_json = json.loads((out / "report.json").read_text(encoding="utf-8"))
    texts = page_texts(page.read_text(encoding="utf-8"))
    findings = sum(min(q["findings"], 20) for q in rep_json["requirements"])
    assert findings == 0 or texts, "the demo's findings are on the page"
    assert [t for t in texts if english_sentence(t)] == []
    en = page_texts(render_html(rep_json, "en"))
    assert [t for t in en if english_sentence(t)] == en  # the English page is English: the detector bites


def test_a_report_full_of_findings_and_reasons_renders_in_chinese(tmp_path: Path) -> None:
    """Every failing rule fixture in one corpus, checked against profiles that name every rule, with a
    sampling and a metrics requirement left without metrics: every finding and reason on the zh page and in
    the zh text report is Chinese."""
    recs = []
    for i, (rid, (_params, mutate)) in enumerate(sorted(CASES.items())):
        r = copy.deepcopy(RECORD)
        r["id"] = f"r{i}-{rid}"
        mutate(r)
        recs.append(r)
    recs.append({**copy.deepcopy(recs[-1]), "id": "dup"})
    recs.append({"id": 7, "sides": {}})  # not a lancang record
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs) + "{not json\n",
                      encoding="utf-8")
    manifest = copy.deepcopy(MANIFEST)
    for rid, (_p, mutate) in MANIFEST_CASES.items():
        if rid != "manifest-fields":  # it drops the guidelines another case needs: it asks for a missing item
            mutate(manifest)
    (tmp_path / "m.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    reqs = [{"id": rid, "clause": "1", "basis": "default", "kind": "rule", "rule": rid, "params": params,
             "title": {"en": rid, "zh": rid}} for rid, (params, _m) in {**CASES, **MANIFEST_CASES}.items()
            if rid not in ("pii-residual", "manifest-fields")]
    reqs.append({"id": "fields", "clause": "1", "basis": "default", "kind": "rule", "rule": "manifest-fields",
                 "params": {"fields": [{"pointer": "/collection", "label": "collection method"}]}, "title": "f"})
    reqs += [{"id": d, "clause": "1", "basis": "default", "kind": "rule", "rule": d, "title": d}
             for d in ("duplicate-records", "duplicate-pairs")]
    reqs += [{"id": "kappa", "clause": "1", "basis": "default", "kind": "metrics", "title": "kappa",
              "schema": {"required": ["agreement"], "properties": {"agreement": {"required": ["kappa"]}}}},
             {"id": "lot", "clause": "1", "basis": "default", "kind": "sampling", "title": "lot",
              "plan": {"scheme": "fixed", "min_sample": 5, "min_pass_rate": 0.9}},
             {"id": "schema", "clause": "1", "basis": "default", "kind": "record", "title": "schema",
              "schema": {"properties": {"id": {"pattern": "^[a-z]+$"}}}},
             {"id": "upos", "clause": "1", "basis": "default", "kind": "rule", "rule": "layer-values",
              "params": {"layer": "xpos", "values": ["X"]}, "title": "xpos"}]
    prof = tmp_path / "all.json"
    prof.write_text(json.dumps({"profile": "lancang/profile/1", "id": "all", "version": "1", "title": "all",
                                "issuer": "x", "level": "project", "status": "draft", "requirements": reqs}),
                    encoding="utf-8")
    rep = check(corpus, [load_profile(str(prof))], tmp_path / "m.json", max_findings=0)
    assert rep["summary"]["fail"] >= 25 and rep["summary"]["not-checked"] >= 3
    coded = [f for q in rep["requirements"] for f in q["shown"]]
    assert coded and all(f.get("code") in CATALOG for f in coded), [f for f in coded if f.get("code") not in CATALOG]
    texts = page_texts(render_html(rep, "zh"))
    assert len(texts) >= 40
    assert "不符合 JSON Schema：属性数少于最少数目（minProperties）" in texts  # the engine's kebab-case keyword
    assert "值 7 不符合 JSON Schema：类型不符（type）" in texts  # the observed value, when a short scalar
    assert any(t.startswith("值 'r0-") and t.endswith("不匹配规定的模式（pattern）") for t in texts)
    assert [t for t in texts if english_sentence(t)] == []
    lines = render_text(rep, "zh").splitlines()
    assert lines[-1] == "结论：不符合" and "项：通过" in lines[-2] and "依据: lancang 默认" in lines[2]
    body = [ln.split(": ", 1)[-1] for ln in lines if ln.startswith("     ") and not ln.strip().startswith("(")]
    assert body and [t for t in body if english_sentence(t)] == []


def test_a_conllu_and_an_xml_format_violation_render_in_chinese(tmp_path: Path) -> None:
    bad = tmp_path / "bad.conllu"
    bad.write_text("# sent_id = 1\n# text = a\n1a\ta\t_\tX\t_\t_\t0\troot\t_\t_\n\n", encoding="utf-8")
    rep = check(bad, [load_profile("conllu")], langs=["th"])
    texts = page_texts(render_html(rep, "zh"))
    assert any("ID 须为词序号" in t for t in texts), texts
    assert [t for t in texts if english_sentence(t)] == []
    tmx = tmp_path / "bad.tmx"
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>a</seg></tuv>'
                   '<tuv xml:lang="zh"><seg>甲</seg></tuv></tu></body></tmx>', encoding="utf-8")
    rep = check(tmx, [load_profile("tmx-1.4b")])
    texts = page_texts(render_html(rep, "zh"))
    assert any("<header>" in t and "缺少" in t for t in texts), texts
    assert [t for t in texts if english_sentence(t)] == []


def test_sample_profile_report_json_is_valid_with_codes(tmp_path: Path) -> None:
    from lancang.schemas import load_schema
    from lancang.schemas.validator import SchemaEngine

    rep = check(sample_path(), [load_profile("lancang-zh-asean-parallel")], sample_path("sample.manifest.json"))
    assert SchemaEngine(load_schema("report")).errors(json.loads(json.dumps(rep))) == []
    assert any(q.get("reason_code") for q in rep["requirements"] if q["verdict"] == "not-checked")
