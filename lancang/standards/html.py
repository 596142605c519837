"""The HTML check report: one self-contained page (inline CSS and SVG, no script, no network).

A header naming each standard (number, title, issuer, profile version); a summary (verdict, score and
grade when the report has ``score``, counts, what was not checked and why); the requirements grouped
by the profile they come from, with clause, basis, source and findings (the first few shown, the rest
in a collapsed ``<details>``, counts exact); paths relative to the corpus's folder; then the metrics
the report holds (accuracy per language, agreement per label, the sampling plan with its OC curve,
bead-type and bead-score distributions, segment lengths and length ratios). ``lang="zh"`` gives the
page in Chinese: every word this module writes has a zh text, and profile titles have one.
"""

from __future__ import annotations

import html
import math
import os
from typing import Any

from .messages import finding_text, reason_text
from .profiles import text_in

#: findings shown before the rest collapse into <details>
FIRST = 3

#: system fonts, in order, that together render Latin, CJK, Thai, Khmer, Lao and Burmese (Debian:
#: fonts-noto-core, fonts-noto-cjk, fonts-thai-tlwg); no web font, so nothing is fetched
FONT_STACK = ('system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "Noto Sans SC", '
              '"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Noto Sans Thai", "Noto Sans Thai UI", '
              '"Loma", "Garuda", "Leelawadee UI", "Noto Sans Khmer", "Khmer OS", "Noto Sans Lao", "Phetsarath OT", '
              '"Noto Sans Myanmar", "Myanmar Text", "Padauk", "DejaVu Sans", sans-serif')

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "lancang conformance report", "verdict": "verdict", "pass": "pass", "fail": "fail",
        "not-checked": "not checked", "conformant": "conformant", "not-conformant": "not conformant",
        "incomplete": "incomplete", "summary": "Summary", "records": "records", "requirements": "Requirements",
        "findings": "findings", "corpus": "Corpus", "manifest": "manifest", "issuer": "issuer",
        "profile version": "profile version", "standard": "Standard", "clause": "clause", "id": "id",
        "requirement": "requirement", "basis": "basis", "source": "source", "evidence": "evidence",
        "severity": "severity", "not checked why": "Not checked, and why", "more": "{n} more",
        "not listed": "{n} further findings are counted but not listed (--max-findings)",
        "score": "Score", "grade": "grade", "rule": "rule", "dimension": "dimension", "indicator": "indicator",
        "passed": "passed", "yes": "yes", "no": "no", "undecided": "undecided (not everything was checked)",
        "pass mark": "pass mark", "metrics": "Metrics", "accuracy": "Accuracy per language",
        "language": "language", "agreement": "Agreement per label", "label": "label", "count": "count",
        "sampling": "Sampling plan", "oc": "OC curve: probability of accepting a lot against its defect rate",
        "defect rate": "defect rate", "p accept": "P(accept)", "lot size": "lot size", "sample size": "sample size",
        "decision": "decision", "defects": "defects", "accept": "accept", "reject": "reject",
        "distributions": "Distributions", "by verdict": "Requirements by verdict",
        "processing": "Processing log (the manifest's evidence)", "step": "step", "tool": "tool", "time": "time",
        "records in/out": "records in / out", "inputs": "inputs", "outputs": "outputs",
        "declared": "declared, no evidence",
        "per requirement": "Findings per requirement", "bead_types": "Sentence beads by type (n-m)",
        "bead_scores": "Sentence beads by score", "segment_lengths": "Segment length (characters)",
        "length_ratios": "Length ratio (second side / first side)", "layer_coverage": "Layer coverage "
        "(share of non-empty sides)", "provenance_methods": "Provenance methods", "signature": "Signature",
        "extended by": "extended by {p}", "extends": "extends", "error": "error", "warning": "warning", "info": "info",
        "text": "standard's text", "secondary": "secondary source", "default": "lancang default",
        "none": "none", "built-in": "lancang's own checks", "normal": "normal", "tightened": "tightened",
        "reduced": "reduced", "method": "method", "manual": "manual review", "automated": "automated screening",
    },
    "zh": {
        "title": "lancang 符合性检查报告", "verdict": "结论", "pass": "通过", "fail": "不通过",
        "not-checked": "未检查", "conformant": "符合", "not-conformant": "不符合", "incomplete": "不完整",
        "summary": "概要", "records": "条记录", "requirements": "要求", "findings": "问题数", "corpus": "语料",
        "manifest": "数据说明", "issuer": "发布单位", "profile version": "配置版本", "standard": "标准",
        "clause": "条款", "id": "编号", "requirement": "要求", "basis": "依据", "source": "出处",
        "evidence": "证据", "severity": "严重程度", "not checked why": "未检查的要求及原因", "more": "其余 {n} 条",
        "not listed": "另有 {n} 条问题已计数但未列出（--max-findings）", "score": "得分", "grade": "等级",
        "rule": "规则", "dimension": "维度", "indicator": "指标", "passed": "达标", "yes": "是", "no": "否",
        "undecided": "未定（有要求未检查）",
        "pass mark": "达标线",
        "metrics": "指标数据", "accuracy": "各语言准确率", "language": "语言", "agreement": "各标签一致性",
        "label": "标签", "count": "数量", "sampling": "抽样方案", "oc": "OC 曲线：批接收概率与不合格率",
        "defect rate": "不合格率", "p accept": "接收概率", "lot size": "批量", "sample size": "样本量",
        "decision": "判定", "defects": "不合格数", "accept": "接收", "reject": "拒收", "distributions": "分布",
        "processing": "加工日志（数据说明中的证据）", "step": "步骤", "tool": "工具", "time": "时间",
        "records in/out": "输入 / 输出记录数", "inputs": "输入", "outputs": "输出", "declared": "仅声明，无证据",
        "by verdict": "各结论的要求数", "per requirement": "各要求的问题数", "bead_types": "句对齐珠类型（n-m）",
        "bead_scores": "句对齐珠得分", "segment_lengths": "片段长度（字符）",
        "length_ratios": "长度比（第二侧 / 第一侧）",
        "layer_coverage": "标注层覆盖率（占非空侧的比例）", "provenance_methods": "来源方式", "signature": "签名",
        "extended by": "由 {p} 扩展", "extends": "所扩展的标准", "error": "错误", "warning": "警告", "info": "提示",
        "text": "标准原文", "secondary": "二手来源", "default": "lancang 默认", "none": "无",
        "built-in": "lancang 自身检查", "normal": "正常检验", "tightened": "加严检验", "reduced": "放宽检验",
        "method": "检验方式", "manual": "人工抽检", "automated": "自动化检测",
    },
}

VERDICT_COLOUR = {"pass": "#1a7f37", "fail": "#cf222e", "not-checked": "#9a6700",
                  "conformant": "#1a7f37", "not-conformant": "#cf222e", "incomplete": "#9a6700"}

CSS = f"""
body{{font-family:{FONT_STACK};margin:2rem;color:#1d2733;line-height:1.45}}
code,.finding{{font-family:ui-monospace,"DejaVu Sans Mono","Noto Sans Mono",monospace}}
h1{{font-size:1.4rem;margin-bottom:.2rem}}h2{{font-size:1.15rem;margin-top:2rem}}h3{{font-size:1rem;margin-top:1.5rem}}
table{{border-collapse:collapse;width:100%}}table.requirements{{table-layout:fixed}}td{{overflow-wrap:anywhere}}
td,th{{border-bottom:1px solid #dde3ea;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}}
th{{background:#f3f5f8}}
.v-pass{{color:#1a7f37;font-weight:600}}.v-fail{{color:#cf222e;font-weight:600}}
.v-not-checked{{color:#9a6700;font-weight:600}}td[class^=v-],td.count{{white-space:nowrap}}
tr[data-verdict=fail]{{background:#fff5f5}}tr[data-verdict=not-checked]{{background:#fffaf0}}
.verdict{{display:inline-block;padding:.3rem .8rem;border-radius:4px;color:#fff;font-weight:700}}
.conformant{{background:#1a7f37}}.not-conformant{{background:#cf222e}}.incomplete{{background:#9a6700}}
.finding{{font-size:.8rem;color:#57606a}}.small{{font-size:.75rem;color:#57606a}}
.standard{{margin:.2rem 0}}summary{{cursor:pointer;font-size:.8rem;color:#0b5cad}}
svg text{{font-size:11px;fill:#1d2733}}figure{{margin:1rem 0}}figcaption{{font-weight:600;font-size:.9rem}}
"""


class Page:
    """Words and escaping in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in WORDS else "en"
        self.words = WORDS[self.lang]

    def w(self, key: str, **kw: Any) -> str:
        text = self.words.get(key, WORDS["en"].get(key, key))
        return html.escape(text.format(**kw) if kw else text)

    def t(self, value: Any) -> str:
        return html.escape(text_in(value, self.lang)) if value else ""


def relative(path: str | None, corpus: str | None) -> str:
    """A finding's file relative to the corpus's folder (as given when it lies outside, is not a path, or
    no corpus is given)."""
    if not path or path in ("-", "metrics", "manifest") or corpus in (None, "-", ""):
        return path or "-"
    base = os.path.dirname(os.path.abspath(corpus))
    full = os.path.abspath(path)
    if os.path.commonpath([base, full]) != base:
        return path
    return os.path.relpath(full, base)


def clause(c: str) -> str:
    """A clause as shown: "§6.1.3" for a numbered clause, the text itself otherwise ("Annex B", "-")."""
    return html.escape(f"§{c}" if c[:1].isdigit() else c)


def location(f: dict[str, Any], corpus: str | None = None) -> str:
    """Where a finding is: file (relative to the corpus's folder when given), line, [record], JSON pointer."""
    loc = relative(f.get("file"), corpus)
    if f.get("line") is not None:
        loc += f":{f['line']}"
    if f.get("record") is not None:
        loc += f" [{f['record']}]"
    if f.get("pointer"):
        loc += f" {f['pointer']}"
    return loc


def p_accept(n: int, ac: int, p: float, count: str = "nonconforming") -> float:
    """Probability that a lot with defect rate ``p`` is accepted by the single plan (n, Ac): binomial for
    nonconforming items, Poisson (mean n·p) for nonconformities per item, as GB/T 2828.1's OC curves."""
    if p <= 0:
        return 1.0
    if count == "nonconformities":
        lam = n * p
        return min(1.0, sum(math.exp(k * math.log(lam) - lam - math.lgamma(k + 1)) for k in range(ac + 1)))
    if p >= 1:
        return 1.0 if ac >= n else 0.0
    lp, lq = math.log(p), math.log1p(-p)
    total = 0.0
    for k in range(min(ac, n) + 1):
        total += math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * lp + (n - k) * lq)
    return min(1.0, total)


def oc_curve(plan: dict[str, Any], page: Page, points: int = 60, fig_id: str = "oc-curve") -> str:
    """Inline SVG of the plan's OC curve, P(accept) against the defect rate, up to where it is near 0."""
    n, ac = int(plan["sample_size"]), int(plan["ac"])
    count = plan.get("count") or "nonconforming"
    top = min(1.0, max(0.01, 4 * (ac + 1) / n))
    xs = [top * i / points for i in range(points + 1)]
    ys = [p_accept(n, ac, x, count) for x in xs]
    w, h, left, bottom = 460, 220, 48, 30
    pw, ph = w - left - 10, h - bottom - 10

    def px(x: float) -> float:
        return left + pw * x / top

    def py(y: float) -> float:
        return 10 + ph * (1 - y)

    pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
    parts = [f'<figure id="{fig_id}"><figcaption>{page.w("oc")} (n={n}, Ac={ac})</figcaption>'
             f'<svg role="img" aria-label="OC" width="{w}" height="{h}" data-n="{n}" data-ac="{ac}">',
             f'<line x1="{left}" y1="{py(0)}" x2="{left + pw}" y2="{py(0)}" stroke="#57606a"/>',
             f'<line x1="{left}" y1="{py(0)}" x2="{left}" y2="{py(1)}" stroke="#57606a"/>']
    for i in range(5):
        y, x = i / 4, top * i / 4
        parts.append(f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.2f}</text>'
                     f'<text x="{px(x):.1f}" y="{h - bottom + 16}" text-anchor="middle">{x:.1%}</text>')
    aql = plan.get("aql")
    if aql is not None:
        try:
            a = float(aql) / 100
        except ValueError:
            a = -1.0
        if 0 < a <= top:
            parts.append(f'<line x1="{px(a):.1f}" y1="{py(0)}" x2="{px(a):.1f}" y2="{py(1)}" stroke="#9a6700" '
                         f'stroke-dasharray="4 3"/><text x="{px(a) + 3:.1f}" y="{py(1) + 10:.1f}">'
                         f'AQL {html.escape(aql)}</text>')
    parts.append(f'<polyline fill="none" stroke="#4078c0" stroke-width="2" points="{pts}"/>'
                 f'<text x="{left + pw}" y="{h - 2}" text-anchor="end">{page.w("defect rate")}</text>'
                 f'<text x="2" y="12">{page.w("p accept")}</text></svg></figure>')
    return "".join(parts)


def bars(title: str, data: dict[str, float], fmt: str = "{:,}", fig_id: str = "") -> str:
    """A horizontal bar chart as inline SVG (up to 20 bars, in the order given)."""
    if not data:
        return ""
    top = max(data.values()) or 1
    rows = list(data.items())[:20]
    h = 18 * len(rows) + 10
    ident = f' id="{html.escape(fig_id)}"' if fig_id else ""
    parts = [f'<figure{ident}><figcaption>{title}</figcaption>'
             f'<svg role="img" aria-label="{title}" width="600" height="{h}">']
    for i, (k, v) in enumerate(rows):
        w = int(340 * v / top)
        y = 18 * i + 4
        parts.append(f'<text x="0" y="{y + 11}">{html.escape(str(k))}</text>'
                     f'<rect x="180" y="{y}" width="{w}" height="13" fill="#4078c0"/>'
                     f'<text x="{186 + w}" y="{y + 11}">{html.escape(fmt.format(v))}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return html.escape(str(v))


def _name(p: dict[str, Any], page: Page) -> str:
    """A standard's name as the header shows it: its number and title (the profile id if it has neither)."""
    name = " ".join(x for x in (html.escape(p.get("number") or ""), page.t(p.get("title"))) if x)
    return name or html.escape(p["id"])


def _header(rep: dict[str, Any], page: Page) -> str:
    """A line per checked profile (its standard, issuer and profile version), then one per profile it extends."""
    out = []
    for p in rep["signature"]["profiles"]:
        for key, q in [("standard", p)] + [("extends", x) for x in p.get("extended", ())]:
            out.append(f'<p class="standard" data-profile="{html.escape(q["id"])}"><strong>{page.w(key)}:</strong> '
                       f'<span class="std-name">{_name(q, page)}</span>; {page.w("issuer")}: '
                       f'<span class="std-issuer">{html.escape(q.get("issuer") or "-")}</span>; '
                       f'{page.w("profile version")}: {html.escape(q["id"])} {html.escape(q["version"])}</p>')
    return "".join(out)


def _points(v: Any) -> str:
    """A score (0-100) as shown: at most one decimal; "-" when it could not be computed."""
    return f"{round(v, 1):g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else "-"


def _passed(v: Any, page: Page) -> str:
    return page.w("undecided") if v is None else page.w("yes") if v else page.w("no")


def _score(score: dict[str, Any], page: Page) -> str:
    """The score block (``{"total","grade","passed","rule","dimensions"}``): total, grade, rule, per dimension."""
    rows = []
    for d in score.get("dimensions", ()):
        inds = "; ".join(f'{page.t(i.get("title") or i.get("id"))} {_points(i.get("score"))}'
                         + (f' (×{i["weight"]:g})' if isinstance(i.get("weight"), (int, float)) else "")
                         for i in d.get("indicators", ()) if isinstance(i, dict))
        rows.append(f'<tr><td>{page.t(d.get("title") or d.get("id"))}</td><td>{_points(d.get("score"))}</td>'
                    f'<td>{_points(d.get("pass"))}</td><td>{_passed(d.get("passed"), page)}</td>'
                    f'<td class="small">{inds}</td></tr>')
    table = (f'<table><thead><tr><th>{page.w("dimension")}</th><th>{page.w("score")}</th><th>{page.w("pass mark")}'
             f'</th><th>{page.w("passed")}</th><th>{page.w("indicator")}</th></tr></thead><tbody>{"".join(rows)}'
             "</tbody></table>") if rows else ""
    return (f'<div id="score"><p><strong>{page.w("score")}: <span id="score-total">{_points(score.get("total"))}'
            f'</span></strong>; {page.w("grade")}: <strong id="grade">{page.t(score.get("grade")) or "-"}</strong>; '
            f'{page.w("passed")}: {_passed(score.get("passed"), page)}; {page.w("rule")}: '
            f'{page.t(score.get("rule"))}</p>{table}</div>')


def _evidence(q: dict[str, Any], corpus: str, page: Page) -> str:
    def one(f: dict[str, Any]) -> str:
        return (f'<div class="finding">{html.escape(location(f, corpus))}: '
                f'{html.escape(finding_text(f, page.lang))}</div>')

    shown = q["shown"]
    out = f'<div class="reason">{html.escape(reason_text(q, page.lang))}</div>' if q.get("reason") else ""
    out += "".join(one(f) for f in shown[:FIRST])
    if len(shown) > FIRST:
        out += (f'<details><summary>{page.w("more", n=len(shown) - FIRST)}</summary>'
                + "".join(one(f) for f in shown[FIRST:]) + "</details>")
    if q["findings"] > len(shown):
        out += f'<div class="small not-listed">{page.w("not listed", n=q["findings"] - len(shown))}</div>'
    return out


def _requirements(rep: dict[str, Any], page: Page) -> str:
    groups: dict[str, list[dict[str, Any]]] = {}
    for q in rep["requirements"]:
        groups.setdefault(q["profile"], []).append(q)
    by_id = {p["id"]: p for p in rep["signature"]["profiles"]}
    about = {x["id"]: x for p in rep["signature"]["profiles"] for x in p.get("extended", ())}
    cols = "".join(f'<col style="width:{w}%">' for w in (6, 12, 7, 28, 8, 14, 5, 20))
    heads = (f'<colgroup>{cols}</colgroup><thead><tr><th>{page.w("verdict")}</th><th>{page.w("id")}</th>'
             f'<th>{page.w("clause")}</th>'
             f'<th>{page.w("requirement")}</th><th>{page.w("basis")}</th><th>{page.w("source")}</th>'
             f'<th>{page.w("findings")}</th><th>{page.w("evidence")}</th></tr></thead>')
    out = []
    for prof, reqs in groups.items():
        p = by_id.get(prof) or about.get(prof)
        if prof == "lancang":
            head = f"lancang — {page.w('built-in')}"
        else:
            head = html.escape(prof) + (f" {html.escape(p['version'])} — {_name(p, page)}" if p else "")
        if prof not in by_id:
            users = [p["id"] for p in rep["signature"]["profiles"] if prof in p.get("extends", ())]
            if users:
                head += f' <span class="small">({page.w("extended by", p=", ".join(users))})</span>'
        rows = []
        for q in reqs:
            v = q["verdict"]
            other = "en" if page.lang == "zh" else "zh"
            alt = text_in(q["title"], other)
            alt_html = f'<div class="small">{html.escape(alt)}</div>' if alt != text_in(q["title"], page.lang) else ""
            rows.append(
                f'<tr data-verdict="{v}" data-id="{html.escape(q["id"])}"><td class="v-{v}">{page.w(v)}</td>'
                f'<td>{html.escape(q["id"])}</td><td class="clause">{clause(q["clause"])}</td>'
                f'<td>{page.t(q["title"])}{alt_html}<div class="small">{page.w("severity")}: '
                f'{page.w(q["severity"])}</div></td><td>{page.w(q["basis"])}</td>'
                f'<td class="small">{html.escape(q.get("source") or "-")}</td>'
                f'<td class="count">{q["findings"]:,}</td><td>{_evidence(q, rep["corpus"], page)}</td></tr>')
        out.append(f'<section class="profile" data-profile="{html.escape(prof)}"><h3>{head}</h3>'
                   f'<table class="requirements">{heads}<tbody>{"".join(rows)}</tbody></table></section>')
    return "".join(out)


def _files(items: Any) -> str:
    if not isinstance(items, list):
        return ""
    return "<br>".join(f'<code>{html.escape(str(x.get("path", "")))}</code> '
                       f'<span class="sha">{html.escape(str(x.get("sha256") or "-")[:12])}</span>'
                       for x in items if isinstance(x, dict))


def _processing(rep: dict[str, Any], page: Page) -> str:
    """The manifest's processing log: what the processing-flow requirements were judged on."""
    steps = rep.get("processing") or []
    if not steps:
        return ""
    rows = []
    for s in steps:
        tool = f'{s.get("tool", "")} {s.get("version", "")}'.strip() or page.w("declared")
        io = f'{_num(s.get("records_in"))} / {_num(s.get("records_out"))}' if "records_in" in s else ""
        rows.append(f'<tr data-step="{html.escape(str(s.get("step", "")))}"><td>{html.escape(str(s.get("step", "")))}'
                    f'</td><td>{html.escape(tool)}</td><td>{html.escape(str(s.get("time", "")))}</td>'
                    f'<td>{io}</td><td>{_files(s.get("inputs"))}</td><td>{_files(s.get("outputs"))}</td></tr>')
    heads = "".join(f"<th>{page.w(k)}</th>" for k in ("step", "tool", "time", "records in/out", "inputs", "outputs"))
    return (f'<h2 id="processing">{page.w("processing")}</h2><table class="processing"><thead><tr>{heads}</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table>')


def metrics_section(rep: dict[str, Any], page: Page) -> str:
    """The report's metrics section: accuracy per language (table and F1 bars), agreement per label, each
    sampling plan with its OC curve; "" when the report holds none. The library's corpus page shows it too."""
    m = rep.get("metrics") or {}
    out = []
    acc = m.get("accuracy")
    if isinstance(acc, dict):
        for layer, doc in acc.items():
            langs = doc.get("languages") if isinstance(doc, dict) else None
            if not isinstance(langs, dict):
                continue
            rows = "".join(f'<tr><td>{html.escape(tag)}</td><td>{_num(s.get("precision"))}</td>'
                           f'<td>{_num(s.get("recall"))}</td><td>{_num(s.get("f1"))}</td></tr>'
                           for tag, s in [*langs.items(), ("overall", doc.get("overall") or {})])
            out.append(f'<h3 id="accuracy-{html.escape(layer)}">{page.w("accuracy")}: {html.escape(layer)}</h3>'
                       f'<table><thead><tr><th>{page.w("language")}</th><th>P</th><th>R</th><th>F1</th></tr></thead>'
                       f"<tbody>{rows}</tbody></table>")
            out.append(bars(f'F1: {html.escape(layer)}', {k: s["f1"] for k, s in langs.items()
                                                         if isinstance(s.get("f1"), (int, float))}, "{:.3f}"))
    agr = m.get("agreement")
    if isinstance(agr, dict):
        for layer, doc in (agr.get("layers") or {}).items():
            per = doc.get("per_label") if isinstance(doc, dict) else None
            if not isinstance(per, dict):
                continue
            rows = "".join(f'<tr><td>{html.escape(lab)}</td><td>{_num(s.get("kappa"))}</td>'
                           f'<td>{_num(s.get("f1_mean"))}</td><td>{_num(s.get("count"))}</td></tr>'
                           for lab, s in per.items())
            out.append(f'<h3 id="agreement-{html.escape(layer)}">{page.w("agreement")}: {html.escape(layer)} '
                       f'(κ {_num(agr.get("kappa"))}, α {_num(agr.get("alpha"))})</h3><table><thead><tr>'
                       f'<th>{page.w("label")}</th><th>κ</th><th>F1</th><th>{page.w("count")}</th></tr></thead>'
                       f"<tbody>{rows}</tbody></table>")
    many = m.get("inspections")
    found = [x for x in (many if isinstance(many, list) else [m.get("inspection")])
             if isinstance(x, dict) and isinstance(x.get("plan"), dict)]
    out.extend(_inspection(insp, page, i) for i, insp in enumerate(found))
    return f'<h2>{page.w("metrics")}</h2>{"".join(out)}' if out else ""


def _inspection(insp: dict[str, Any], page: Page, n: int = 0) -> str:
    """One inspection (the ``n``-th, from 0): its plan, method, sample, defects and decision, and the plan's OC
    curve."""
    out = []
    plan = insp["plan"]
    desc = ", ".join(page.w(plan[k]) if k == "severity" else html.escape(str(plan[k]))
                     for k in ("standard", "name", "severity", "level") if plan.get(k))
    if insp.get("method") in ("manual", "automated"):
        desc += f"; {page.w('method')}: {page.w(insp['method'])}"
    aql = f", AQL {html.escape(str(plan['aql']))}" if plan.get("aql") else ""
    decision = insp.get("decision")
    suffix = f"-{n + 1}" if n else ""
    out.append(f'<h3 id="sampling{suffix}">{page.w("sampling")}</h3><p>{desc}{aql}; {page.w("lot size")} '
               f'{_num(plan.get("lot_size"))}, {page.w("sample size")} {_num(plan.get("sample_size"))}, '
               f'Ac {_num(plan.get("ac"))}, Re {_num(plan.get("re"))}; {page.w("defects")} '
               f'{_num(insp.get("defects"))}; {page.w("decision")}: '
               f'<strong>{page.w(decision) if decision else "-"}</strong></p>')
    if isinstance(plan.get("sample_size"), int) and isinstance(plan.get("ac"), int) and plan["sample_size"] > 0:
        out.append(oc_curve(plan, page, fig_id=f"oc-curve{suffix}"))
    return "".join(out)


#: the corpus distributions a report draws (``metrics.corpus``), with the format of their numbers
DISTRIBUTIONS = (("bead_types", "{:,}"), ("bead_scores", "{:,}"), ("segment_lengths", "{:,}"),
                 ("length_ratios", "{:,}"), ("layer_coverage", "{:.0%}"), ("provenance_methods", "{:,}"))


def report_charts(rep: dict[str, Any], page: Page, ids: str = "") -> str:
    """The report's bar charts: requirements by verdict, findings per requirement, and the corpus
    distributions its metrics hold (:data:`DISTRIBUTIONS`). ``ids``: a prefix for every figure's id (the
    report itself gives ids to the distributions only, as ``bead-types``...); the library's corpus page
    passes one so that each chart has an id that does not clash with its own."""
    s = rep["summary"]
    corpus = (rep.get("metrics") or {}).get("corpus") or {}
    charts = bars(page.w("by verdict"), {page.words[k]: s[k] for k in ("pass", "fail", "not-checked")},
                  fig_id=f"{ids}by-verdict" if ids else "")
    charts += bars(page.w("per requirement"), {q["id"]: q["findings"] for q in rep["requirements"] if q["findings"]},
                   fig_id=f"{ids}per-requirement" if ids else "")
    for key, fmt in DISTRIBUTIONS:
        charts += bars(page.w(key), corpus.get(key) or {}, fmt, ids + key.replace("_", "-"))
    return charts


def render_html(rep: dict[str, Any], lang: str = "en") -> str:
    page = Page(lang)
    e = html.escape
    s, sig = rep["summary"], rep["signature"]
    verdict = rep["verdict"]
    nc = [q for q in rep["requirements"] if q["verdict"] == "not-checked"]
    nc_html = ("<h3>" + page.w("not checked why") + "</h3><ul id=\"not-checked\">"
               + "".join(f"<li><code>{e(q['profile'])}/{e(q['id'])}</code> {clause(q['clause'])} {page.t(q['title'])}: "
                         f"{e(reason_text(q, page.lang) or '-')}</li>" for q in nc) + "</ul>") if nc else ""
    score = _score(rep["score"], page) if isinstance(rep.get("score"), dict) else ""
    charts = report_charts(rep, page)
    profs = ", ".join(f"{p['id']} {p['version']} (sha256 {p['sha256'][:12]})" for p in sig["profiles"])
    files = "".join(f"<br><code>{e(f['path'])}</code> sha256 {e(str(f['sha256']))}" for f in sig.get("files", ()))
    manifest = rep.get("manifest")
    with_manifest = f"; {page.w('manifest')} <code>{e(relative(manifest, rep['corpus']))}</code>" if manifest else ""
    return f"""<!DOCTYPE html>
<html lang="{e(page.lang)}"><head><meta charset="utf-8"><title>{page.w('title')}: {page.w(verdict)}</title>
<style>{CSS}</style></head><body>
<h1>{page.w('title')}</h1>
{_header(rep, page)}
<h2>{page.w('summary')}</h2>
<p>{page.w('verdict')}: <span class="verdict {e(verdict)}" data-verdict="{e(verdict)}"
id="verdict">{page.w(verdict)}</span></p>
{score}
<p>{page.w('corpus')} <code>{e(os.path.basename(rep['corpus']) or rep['corpus'])}</code>{with_manifest};
<span id="counts">{s['records']:,} {page.w('records')}; {page.w('requirements')} {s['requirements']}:
{page.w('pass')} {s['pass']}, {page.w('fail')} {s['fail']}, {page.w('not-checked')} {s['not-checked']};
{page.w('findings')} {s['findings']:,}</span></p>
{nc_html}
<h2>{page.w('requirements')}</h2>
{_requirements(rep, page)}
{metrics_section(rep, page)}
{_processing(rep, page)}
<h2>{page.w('distributions')}</h2>
{charts}
<h2>{page.w('signature')}</h2>
<p class="finding">lancang {e(sig['lancang'])}; {e(sig['created'])}; {e(profs)};
corpus sha256 {e(str(sig.get('corpus_sha256')))}{files}</p>
</body></html>
"""
