"""Render a check report as text, JUnit XML or one self-contained HTML page (the JSON is the report)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from .html import location as _loc
from .html import render_html
from .messages import finding_text, reason_text
from .profiles import text_in

__all__ = ["BASIS", "MARK", "render_html", "render_junit", "render_text"]

MARK = {"pass": "PASS", "fail": "FAIL", "not-checked": "N/C "}
BASIS = {"text": "standard's text", "secondary": "secondary source", "default": "lancang default"}


#: the text report's own words, per language (finding and reason texts come from the message catalog)
FRAME: dict[str, dict[str, str]] = {
    "en": {"head": "lancang check {corpus} against {profiles}", "basis": "basis", "findings": " — {n} finding{s}",
           "more": "({n} more)",
           "summary": "{records} records; {requirements} requirements: {pass} pass, {fail} fail, "
           "{nc} not checked", "verdict": "VERDICT: {verdict}", "score": " — score {total}, grade {grade}; {rule}: "
           "{passed}", "unknown": "unknown"},
    "zh": {"head": "lancang 符合性检查 {corpus}，依据 {profiles}", "basis": "依据", "findings": " — {n} 个问题",
           "more": "（其余 {n} 条）",
           "summary": "{records} 条记录；要求 {requirements} 项：通过 {pass}，不通过 {fail}，未检查 {nc}",
           "verdict": "结论：{verdict}", "score": " — 得分 {total}，等级 {grade}；{rule}：{passed}",
           "unknown": "未知"},
}
#: the text report's basis and verdict words in Chinese (English: BASIS and the verdict in capitals)
ZH_BASIS = {"text": "标准原文", "secondary": "二手来源", "default": "lancang 默认"}
ZH_VERDICT = {"conformant": "符合", "not-conformant": "不符合", "incomplete": "不完整"}
ZH_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def render_text(rep: dict[str, Any], lang: str = "en") -> str:
    zh = lang == "zh"
    w = FRAME["zh" if zh else "en"]
    sig = rep["signature"]
    profs = ", ".join(f"{p['id']} {p['version']}".strip() for p in sig["profiles"])
    out = [w["head"].format(corpus=rep["corpus"], profiles=profs),
           *(f"  {f['path']} sha256 {f['sha256']}" for f in sig.get("files", ())), ""]  # a treebank's files
    for q in rep["requirements"]:
        sev, basis = (ZH_SEVERITY[q["severity"]], ZH_BASIS[q["basis"]]) if zh else (q["severity"], BASIS[q["basis"]])
        head = (f"{MARK[q['verdict']]} {q['profile']}/{q['id']} §{q['clause']} [{sev}, {w['basis']}: "
                f"{basis}] {text_in(q['title'], lang)}")
        if q["findings"]:
            head += w["findings"].format(n=q["findings"], s="s" if q["findings"] != 1 else "")
        out.append(head)
        if q.get("reason"):
            out.append(f"     {reason_text(q, lang)}")
        for f in q["shown"]:
            out.append(f"     {_loc(f)}: {finding_text(f, lang)}")
        if q["findings"] > len(q["shown"]):
            out.append("     " + w["more"].format(n=q["findings"] - len(q["shown"])))
    s = rep["summary"]
    sc = rep.get("score")
    out += _score_lines(sc, lang) if sc else []
    verdict = ZH_VERDICT[rep["verdict"]] if zh else rep["verdict"].upper()
    out += ["", w["summary"].format(records=s["records"], requirements=s["requirements"], nc=s["not-checked"],
                                    **{"pass": s["pass"], "fail": s["fail"]}),
            w["verdict"].format(verdict=verdict) + (w["score"].format(
                total=_num(sc["total"]), grade=sc["grade"] or w["unknown"], rule=sc["rule"],
                passed=PASSED[sc["passed"]]) if sc else "")]
    return "\n".join(out) + "\n"


#: a score's pass (``passed``): true, false, or null when what was not checked could change it
PASSED = {True: "pass", False: "fail", None: "undecided"}
VERDICT_OF = {True: "pass", False: "fail", None: "not-checked"}


def _num(x: float | None) -> str:
    return "unknown" if x is None else f"{x:.1f}"


def _score_lines(sc: dict[str, Any], lang: str) -> list[str]:
    """The score block of the text report: each dimension with its pass mark, and the indicators the profile
    checks (those it declares but does not check are counted)."""
    out = ["", f"SCORE ({sc['rule']}): total {_num(sc['total'])}, grade {sc['grade'] or 'unknown'}, "
               f"{PASSED[sc['passed']]}"]
    for d in sc["dimensions"]:
        unchecked = sum(1 for i in d["indicators"] if not i["requirements"])
        out.append(f"{MARK[VERDICT_OF[d['passed']]]} {d['id']} {text_in(d['title'], lang)}: {_num(d['score'])} "
                   f"(pass mark {d['pass']:g})" + (f"; {unchecked} indicators not checked by the profile"
                                                   if unchecked else ""))
        for i in d["indicators"]:
            if i["requirements"]:
                out.append(f"     {i['id']} {text_in(i['title'], lang)}: {_num(i['score'])} × {i['weight']:g} "
                           f"({', '.join(i['requirements'])})")
    return out


def render_junit(rep: dict[str, Any]) -> bytes:
    s = rep["summary"]
    dims = rep["score"]["dimensions"] if rep.get("score") else []
    suites = etree.Element("testsuites", name="lancang check", tests=str(s["requirements"] + len(dims)),
                           failures=str(s["fail"] + sum(d["passed"] is False for d in dims)),
                           skipped=str(s["not-checked"] + sum(d["passed"] is None for d in dims)))
    by_profile: dict[str, list[dict[str, Any]]] = {}
    for q in rep["requirements"]:
        by_profile.setdefault(q["profile"], []).append(q)
    for prof, reqs in by_profile.items():
        suite = etree.SubElement(suites, "testsuite", name=prof, tests=str(len(reqs)),
                                 failures=str(sum(q["verdict"] == "fail" for q in reqs)),
                                 skipped=str(sum(q["verdict"] == "not-checked" for q in reqs)))
        for q in reqs:
            case = etree.SubElement(suite, "testcase", classname=prof, name=f"{q['id']} §{q['clause']}")
            if q["verdict"] == "fail":
                kind = "failure" if q["severity"] == "error" else "system-out"
                el = etree.SubElement(case, kind, message=f"{q['findings']} findings") if kind == "failure" \
                    else etree.SubElement(case, kind)
                el.text = "\n".join(f"{_loc(f)}: {f['message']}" for f in q["shown"])
            elif q["verdict"] == "not-checked":
                etree.SubElement(case, "skipped", message=q.get("reason") or "not checked")
    if rep.get("score"):
        _junit_score(suites, rep["score"])
    return etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _junit_score(suites: Any, sc: dict[str, Any]) -> None:
    """The score as one more suite: a case per dimension (failure below its pass mark, skipped when unknown),
    the total, grade and rule as properties."""
    dims = sc["dimensions"]
    suite = etree.SubElement(suites, "testsuite", name="score", tests=str(len(dims)),
                             failures=str(sum(d["passed"] is False for d in dims)),
                             skipped=str(sum(d["passed"] is None for d in dims)))
    props = etree.SubElement(suite, "properties")
    for name, value in (("rule", sc["rule"]), ("total", _num(sc["total"])), ("grade", sc["grade"] or "unknown"),
                        ("passed", PASSED[sc["passed"]])):
        etree.SubElement(props, "property", name=name, value=value)
    for d in dims:
        case = etree.SubElement(suite, "testcase", classname="score", name=f"{d['id']} {text_in(d['title'], 'en')}")
        if d["passed"] is False:
            etree.SubElement(case, "failure", message=f"score {_num(d['score'])}, pass mark {d['pass']:g}")
        elif d["passed"] is None:
            etree.SubElement(case, "skipped", message=f"score unknown: an indicator has a requirement that was not "
                                                      f"checked or none in the profile (pass mark {d['pass']:g})")
