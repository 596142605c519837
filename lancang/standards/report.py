"""Render a check report as text, JUnit XML or one self-contained HTML page (the JSON is the report)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from .html import render_html
from .profiles import text_in

__all__ = ["BASIS", "MARK", "render_html", "render_junit", "render_text"]

MARK = {"pass": "PASS", "fail": "FAIL", "not-checked": "N/C "}
BASIS = {"text": "standard's text", "secondary": "secondary source", "default": "lancang default"}


def _loc(f: dict[str, Any]) -> str:
    loc = f.get("file") or "-"
    if f.get("line") is not None:
        loc += f":{f['line']}"
    if f.get("record") is not None:
        loc += f" [{f['record']}]"
    if f.get("pointer"):
        loc += f" {f['pointer']}"
    return loc


def render_text(rep: dict[str, Any], lang: str = "en") -> str:
    sig = rep["signature"]
    profs = ", ".join(f"{p['id']} {p['version']}".strip() for p in sig["profiles"])
    out = [f"lancang check {rep['corpus']} against {profs}", ""]
    for q in rep["requirements"]:
        head = (f"{MARK[q['verdict']]} {q['profile']}/{q['id']} §{q['clause']} [{q['severity']}, basis: "
                f"{BASIS[q['basis']]}] {text_in(q['title'], lang)}")
        if q["findings"]:
            head += f" — {q['findings']} finding{'s' if q['findings'] != 1 else ''}"
        out.append(head)
        if q.get("reason"):
            out.append(f"     {q['reason']}")
        for f in q["shown"]:
            out.append(f"     {_loc(f)}: {f['message']}")
        if q["findings"] > len(q["shown"]):
            out.append(f"     ({q['findings'] - len(q['shown'])} more)")
    s = rep["summary"]
    out += ["", f"{s['records']} records; {s['requirements']} requirements: {s['pass']} pass, {s['fail']} fail, "
                f"{s['not-checked']} not checked", f"VERDICT: {rep['verdict'].upper()}"]
    return "\n".join(out) + "\n"


def render_junit(rep: dict[str, Any]) -> bytes:
    s = rep["summary"]
    suites = etree.Element("testsuites", name="lancang check", tests=str(s["requirements"]),
                           failures=str(s["fail"]), skipped=str(s["not-checked"]))
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
    return etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)
