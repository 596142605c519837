"""Render a check report as text, JUnit XML or one self-contained HTML page (the JSON is the report)."""

from __future__ import annotations

import html
from typing import Any

from lxml import etree

from .profiles import text_in

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


CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans","Noto Sans CJK SC","Noto Sans Thai",sans-serif;
margin:2rem;color:#1d2733}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #dde3ea;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
.v-pass{color:#1a7f37;font-weight:600}.v-fail{color:#cf222e;font-weight:600}.v-not-checked{color:#9a6700;font-weight:600}
.verdict{display:inline-block;padding:.3rem .8rem;border-radius:4px;color:#fff;font-weight:700}
.conformant{background:#1a7f37}.not-conformant{background:#cf222e}.incomplete{background:#9a6700}
.finding{font-family:ui-monospace,monospace;font-size:.8rem;color:#57606a}.basis{font-size:.75rem;color:#57606a}
svg text{font-size:11px;fill:#1d2733}
"""


def _bars(title: str, data: dict[str, float], fmt: str = "{:,}") -> str:
    if not data:
        return ""
    top = max(data.values()) or 1
    rows = list(data.items())[:20]
    h = 18 * len(rows) + 10
    parts = [f'<figure><figcaption>{html.escape(title)}</figcaption>'
             f'<svg role="img" aria-label="{html.escape(title)}" width="560" height="{h}">']
    for i, (k, v) in enumerate(rows):
        w = int(340 * v / top)
        y = 18 * i + 4
        parts.append(f'<text x="0" y="{y + 11}">{html.escape(str(k))}</text>'
                     f'<rect x="140" y="{y}" width="{w}" height="13" fill="#4078c0"/>'
                     f'<text x="{146 + w}" y="{y + 11}">{html.escape(fmt.format(v))}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


def render_html(rep: dict[str, Any], lang: str = "en") -> str:
    e = html.escape
    sig = rep["signature"]
    s = rep["summary"]
    rows = []
    for q in rep["requirements"]:
        finds = "".join(f'<div class="finding">{e(_loc(f))}: {e(f["message"])}</div>' for f in q["shown"])
        if q["findings"] > len(q["shown"]):
            finds += f'<div class="finding">({q["findings"] - len(q["shown"])} more)</div>'
        if q.get("reason"):
            finds = f"<div>{e(q['reason'])}</div>" + finds
        rows.append(
            f'<tr data-verdict="{q["verdict"]}"><td class="v-{q["verdict"]}">{q["verdict"]}</td>'
            f'<td>{e(q["profile"])}<br>{e(q["id"])}</td><td>§{e(q["clause"])}</td>'
            f'<td>{e(text_in(q["title"], "zh"))}<br>{e(text_in(q["title"], "en"))}'
            f'<div class="basis">basis: {e(BASIS[q["basis"]])}; severity: {e(q["severity"])}</div></td>'
            f'<td>{q["findings"]}</td><td>{finds}</td></tr>')
    corpus = rep.get("metrics", {}).get("corpus", {})
    charts = _bars("Requirements by verdict", {k: s[k] for k in ("pass", "fail", "not-checked")})
    charts += _bars("Findings per requirement", {q["id"]: q["findings"] for q in rep["requirements"] if q["findings"]})
    charts += _bars("Layer coverage (share of non-empty sides)", corpus.get("layer_coverage", {}), "{:.0%}")
    charts += _bars("Provenance methods", corpus.get("provenance_methods", {}))
    profs = ", ".join(f"{p['id']} {p['version']} (sha256 {p['sha256'][:12]})" for p in sig["profiles"])
    with_manifest = f" with manifest <code>{e(rep['manifest'])}</code>" if rep.get("manifest") else ""
    return f"""<!DOCTYPE html>
<html lang="{e(lang)}"><head><meta charset="utf-8"><title>lancang check: {e(rep['verdict'])}</title>
<style>{CSS}</style></head><body>
<h1>lancang conformance report</h1>
<p><span class="verdict {e(rep['verdict'])}" id="verdict">{e(rep['verdict'])}</span></p>
<p>Corpus <code>{e(rep['corpus'])}</code>{with_manifest};
{s['records']:,} records; {s['requirements']} requirements: {s['pass']} pass, {s['fail']} fail,
{s['not-checked']} not checked.</p>
<h2>Requirements</h2>
<table id="requirements"><thead><tr><th>verdict</th><th>profile / id</th><th>clause</th><th>requirement</th>
<th>findings</th><th>evidence</th></tr></thead><tbody>
{''.join(rows)}
</tbody></table>
<h2>Distributions</h2>
{charts}
<h2>Signature</h2>
<p class="finding">lancang {e(sig['lancang'])}; {e(sig['created'])}; profiles: {e(profs)};
corpus sha256 {e(str(sig.get('corpus_sha256')))}</p>
</body></html>
"""
