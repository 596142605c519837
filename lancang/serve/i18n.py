"""The pages' words in English and Chinese, and the choice of language for a request."""

from __future__ import annotations

from typing import Any

LANGS = ("en", "zh")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "lancang corpus library", "library": "Library", "search": "Concordance", "upload": "Check a corpus",
        "login": "Log in", "logout": "Log out", "token": "API token", "logged_in_as": "Logged in as {name} ({role})",
        "anonymous": "Not logged in: public corpora only", "corpus": "Corpus", "languages": "Languages",
        "licence": "Licence", "records": "Records", "owner": "Owner", "private": "private", "public": "public",
        "filter": "Filter", "language": "Language", "second_language": "Paired with", "min_records": "At least",
        "max_records": "At most", "no_corpora": "No corpora.", "datasheet": "Datasheet", "stats": "Statistics",
        "reports": "Reports", "download": "Download", "format": "Format", "src": "Source side", "tgt": "Target side",
        "query": "Query", "side": "Side", "regex": "Regular expression", "label": "Entity label",
        "min_bead_score": "Minimum bead score", "page": "Page", "next": "Next page", "prev": "Previous page",
        "no_hits": "No hits.", "hits": "Hits {first}-{last}", "file": "Corpus file", "manifest": "Manifest (JSON)",
        "metrics": "Metrics (JSON, optional)", "profiles": "Profiles", "name": "Name in the library",
        "make_public": "Public (everyone may see it)", "submit": "Submit", "job": "Job", "state": "State",
        "queued": "queued", "running": "running", "done": "done", "failed": "failed", "error": "Error",
        "open_report": "Open the report", "verdict": "Verdict", "created": "Created", "sides": "Sides",
        "sides_by_language": "Sides by language", "layers": "Layers", "forbidden": "Not allowed",
        "not_found": "Not found", "need_login": "Log in with a token of role {role} or higher.",
        "bad_token": "Unknown or revoked token.", "waiting": "This page refreshes until the job ends.",
        "report_html": "HTML", "aligned": "Aligned", "corpora_all": "all corpora", "from_name": "(from the file name)",
        "sniff": "(from the file name or content)", "jobs": "Jobs", "any": "any",
        "documents": "Documents", "no_stats": "No statistics yet (the corpus is not indexed).",
        "per_language": "Per language", "characters": "Characters", "tokens": "Tokens", "sentences": "Sentences",
        "entities": "Entities", "relations": "Relations", "empty": "Empty sides",
        "characters_by_language": "Characters by language", "tokens_by_language": "Tokens by language",
        "labels": "Entity labels", "labels_by_language": "Entity labels per language",
        "provenance": "Provenance of layers and links", "method": "Method", "count": "Count",
        "links": "Links (kind: source-target)", "bead_types": "Sentence beads by type (n-m)",
        "sides_per_record": "Records by number of sides", "speech": "Speech",
        "speech_hours": "Speech hours by language", "media_hours": "Media hours", "hours": "Speech hours",
        "media_files": "Media files", "segments": "Segments", "empty_segments": "Empty segments",
        "speakers": "Speakers", "rate": "Speech rate", "latest_report": "Latest report: #{id}",
        "report_charts": "Charts of the latest report", "no_report": "No report yet: check the corpus to see its "
        "verdict, findings, length distributions and sampling plan here.",
    },
    "zh": {
        "title": "澜沧语料库", "library": "语料库", "search": "双语检索", "upload": "提交检查",
        "login": "登录", "logout": "退出", "token": "API 令牌", "logged_in_as": "已登录：{name}（{role}）",
        "anonymous": "未登录：仅显示公开语料", "corpus": "语料", "languages": "语言", "licence": "许可",
        "records": "记录数", "owner": "所有者", "private": "私有", "public": "公开", "filter": "筛选",
        "language": "语言", "second_language": "对应语言", "min_records": "至少", "max_records": "至多",
        "no_corpora": "没有语料。", "datasheet": "数据说明", "stats": "统计", "reports": "报告", "download": "下载",
        "format": "格式", "src": "源语一侧", "tgt": "目标语一侧", "query": "检索词", "side": "检索一侧",
        "regex": "正则表达式", "label": "实体标签", "min_bead_score": "最低对齐分数", "page": "页",
        "next": "下一页", "prev": "上一页", "no_hits": "没有结果。", "hits": "第 {first}–{last} 条",
        "file": "语料文件", "manifest": "数据说明（JSON）", "metrics": "质量指标（JSON，可选）", "profiles": "规范",
        "name": "库中名称", "make_public": "公开（所有人可见）", "submit": "提交", "job": "任务", "state": "状态",
        "queued": "排队中", "running": "运行中", "done": "完成", "failed": "失败", "error": "错误",
        "open_report": "打开报告", "verdict": "结论", "created": "创建时间", "sides": "语言侧",
        "sides_by_language": "各语言侧数", "layers": "标注层", "forbidden": "无权访问", "not_found": "未找到",
        "need_login": "请使用 {role} 或更高角色的令牌登录。", "bad_token": "令牌无效或已撤销。",
        "waiting": "任务结束前本页自动刷新。", "report_html": "HTML", "aligned": "对应译文",
        "corpora_all": "全部语料", "from_name": "（取自文件名）", "sniff": "（按文件名或内容判断）", "jobs": "任务",
        "any": "任意",
        "documents": "文档数", "no_stats": "尚无统计（语料未建索引）。", "per_language": "各语言",
        "characters": "字符数", "tokens": "词元数", "sentences": "句子数", "entities": "实体数", "relations": "关系数",
        "empty": "空语言侧", "characters_by_language": "各语言字符数", "tokens_by_language": "各语言词元数",
        "labels": "实体标签", "labels_by_language": "各语言实体标签", "provenance": "标注层与链接的来源",
        "method": "方式", "count": "数量", "links": "链接（类型：源语-目标语）", "bead_types": "句对齐珠类型（n-m）",
        "sides_per_record": "各语言侧数的记录数", "speech": "语音", "speech_hours": "各语言语音时长（小时）",
        "media_hours": "媒体时长（小时）", "hours": "语音时长（小时）", "media_files": "媒体文件数",
        "segments": "片段数", "empty_segments": "空片段数", "speakers": "说话人数", "rate": "语速",
        "latest_report": "最新报告：#{id}", "report_charts": "最新报告的图表",
        "no_report": "尚无报告：检查语料后，此处显示其结论、问题、长度分布和抽样方案。",
    },
}


def choose(query_lang: str | None, cookie_lang: str | None, accept: str | None) -> str:
    """``?lang=`` first, then the language cookie, then the best of Accept-Language, else English.

    >>> choose(None, None, "th-TH,zh-CN;q=0.8,en;q=0.5"), choose("en", "zh", None), choose(None, None, "fr")
    ('zh', 'en', 'en')
    """
    for given in (query_lang, cookie_lang):
        if given in LANGS:
            return given  # type: ignore[return-value]
    best, best_q = "en", -1.0
    for item in (accept or "").split(","):
        tag, _, rest = item.strip().partition(";")
        q = 1.0
        if rest.strip().startswith("q="):
            try:
                q = float(rest.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best


def words(lang: str) -> Any:
    table = WORDS.get(lang, WORDS["en"])

    def t(key: str, **kw: Any) -> str:
        text = table.get(key, WORDS["en"].get(key, key))
        return text.format(**kw) if kw else text

    return t


__all__ = ["LANGS", "WORDS", "choose", "words"]
