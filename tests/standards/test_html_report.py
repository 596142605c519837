"""The HTML check report: header, summary, grouping, sources, collapsed findings, zh page, metrics, OC curve."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from lxml import html as lhtml

from lancang.corpora.samples import sample_path
from lancang.schemas import load_schema
from lancang.schemas.validator import SchemaEngine
from lancang.standards.checker import check
from lancang.standards.html import CSS, FIRST, Page, oc_curve, p_accept, relative, render_html
from lancang.standards.metrics import CorpusMetrics, length_band, ratio_band, score_band
from lancang.standards.profiles import load_profile


@pytest.fixture(scope="module")
def zh_asean() -> dict:
    return check(sample_path(), [load_profile("lancang-zh-asean-parallel")], sample_path("sample.manifest.json"),
                 max_findings=20)


def page(rep: dict, lang: str = "en") -> lhtml.HtmlElement:
    return lhtml.fromstring(render_html(rep, lang))


def test_report_json_carries_sources_and_standard_and_is_schema_valid(zh_asean: dict) -> None:
    reqs = {q["id"]: q for q in zh_asean["requirements"]}
    assert reqs["bilingual"]["source"] == "docs/standards/gb-t-40035-2021.md#scope"
    assert reqs["canonical-record"]["source"] is None  # lancang's own requirement names no fact
    prof = zh_asean["signature"]["profiles"][0]
    assert prof["issuer"] and prof["title"]["zh"]
    assert [x["id"] for x in prof["extended"]] == prof["extends"] == ["gb-t-40035-2021", "lancang-text-hygiene"]
    assert prof["extended"][0]["number"] == "GB/T 40035-2021" and prof["extended"][0]["issuer"] == "SAC/TC62"
    assert SchemaEngine(load_schema("report")).errors(zh_asean) == []


def test_header_names_the_standard_number_issuer_and_version(cli, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    cli("check", str(sample_path()), "--manifest", str(sample_path("sample.manifest.json")), "-p", "gb-t-40035-2021",
        "--format", "html", "-o", str(out), "--lang", "zh")
    dom = lhtml.fromstring(out.read_text(encoding="utf-8"))
    std = dom.xpath("//p[@class='standard']")[0].text_content()
    assert "GB/T 40035-2021" in std and "双语平行语料加工服务基本要求" in std and "SAC/TC62" in std
    assert "gb-t-40035-2021 3" in std  # the profile's version


def test_header_names_the_standards_a_profile_extends(zh_asean: dict) -> None:
    lines = {p.get("data-profile"): p.text_content() for p in page(zh_asean, "zh").xpath("//p[@class='standard']")}
    assert list(lines) == ["lancang-zh-asean-parallel", "gb-t-40035-2021", "lancang-text-hygiene"]
    assert lines["lancang-zh-asean-parallel"].startswith("标准: 中国—东盟翻译语料库规范")
    gb = lines["gb-t-40035-2021"]
    assert gb.startswith("所扩展的标准: GB/T 40035-2021 双语平行语料加工服务基本要求") and "SAC/TC62" in gb


def test_requirements_grouped_by_profile_with_clause_basis_and_source(zh_asean: dict) -> None:
    dom = page(zh_asean)
    groups = [s.get("data-profile") for s in dom.xpath("//section[@class='profile']")]
    assert groups == ["lancang", "lancang-text-hygiene", "gb-t-40035-2021", "lancang-zh-asean-parallel"]
    gb = dom.xpath("//section[@data-profile='gb-t-40035-2021']")[0]
    head = gb.xpath("h3")[0].text_content()
    assert "GB/T 40035-2021" in head and "extended by lancang-zh-asean-parallel" in head
    # a child's replacement is listed under the child, not the parent it replaces
    assert gb.xpath(".//tr[@data-id='completeness-empty']") == []
    row = gb.xpath(".//tr[@data-id='bilingual']")[0]
    cells = [td.text_content() for td in row.xpath("td")]
    assert cells[0] == "pass" and cells[2] == "§3.3" and cells[4] == "standard's text"
    assert cells[5] == "docs/standards/gb-t-40035-2021.md#scope"
    assert dom.xpath("//tr[@data-id='metadata']/td[3]")[0].text_content() == "Annex B"
    assert len(dom.xpath("//tr[@data-verdict]")) == zh_asean["summary"]["requirements"]


def test_findings_collapse_after_the_first_few_with_exact_counts(zh_asean: dict) -> None:
    q = next(q for q in zh_asean["requirements"] if q["id"] == "sentences")
    assert q["findings"] == 144 and len(q["shown"]) == 20
    row = page(zh_asean).xpath("//tr[@data-id='sentences']")[0]
    assert row.xpath("td[@class='count']")[0].text_content() == "144"
    ev = row.xpath("td")[-1]
    assert len(ev.xpath("div[@class='finding']")) == FIRST
    det = ev.xpath("details")[0]
    assert det.xpath("summary")[0].text_content() == f"{20 - FIRST} more"
    assert len(det.xpath("div[@class='finding']")) == 20 - FIRST
    assert "124 further findings" in ev.xpath(".//div[contains(@class, 'not-listed')]")[0].text_content()
    # a requirement with fewer findings has no <details>
    assert page(zh_asean).xpath("//tr[@data-id='accuracy-untranslated']//details") == []


def test_paths_are_relative_to_the_corpus_folder(zh_asean: dict, tmp_path: Path) -> None:
    assert "/" in zh_asean["corpus"]
    text = page(zh_asean).xpath("//tr[@data-id='chinese-side']")[0].text_content()
    assert "sample.jsonl:25 [talpco-1176]" in text and str(Path(zh_asean["corpus"]).parent) not in text
    processing = page(zh_asean).xpath("//tr[@data-id='processing-flow']")[0].text_content()
    assert "sample.manifest.json /processing" in processing
    corpus = tmp_path / "a" / "c.jsonl"
    assert relative(str(tmp_path / "a" / "sub" / "m.json"), str(corpus)) == "sub/m.json"
    assert relative(str(tmp_path / "b" / "m.json"), str(corpus)) == str(tmp_path / "b" / "m.json")  # outside
    assert relative("metrics", str(corpus)) == "metrics"


def test_summary_lists_what_was_not_checked_and_why(zh_asean: dict) -> None:
    dom = page(zh_asean)
    items = [li.text_content() for li in dom.xpath("//ul[@id='not-checked']/li")]
    assert len(items) == zh_asean["summary"]["not-checked"] == 1
    assert "gb-t-40035-2021/accuracy-inspection" in items[0] and "no inspection result" in items[0]
    counts = dom.get_element_by_id("counts").text_content()
    assert "48 records" in counts and "pass 17" in counts and "findings 223" in counts
    v = dom.get_element_by_id("verdict")
    assert v.get("data-verdict") == "not-conformant" and "not-conformant" in v.get("class")
    assert "#cf222e" in CSS  # the fail colour


def test_zh_page_is_chinese(zh_asean: dict) -> None:
    dom = page(zh_asean, "zh")
    assert dom.get("lang") == "zh"
    heads = [th.text_content() for th in dom.xpath("(//table[@class='requirements'])[1]/thead//th")]
    assert heads == ["结论", "编号", "条款", "要求", "依据", "出处", "问题数", "证据"]
    assert dom.get_element_by_id("verdict").text_content() == "不符合"
    assert dom.xpath("//tr[@data-id='chinese-side']/td[1]")[0].text_content() == "不通过"
    assert dom.xpath("//tr[@data-id='bilingual']/td[5]")[0].text_content() == "标准原文"
    assert dom.xpath("//tr[@data-id='nfc']/td[5]")[0].text_content() == "lancang 默认"
    assert "其余 17 条" in dom.xpath("//tr[@data-id='sentences']//summary")[0].text_content()
    titles = [h.text_content() for h in dom.xpath("//h2")]
    assert all(not re.search("[A-Za-z]", t) for t in titles), titles
    assert "每条记录含中文一侧" in dom.text_content()


def test_one_self_contained_file_and_fonts_for_every_script(zh_asean: dict) -> None:
    text = render_html(zh_asean, "zh")
    assert "<script" not in text and "<link" not in text and "@import" not in text and "url(" not in text
    assert "http" not in text.split("<body>")[1].lower()
    for family in ("Noto Sans CJK SC", "Noto Sans Thai", "Noto Sans Khmer", "Noto Sans Lao", "Noto Sans Myanmar"):
        assert f'"{family}"' in CSS


def test_corpus_distributions(zh_asean: dict) -> None:
    m = CorpusMetrics()
    m.add({"id": "a", "sides": {"zh": {"text": "你好"}, "en": {"text": "Hello there"}},
           "links": [{"kind": "beads", "src": "zh", "tgt": "en",
                      "beads": [{"src": [0], "tgt": [0], "score": 0.97}, {"src": [1, 2], "tgt": [1], "score": 0.31},
                                {"src": [], "tgt": [2]}]}]})
    m.add({"id": "b", "sides": {"zh": {"text": " "}, "en": {"text": "x" * 2000}}})
    d = m.to_dict()
    assert d["bead_types"] == {"1-1": 1, "2-1": 1, "0-1": 1}
    assert d["bead_scores"] == {"0.3-0.4": 1, "0.9-1.0": 1}
    assert d["segment_lengths"] == {"1-10": 1, "11-20": 1, ">1280": 1}
    assert d["length_ratios"] == {">=4": 1}  # 11 / 2; record b has one non-empty side
    assert (length_band(10), length_band(11), ratio_band(0.8), score_band(1.0)) == ("1-10", "11-20", "0.8-1.25",
                                                                                    "0.9-1.0")
    dom = page(zh_asean)
    assert zh_asean["metrics"]["corpus"]["bead_types"] == {"1-1": 72}
    for fig in ("bead-types", "segment-lengths", "length-ratios"):
        assert dom.xpath(f"//figure[@id='{fig}']/svg/rect"), fig


def test_p_accept_is_the_binomial_and_poisson_sum() -> None:
    # n=50, Ac=1, p=2 %: 0.98^50 + 50 * 0.02 * 0.98^49
    assert p_accept(50, 1, 0.02) == pytest.approx(0.98 ** 50 + 50 * 0.02 * 0.98 ** 49, rel=1e-12)
    assert p_accept(50, 1, 0.02, "nonconformities") == pytest.approx(2 * math.exp(-1), rel=1e-12)
    assert p_accept(5, 0, 0.0) == 1.0 and p_accept(5, 0, 1.0) == 0.0 and p_accept(5, 5, 1.0) == 1.0
    assert p_accept(1250, 21, 0.01) == pytest.approx(
        sum(math.comb(1250, k) * 0.01 ** k * 0.99 ** (1250 - k) for k in range(22)), rel=1e-9)


def test_oc_curve_svg_follows_the_plan() -> None:
    svg = lhtml.fromstring(oc_curve({"sample_size": 80, "ac": 2, "aql": "1.0"}, Page("en")))
    pts = [tuple(map(float, p.split(","))) for p in svg.xpath("//polyline")[0].get("points").split()]
    ys = [y for _x, y in pts]
    assert ys[0] == pytest.approx(10) and ys == sorted(ys)  # P(accept) = 1 at p = 0 (top), then falls
    assert ys[-1] > 180  # near 0 at the right edge
    assert "AQL 1.0" in svg.text_content()


def inspected_report(cli, tmp_path: Path) -> dict:
    """A real check report with a sampling plan: the sample corpus sampled (GB/T 2828.1, AQL 2.5, level II),
    its sample reviewed and inspected, and checked against GB/T 40035-2021 with that inspection (also the
    serve corpus page's test report)."""
    review = tmp_path / "review.jsonl"
    res = cli("sample", str(sample_path()), str(review), "--aql", "2.5", "--level", "II", "--seed", "7")
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in review.read_text(encoding="utf-8").splitlines()]
    for r in recs:
        r["meta"]["review"].update(verdict="pass", reviewer="rev-1")
    review.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    metrics = tmp_path / "insp.json"
    res = cli("inspect", str(review), "--corpus", str(sample_path()), "--format", "json", "-o", str(metrics))
    assert res.exit_code == 0, res.output
    return check(sample_path(), [load_profile("gb-t-40035-2021")], sample_path("sample.manifest.json"), metrics)


def test_sampling_section_from_a_real_inspection(cli, tmp_path: Path) -> None:
    rep = inspected_report(cli, tmp_path)
    dom = page(rep, "zh")
    sampling = dom.get_element_by_id("sampling").getnext().text_content()
    assert "样本量 5" in sampling and "Ac 0" in sampling and "接收" in sampling and "正常检验" in sampling
    svg = dom.xpath("//figure[@id='oc-curve']/svg")[0]
    assert (svg.get("data-n"), svg.get("data-ac")) == ("5", "0")


def test_accuracy_per_language_from_evaluate(cli, tmp_path: Path) -> None:
    metrics = tmp_path / "acc.json"
    res = cli("evaluate", str(sample_path()), str(sample_path()), "--layer", "tokens", "--format", "json")
    assert res.exit_code == 0
    metrics.write_text(res.output, encoding="utf-8")
    rep = check(sample_path(), [load_profile("lancang-text-hygiene")], None, metrics)
    dom = page(rep)
    rows = dom.xpath("//h3[@id='accuracy-tokens']/following-sibling::table[1]/tbody/tr")
    langs = [r.xpath("td[1]")[0].text_content() for r in rows]
    assert langs[-1] == "overall" and set(langs[:-1]) == set(json.loads(res.output)["accuracy"]["tokens"]["languages"])
    assert all(r.xpath("td[4]")[0].text_content() == "1.000" for r in rows)  # the corpus against itself


def test_agreement_per_label_and_score_render_when_present(zh_asean: dict) -> None:
    per_label = {"PER": {"kappa": 0.9, "f1_mean": 0.95, "count": 40},
                 "LOC": {"kappa": None, "f1_mean": 0.5, "count": 3}}
    indicator = {"id": "acc", "title": {"en": "Accuracy", "zh": "准确"}, "score": 88.0, "weight": 0.125,
                 "requirements": []}
    dimension = {"id": "quality", "title": {"en": "Quality", "zh": "质量"}, "score": 88.0, "pass": 60, "passed": True,
                 "indicators": [indicator]}
    rep = {**zh_asean, "metrics": {**zh_asean["metrics"], "agreement": {
        "kappa": 0.81, "alpha": 0.8, "layers": {"entities": {"per_label": per_label}}}},
        "score": {"total": 91.5, "grade": "优秀", "passed": True, "rule": "total >= 90", "dimensions": [dimension]}}
    dom = page(rep, "zh")
    rows = dom.xpath("//h3[@id='agreement-entities']/following-sibling::table[1]/tbody/tr")
    assert [[td.text_content() for td in r.xpath("td")] for r in rows] == [["PER", "0.900", "0.950", "40"],
                                                                            ["LOC", "-", "0.500", "3"]]
    assert dom.get_element_by_id("score-total").text_content() == "91.5"
    assert dom.get_element_by_id("grade").text_content() == "优秀"
    assert "质量" in dom.get_element_by_id("score").text_content()
    assert "准确 88 (×0.125)" in dom.get_element_by_id("score").text_content()
    assert page(zh_asean).xpath("//*[@id='score']") == []  # no score block without a score


def test_score_of_a_scored_profile_renders_next_to_the_verdict() -> None:
    rep = check(sample_path(), [load_profile("tc609-5-2025-04")], sample_path("sample.manifest.json"))
    assert "score" in rep
    dom = page(rep, "zh")
    rows = dom.xpath("//div[@id='score']//tbody/tr")
    assert len(rows) == len(rep["score"]["dimensions"])
    unknown = [d for d in rep["score"]["dimensions"] if d["passed"] is None]
    assert unknown and sum("未定" in r.text_content() for r in rows) == len(unknown)
    weights = {i["weight"] for d in rep["score"]["dimensions"] for i in d["indicators"]}
    assert all(f"(×{w:g})" in dom.get_element_by_id("score").text_content() for w in weights)
