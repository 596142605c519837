"""Every message lancang's check writes, in English and Chinese: one catalog keyed by stable ids.

A finding's message is built from a template of :data:`CATALOG` over named parameters
(:func:`msg`): the result is a ``str`` (the English text, so every caller that wants a string still
has one) that also knows its ``code`` (the catalog key) and its ``params`` (the observed values as
data). The checker copies both into the JSON report beside the English ``message``; the HTML and
text renderers ask :func:`finding_text` / :func:`reason_text` for the language of the page.

Keys: a rule id of the rule library (``text-nfc``), or the rule id and a variant after a dot
(``sides-required.min``) where one rule says several things; ``reason.*`` for why a requirement was
not checked; ``schema/<keyword>`` for JSON Schema keywords; ``conllu/<test id>``, ``invariant/<id>``
and the format readers' own ids (``xliff2-…``, ``tmx-…``, ``xliff-…``, ``xml-…``) for findings whose
English comes from elsewhere (:func:`tagged`): their Chinese names the violated requirement, the
location and the code say where, and the English detail stays in the JSON.

Template syntax is :meth:`str.format` with three additions: a list parameter is joined (``, `` /
``、``; ``{x:or}``, ``{x:and}``, ``{x:slash}`` join with "or", "and", " / "); ``None`` shows as
``-``; ``{x:@prefix/}`` shows the catalog entry ``prefix/<value>`` in the page's language (its
template filled with the same parameters), e.g. the Chinese name of an inline-code rule.

Terminology of the Chinese follows the Chinese standards: 符合/不符合, 抽样方案, 样本量, 接收数 (Ac),
拒收数 (Re), 一致性, 脱敏, 数据说明 (datasheet), 加工日志 (processing log).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

LANGS = ("en", "zh")


class Msg(str):
    """A message: its English text, and the catalog key and parameters it was made from."""

    code: str
    params: dict[str, Any]

    def __new__(cls, text: str, code: str, params: dict[str, Any]) -> Msg:
        obj = super().__new__(cls, text)
        obj.code, obj.params = code, params
        return obj

    def __reduce__(self) -> Any:  # pickles (process pools) as a Msg, not as a plain str
        return (Msg, (str(self), self.code, self.params))


def msg(code: str, /, **params: Any) -> Msg:
    """The message ``code`` with its parameters; the English text is the catalog's."""
    return Msg(text(code, "en", params), code, params)


def tagged(english: str, code: str, /, **params: Any) -> Msg:
    """A message whose English is given (a format reader's, a third-party validator's), tagged with the
    catalog key (and parameters) that says it in the other languages."""
    return Msg(english, code, params)


def code_of(message: Any) -> tuple[str | None, dict[str, Any] | None]:
    """``(code, params)`` of a message made here, ``(None, None)`` for a plain string."""
    if isinstance(message, Msg):
        return message.code, message.params
    return None, None


class _Formatter(string.Formatter):
    def __init__(self, lang: str, params: Mapping[str, Any]) -> None:
        self.lang, self.params = lang, params

    def format_field(self, value: Any, spec: str) -> str:
        if spec.startswith("@"):
            entry = CATALOG.get(spec[1:] + str(value))
            return text(spec[1:] + str(value), self.lang, self.params) if entry else str(value)
        if isinstance(value, (list, tuple)):
            sep = JOIN[self.lang].get(spec or "list", ", ")
            return sep.join(str(v) for v in value)
        if value is None:
            return "-"
        return super().format_field(value, spec)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "r" and value is None:
            return None
        return super().convert_field(value, conversion)


JOIN = {"en": {"list": ", ", "or": " or ", "and": " and ", "slash": " / "},
        "zh": {"list": "、", "or": " 或 ", "and": " 和 ", "slash": " / "}}


def text(code: str, lang: str, params: Mapping[str, Any] | None = None) -> str:
    """The catalog entry ``code`` in ``lang`` (English when it has none) filled with ``params``."""
    entry = CATALOG[code]
    tpl = entry.get(lang) or entry["en"]
    return _Formatter(lang, params or {}).vformat(tpl, (), params or {})


def _render(code: Any, params: Any, fallback: str, lang: str) -> str:
    if lang == "en" or not isinstance(code, str) or code not in CATALOG:
        return fallback
    try:
        return text(code, lang, params if isinstance(params, dict) else {})
    except (KeyError, IndexError, ValueError, TypeError):  # a report from another version: its English
        return fallback


def finding_text(f: Mapping[str, Any], lang: str) -> str:
    """A finding of a report (its JSON form) in ``lang``: the English ``message`` as written, or the
    catalog's text for its ``code`` and ``params`` (a finding without one keeps its English)."""
    return _render(f.get("code"), f.get("params"), str(f.get("message", "")), lang)


def reason_text(q: Mapping[str, Any], lang: str) -> str:
    """Why a requirement was not checked (or how it was judged), in ``lang``."""
    return _render(q.get("reason_code"), q.get("reason_params"), str(q.get("reason") or ""), lang)


def fields(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name.split(".")[0].split("[")[0] for _lit, name, _spec, _conv in string.Formatter().parse(template)
            if name}


def _e(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


# ---------------------------------------------------------------------------------------------- rule library

RULE_MESSAGES: dict[str, dict[str, str]] = {
    "text-nfc": _e("text is not in Unicode NFC", "文本不是 Unicode NFC 规范化形式"),
    "text-control-chars": _e("control character {char} at offset {offset}", "偏移 {offset} 处有控制字符 {char}"),
    "text-bom": _e("byte order mark (U+FEFF) inside the text at offset {offset}",
                   "文本内偏移 {offset} 处有字节顺序标记（U+FEFF）"),
    "text-mojibake": _e("looks like mojibake ({found!r} at offset {offset}): wrong encoding upstream?",
                        "疑似乱码（偏移 {offset} 处的 {found!r}）：上游编码有误？"),
    "text-zawgyi": _e("Burmese text is Zawgyi-encoded (probability {p:.3f}), not Unicode",
                      "缅甸语文本为 Zawgyi 编码（概率 {p:.3f}），不是 Unicode"),
    "lang-allowed": _e("language {lang!r} is not allowed (allowed: {allowed})",
                       "语种 {lang!r} 不在允许范围内（允许：{allowed}）"),
    "sides-required.min": _e("{n} side(s); at least {min} required", "有 {n} 个语种侧，至少应有 {min} 个"),
    "sides-required.max": _e("{n} sides; at most {max} allowed", "有 {n} 个语种侧，至多允许 {max} 个"),
    "sides-required.language": _e("no {lang} side (sides: {sides})", "缺少 {lang} 语种侧（现有：{sides}）"),
    "script-matches-language": _e(
        "only {ratio:.0%} of the letters are {script} script, expected at least {floor:.0%} for {lang}",
        "仅 {ratio:.0%} 的字母属于 {script} 文字，{lang} 应至少为 {floor:.0%}"),
    "model-invariants": _e("{code}: {detail}", "{code}：不满足 lancang 规范模型：{code:@invariant/}"),
    "tokens-tile.no-layer": _e("no tokens layer", "没有词元（tokens）层"),
    "sentences-tile.no-layer": _e("no sentences layer", "没有句子（sentences）层"),
    "tiling.overlap": _e("{what} [{start}, {end}] overlaps the previous one",
                         "{what:@unit/} [{start}, {end}] 与前一个重叠"),
    "tiling.gap": _e("text [{start}, {end}] {gap!r} is in no {what}",
                     "文本 [{start}, {end}] {gap!r} 不属于任何{what:@unit/}"),
    "tiling.edge-space": _e("{what} [{start}, {end}] starts or ends with white space",
                            "{what:@unit/} [{start}, {end}] 首尾有空白"),
    "unit/token": _e("token", "词元"),
    "unit/sentence": _e("sentence", "句子"),
    "entity-token-boundaries.no-tokens": _e("entities but no tokens layer to check their boundaries against",
                                            "有实体但没有词元层，无法检查实体边界"),
    "entity-token-boundaries": _e("entity {label} [{start}, {end}] does not start and end on token boundaries",
                                  "实体 {label} [{start}, {end}] 的起止不在词元边界上"),
    "entity-labels": _e("label {label!r} is not in the label set", "标签 {label!r} 不在标签集中"),
    "entity-labels.relation": _e("relation {label!r} is not allowed", "关系 {label!r} 不在允许范围内"),
    "layers-required": _e("layer {layer!r} is missing", "缺少标注层 {layer!r}"),
    "links-required": _e("no {kind} link between the sides", "语种侧之间缺少 {kind} 链接（{kind:@link/}）"),
    "link/beads": _e("sentence beads", "句对齐"),
    "link/tokens": _e("word links", "词对齐"),
    "segment-empty": _e("empty segment", "空片段"),
    "segment-untranslated": _e("{side} text copies the {src} text (overlap {value}; untranslated?)",
                               "{side} 文本照搬了 {src} 文本（重合度 {value}；未翻译？）"),
    "duplicate-records": _e("the record duplicates the record on line {first}", "该记录与第 {first} 行的记录重复"),
    "duplicate-pairs": _e("the text pair duplicates the record on line {first}", "该文本对与第 {first} 行的记录重复"),
    "provenance-present": _e("layer {layer!r} has no provenance", "标注层 {layer!r} 没有来源信息"),
    "provenance-present.method": _e("method {method!r} is not one of {methods}",
                                    "标注方式 {method!r} 不在 {methods} 之中"),
    "provenance-present.reviewer": _e("layer {layer!r} has no reviewer", "标注层 {layer!r} 没有审核人"),
    "provenance-present.link": _e("{kind} link has no provenance", "{kind} 链接没有来源信息"),
    "role-separation": _e("{who!r} both annotated and reviewed this layer", "{who!r} 既标注又审核了该层"),
    "manifest-role-separation": _e("{person!r} holds {roles:and} roles in one task",
                                   "{person!r} 在同一任务中兼任 {roles:and} 角色"),
    "manifest-fields": _e("datasheet item missing: {label}", "数据说明缺少项目：{label}"),
    "manifest-roles": _e("no person with the role {role!r}", "没有担任 {role!r} 角色的人员"),
    "processing-steps.not-this-corpus": _e(
        "the processing log does not describe this corpus: its sha256 is in no logged step's outputs",
        "加工日志未描述本语料：其 sha256 不在任何已记录步骤的输出中"),
    "processing-steps.declared": _e(
        "the {steps:or} step is declared, not evidenced: no tool, version and input sha256 (a step logged by a "
        "lancang verb with --manifest is)",
        "{steps:or} 步骤仅有声明，没有证据：缺少工具、版本和输入的 sha"
        "256（由 lancang 命令以 --manifest 记录的步骤才有证据）"),
    "processing-steps.later": _e(
        "the {steps:or} step was logged after this corpus was made: it applies to a later version, not to this one",
        "{steps:or} 步骤记录于本语料生成之后：它适用于后来的版本，而非本版本"),
    "processing-steps": _e("processing log has no {steps:or} step", "加工日志中没有 {steps:or} 步骤"),
    "processing-steps.order": _e("processing steps are out of the required order", "加工步骤不符合规定的顺序"),
    "guideline-sections": _e("annotation guidelines have no section {sections:slash}",
                             "标注规范缺少章节 {sections:slash}"),
    "tmx-header": _e("TMX header lacks the required attribute {attr}", "TMX 头部缺少必备属性 {attr}"),
    "tmx-header.segtype": _e("segtype {segtype!r} is not block, paragraph, sentence or phrase",
                             "segtype {segtype!r} 不是 block、paragraph、sentence 或 phrase 之一"),
    "tmx-header.srclang": _e("srclang {srclang!r} is not a language of the first unit",
                             "srclang {srclang!r} 不是第一个翻译单元中的语种"),
    "layer-values": _e("{layer} value {value!r} is not allowed", "{layer} 的取值 {value!r} 不在允许范围内"),
    "dependency-tree": _e("{n} roots (HEAD 0); a tree has exactly one", "有 {n} 个根（HEAD 0）；一棵树恰有一个根"),
    "dependency-tree.root-deprel": _e("DEPREL is root if and only if HEAD is 0",
                                      "当且仅当 HEAD 为 0 时 DEPREL 为 root"),
    "dependency-tree.head": _e("HEAD {head} points to no word", "HEAD {head} 未指向任何词"),
    "dependency-tree.cycle": _e("the HEAD chain from this word is a cycle", "从该词出发的 HEAD 链构成环"),
    "media-referenced": _e("the side names no media file (media.uri)", "该语种侧未指明媒体文件（media.uri）"),
    "media-referenced.missing": _e("media {uri!r} has no {missing}", "媒体 {uri!r} 缺少 {missing}"),
    "media-verified": _e("{code}: {detail}", "媒体文件与记录不符或不存在（{code}）"),
    "timed-segment-empty": _e("segment {t0}-{t1} s has no transcript", "{t0}-{t1} 秒的片段没有转写文本"),
    "speakers-declared": _e("the segment names no speaker", "该片段未指明说话人"),
    "speakers-declared.undeclared": _e("speaker {speaker!r} is not declared in the manifest's speakers",
                                       "说话人 {speaker!r} 未在数据说明的 speakers 中声明"),
    "speakers-declared.consent": _e("speaker {speaker!r} has not consented (manifest speakers: consent is not true)",
                                    "说话人 {speaker!r} 未表示同意（数据说明 speakers 中 consent 不为 true）"),
    "pii-residual": _e("{type} at [{start}, {end}] (detector {detector}) is not masked",
                       "[{start}, {end}] 处的 {type}（检测器 {detector}）未脱敏"),
}

# ---------------------------------------------------------------------------------------------- the checker

CHECKER_MESSAGES: dict[str, dict[str, str]] = {
    "schema": _e("{detail}", "不符合 JSON Schema：{keyword:@schema/}"),
    "schema.required": _e("{detail}", "不符合 JSON Schema：缺少必备项 {name!r}"),
    "schema.value": _e("{detail}", "值 {value!r} 不符合 JSON Schema：{keyword:@schema/}"),
    "schema.metric": _e("metric {pointer}: {detail}",
                        "指标 {pointer}（值 {value}）不符合 JSON Schema：{keyword:@schema/}"),
    "model-limit": _e("{detail}", "超出 lancang 模型的限制（并非格式违规）：该单元无法无损转换为 lancang 记录"),
    "reading-stopped": _e("reading stopped: {detail}", "读取在此中止：输入违反其格式（{code}：{code:@}）"),
    "source-format.read-as": _e("the corpus was read as {read}, not {want}", "语料按 {read} 格式读取，而不是 {want}"),
    "source-format.violation": _e("{detail}", "输入违反 {want} 格式（{code}：{code:@}）"),
    "source-format.conllu": _e("{code}: {detail}", "{code}：不符合 CoNLL-U 要求：{code:@conllu/}"),
    "source-format.conllu-warning": _e("{code} (warning, not part of the verdict): {detail}",
                                       "{code}：CoNLL-U 警告（不影响结论）：{code:@conllu/}"),
    "input-error": _e("the input breaks its format", "输入违反其格式"),
    "input.problem": _e("{detail}", "{code}：输入有误：{code:@jsonl/}"),
    "sampling.lot-size": _e(
        "the inspection was of a lot of {inspected} records; the corpus checked has {records}: inspect a sample "
        "drawn from this corpus",
        "检验针对的是批量为 {inspected} 条记录的批，而所检查语料有 {records} 条：请检验从本语料中抽取的样本"),
    "sampling.switching-mismatch": _e(
        "the inspection's switching record says {said!r} inspection but its plan is on {used!r} inspection: the "
        "metrics file does not add up",
        "检验的转移记录为 {said:@severity/}，而其抽样方案为 {used:@severity/}：指标文件前后不一致"),
    "severity/normal": _e("normal", "正常检验"),
    "severity/tightened": _e("tightened", "加严检验"),
    "severity/reduced": _e("reduced", "放宽检验"),
    "sampling.decision-mismatch": _e(
        "the inspection says {decision!r} but {defects} defects with Ac {ac} mean {decided!r}: the metrics file does "
        "not add up",
        "检验结论为 {decision:@decision/}，但不合格数 {defects}、接"
        "收数 Ac {ac} 意味着 {decided:@decision/}：指标文件前后不一致"),
    "decision/accept": _e("accept", "接收"),
    "decision/reject": _e("reject", "拒收"),
    "sampling.plan-weaker": _e(
        "the inspection used n={n}, Ac={ac}; the profile's plan for a lot of {lot}{on} needs n>={want_n}, "
        "Ac<={want_ac}",
        "检验所用抽样方案为 n={n}、Ac={ac}；按配置的抽样方案，批量 {lot} 需要样本量 n>={want_n}、接收数 Ac<={want_ac}"),
    "sampling.rejected": _e("inspection rejected the lot: {defects} defects in a sample of {n} (Ac {ac}, Re {re})",
                            "检验拒收该批：样本量 {n} 中有 {defects} 个不合格（接收数 Ac {ac}，拒收数 Re {re}）"),
    "sampling.method-missing": _e(
        "the inspection does not say its method; this requirement takes a {method} inspection",
        "检验结果未注明检验方式；本要求需要{method:@method/}的检验结果"),
    "method/manual": _e("manual", "人工抽检"),
    "method/automated": _e("automated", "自动化检测"),
    # reasons (a requirement not checked, or how it was judged)
    "reason.pattern-too-costly": _e("{detail}", "模式匹配代价过高（{at}，{pointer}）：自此处起本要求未检查"
                                    "（含前后查找或反向引用的模式有回溯上限：请加锚点或改写）"),
    "reason.needs-extra": _e("{detail}", "规则 {rule} 需要安装 `pip install \"lancang[{extra}]\"`"),
    "reason.manifest-invalid": _e("the manifest is not a valid lancang manifest (lancang validate)",
                                  "数据说明不是有效的 lancang 数据说明（见 lancang validate）"),
    "reason.conllu-stdin": _e("the CoNLL-U level 1-2 checks read the file a second time; stdin cannot be: give the "
                              "file's path", "CoNLL-U 第 1-2 级检查需要再读一遍文件，标准输入无法重读：请给出文件路径"),
    "reason.metrics-missing": _e("{detail}", "未提供指标：{missing}（用 `lancang evaluate` / `agree` / `inspect` "
                                 "计算，并以 --metrics 传入）"),
    "reason.no-inspection": _e(
        "no inspection result: draw a sample with lancang sample, review it, run lancang inspect and pass its "
        "metrics with --metrics",
        "没有检验结果：请用 `lancang sample` 抽样、审核样本、运行 `lancang inspect`，并以 --metrics 传入其指标"),
    "reason.no-inspection-method": _e(
        "no {method} inspection result: this requirement takes the inspection made by {method} review (lancang "
        "inspect --method {method}); the metrics hold {found}",
        "没有{method:@method/}的检验结果：本要求采用以{method:@method/}方式进行的检验（lancang inspect --method "
        "{method}）；指标中只有 {found}"),
    "reason.switching": _e(
        "judged against the profile's plan on {severity} inspection, as the switching rules call for (history "
        "{history}, lot {lot}) (GB/T 2828.1 §9)",
        "按转移规则的要求，以{severity:@severity/}的抽样方案判定（检"
        "验历史 {history}，批 {lot}）（GB/T 2828.1 第 9 章）"),
    "reason.no-records": _e("the corpus has no records, so nothing was examined", "语料中没有记录，因此未检查任何内容"),
    "reason.no-valid-records": _e(
        "no record was examined: all {parsed} records failed lancang/canonical-record (records that are not valid "
        "lancang records are skipped by the other requirements)",
        "未检查任何记录：全部 {parsed} 条记录都未通过 lancang/canon"
        "ical-record（不是有效 lancang 记录的记录不参与其他要求的检查）"),
    "reason.nothing-examined": _e("{detail}", "{valid} 条有效记录中没有一条含有{rule:@looks-at/}，因此未检查任何记录"),
    "looks-at/entity-token-boundaries": _e("entities", "实体"),
    "looks-at/entity-labels": _e("an entities layer", "实体层"),
    "looks-at/links-required": _e("two sides or more", "两个及以上语种侧"),
    "looks-at/provenance-present": _e("a layer or link", "标注层或链接"),
    "looks-at/role-separation": _e("a layer or link with provenance", "带来源信息的标注层或链接"),
    "looks-at/tmx-header": _e("a TMX header (meta.tmx.header)", "TMX 头部（meta.tmx.header）"),
    "looks-at/layer-values": _e("a {layer} layer", " {layer} 层"),
    "looks-at/dependency-tree": _e("a head layer", " head（依存中心词）层"),
}

#: JSON Schema keywords (profile record, manifest and metrics requirements; the canonical record)
SCHEMA_KEYWORDS: dict[str, str] = {
    "required": "缺少必备项（required）", "type": "类型不符（type）", "enum": "取值不在允许的集合中（enum）",
    "const": "取值不等于规定值（const）", "minimum": "小于最小值（minimum）", "maximum": "大于最大值（maximum）",
    "exclusiveMinimum": "未大于下限（exclusiveMinimum）", "exclusiveMaximum": "未小于上限（exclusiveMaximum）",
    "minLength": "长度小于最小长度（minLength）", "maxLength": "长度超过最大长度（maxLength）",
    "minItems": "项数少于最少项数（minItems）", "maxItems": "项数多于最多项数（maxItems）",
    "uniqueItems": "有重复项（uniqueItems）", "pattern": "不匹配规定的模式（pattern）",
    "format": "不符合规定的格式（format）", "additionalProperties": "有不允许的属性（additionalProperties）",
    "unevaluatedProperties": "有不允许的属性（unevaluatedProperties）",
    "propertyNames": "属性名不合规（propertyNames）",
    "minProperties": "属性数少于最少数目（minProperties）", "maxProperties": "属性数多于最多数目（maxProperties）",
    "contains": "没有符合要求的项（contains）", "minContains": "符合要求的项太少（minContains）",
    "maxContains": "符合要求的项太多（maxContains）", "oneOf": "不恰好符合其中一个子模式（oneOf）",
    "anyOf": "不符合任何一个子模式（anyOf）", "allOf": "不符合全部子模式（allOf）", "not": "符合了被禁止的模式（not）",
    "if": "不符合条件约束（if/then/else）", "then": "不符合条件约束（if/then/else）",
    "else": "不符合条件约束（if/then/else）", "dependentRequired": "缺少依赖项（dependentRequired）",
    "dependentSchemas": "不符合依赖模式（dependentSchemas）", "multipleOf": "不是规定数的倍数（multipleOf）",
    "false": "此处不允许任何值（false 模式）",
}

#: problems of a JSONL line (corpora/jsonl.py Problem codes)
JSONL: dict[str, str] = {
    "json-malformed": "不是格式正确的 JSON",
    "utf8-invalid": "不是有效的 UTF-8",
    "line-too-long": "行长超出 lancang 的上限",
    "bom": "文件以 UTF-8 字节顺序标记（BOM）开头，JSONL 不应有",
    "blank-line": "空行",
    "json-duplicate-key": "同一对象中键重复",
    "gzip-corrupt": "gzip 数据损坏，无法继续读取",
    "empty-file": "文件为空（没有记录）",
    "record-not-object": "记录不是 JSON 对象",
}

# ---------------------------------------------------------------------------------------------- record invariants

INVARIANTS: dict[str, str] = {
    "duplicate-entity-id": "实体编号重复", "fragment-outside": "实体片段超出实体范围",
    "layer-length-mismatch": "逐词元层的长度与词元数不符", "layer-missing": "缺少所需的标注层",
    "link-duplicate": "链接重复",
    "link-index-out-of-range": "链接索引超出范围",
    "link-same-side": "链接两端在同一语种侧",
    "link-unknown-side": "链接指向不存在的语种侧",
    "offset-not-integer": "偏移不是整数",
    "record-malformed": "记录格式错误",
    "record-not-object": "记录不是 JSON 对象", "relation-dangling-ref": "关系引用了不存在的实体",
    "schema-required": "缺少必备项", "schema-type": "类型不符", "sentences-gap": "句子之间有未覆盖的文本",
    "span-empty": "区间为空", "span-out-of-range": "区间超出文本范围", "span-reversed": "区间起点大于终点",
    "spans-overlap": "区间重叠",
    "spans-unordered": "区间未按顺序排列",
    "text-not-nfc": "文本不是 Unicode NFC 规范化形式",
    "duplicate-id": "记录编号重复",
    "segments-overlap-in-time": "时间片段相互重叠",
    "segments-unordered": "时间片段未按时间顺序排列",
    "time-past-media": "时间超出媒体时长",
    "time-reversed": "时间片段的起点晚于终点",
    # the shapes of layers and links (corpora/invariants.py _Shapes) in the schema's words
    "schema-min-items": "数组元素过少（区间应为 [起点, 终点]，词元对应为 [源, 目标, S 或 P]）",
    "schema-max-items": "数组元素过多（区间应为 [起点, 终点]，词元对应为 [源, 目标, S 或 P]）",
}

# ---------------------------------------------------------------------------------------------- CoNLL-U levels 1-2
#: the UD validator's test ids (and lancang's own, standards/conllu.py RULES): what each requires, in Chinese
CONLLU: dict[str, str] = {
    "utf8-invalid": "文件须为 UTF-8 编码", "line-too-long": "行长不得超过 lancang 的行长上限（256 MiB）",
    "non-unix-newline": "行尾只能是 LF，不能是 CR LF",
    "invalid-line": "每行须为空行、注释行（#）或词行（以数字开头）；不得有 BOM",
    "pseudo-empty-line": "看似空的行不得含空白字符", "extra-empty-line": "每个句子后恰有一个空行，第一个句子前没有空行",
    "missing-empty-line": "最后一个句子后须有空行（文件以 LF LF 结尾）", "empty-sentence": "句子须有词行，不能只有注释",
    "misplaced-comment": "注释行须位于句子的词行之前", "unicode-normalization": "每行须为 Unicode NFC 规范化形式",
    "number-of-columns": "词行须有 10 个以制表符分隔的列", "empty-column": "列不得为空（无值写 _）",
    "leading-whitespace": "列不得以空白开头", "trailing-whitespace": "列不得以空白结尾",
    "repeated-whitespace": "列中不得有连续两个空白字符", "invalid-whitespace": "只有 FORM、LEMMA 和 MISC 可含空白",
    "invalid-whitespace-mwt": "多词词元的 FORM 和 LEMMA 不得含空白",
    "invalid-word-id": "ID 须为词序号、区间 1-2 或空节点 1.1",
    "word-id-sequence": "词 ID 须为 1、2、3……连续无缺", "misplaced-word-interval": "多词区间须位于其第一个词之前",
    "reversed-word-interval": "多词区间 a-b 须满足 a <= b", "word-interval-out": "多词区间须止于句中的词",
    "overlapping-word-intervals": "多词区间不得重叠",
    "misplaced-empty-node": "空节点 i.j 须紧随词 i（在以 i+1 开头的多词词元之前），j 为 1、2……",
    "mwt-nonempty-field": "多词词元除 ID、FORM、MISC 外各列须为 _",
    "empty-node-nonempty-field": "空节点的 HEAD 和 DEPREL 须为 _",
    "invalid-deprel": "DEPREL 须形如 [a-z]+(:[a-z]+)?",
    "unknown-udeprel": "DEPREL 的通用部分须为 37 个通用依存关系之一",
    "invalid-deps": "DEPS 须为 _ 或以 | 连接的 head:relation 对", "invalid-edeprel": "增强依存关系须格式正确",
    "unknown-eudeprel": "增强依存关系的通用部分须为通用关系或 ref",
    "invalid-ehead": "DEPS 的中心词须为 0、词或空节点 ID",
    "unknown-ehead": "DEPS 的中心词须为句中节点", "unknown-upos": "UPOS 须为 17 个通用词性标记之一",
    "invalid-head": "HEAD 须为 0 或词序号", "unknown-head": "HEAD 须为句中的词",
    "unsorted-features": "FEATS 须按名称（不区分大小写）排序", "invalid-feature": "特征须形如 Name=Value",
    "repeated-feature-value": "特征值不得重复", "unsorted-feature-values": "同一特征的多个值须排序",
    "repeated-feature": "特征不得重复",
    "unsorted-deps": "DEPS 须按中心词排序",
    "unsorted-deps-2": "同一中心词的 DEPS 须按关系排序",
    "repeated-deps": "DEPS 不得重复",
    "deps-self-loop": "节点不得为自身的增强中心词",
    "repeated-misc": "MISC 属性不得重复",
    "head-self-loop": "词不得为自身的中心词", "multiple-roots": "每个句子恰有一个词的 HEAD 为 0",
    "non-tree": "基本依存须构成一棵树（从根可达每个词，无环）", "unconnected-egraph": "增强依存图须连通",
    "edeps-only-sometimes": "增强依存图须在所有句子中都有或都没有",
    "invalid-sent-id": "须为 '# sent_id = ID'，ID 不含空白",
    "missing-sent-id": "每个句子须有 # sent_id", "multiple-sent-id": "每个句子只能有一个 # sent_id",
    "non-unique-sent-id": "sent_id 在文件内须唯一", "slash-in-sent-id": "sent_id 至多含一个 '/'（保留字符）",
    "invalid-parallel-id": "须为 '# parallel_id = corpus/sentence[/altNpartN]'",
    "multiple-parallel-id": "每个句子只能有一个 # parallel_id",
    "non-unique-parallel-id": "parallel_id 在文件内须唯一", "parallel-id-alt": "平行句的 alt 后缀须一致且从 1 连续编号",
    "parallel-id-part": "平行句的 part 后缀须一致且从 1 连续编号", "multiple-newdoc": "只能有一个 # newdoc",
    "multiple-newpar": "只能有一个 # newpar",
    "spaceafter-newdocpar": "新文档或新段落前的最后一个词元不应标 SpaceAfter=No",
    "missing-text": "每个句子须有 # text（至少一个非空白字符）", "multiple-text": "每个句子只能有一个 # text",
    "nospaceafter-yes": "应写 SpaceAfter=No，而不是 NoSpaceAfter=Yes", "spaceafter-value": "SpaceAfter 的值只能是 No",
    "spaceafter-empty-node": "空节点不得有 SpaceAfter=No",
    "spaceafter-mwt-node": "SpaceAfter=No 应标在多词词元上，而不是其中的词上",
    "text-form-mismatch": "词形须与 # text 逐字对应", "missing-spaceafter": "词形后无空格时须标 SpaceAfter=No",
    "text-extra-chars": "# text 在最后一个词形之后不得还有字符",
    # level-2 warnings (standards/conllu.py WARNINGS)
    "empty-misc": "MISC 中两个 | 之间不应为空（是否把竖线误作分隔符？）",
    "empty-misc-key": "MISC 属性在 = 之前须有名称",
    "misc-extra-space": "MISC 属性的名称和值不得以空白开头或结尾",
    "misc-attr-typo": "SpaceAfter、Lang、Translit、LTranslit、Gloss、LId、LDeriv、Ref 须按此大小写拼写，不含空格",
}

# ---------------------------------------------------------------------------------------------- format readers
#: inline codes (corpora/formats/xmlcodes.py), reported by the TMX, XLIFF 1.2 and XLIFF 2 readers under their prefix
INLINE: dict[str, str] = {
    "code-data-invalid-char": "内联代码数据含 XML 1.0 不能容纳的字符", "code-out-of-range": "内联代码位于文本范围之外",
    "codes-cross": "内联代码相互交叉", "inline-element-unexpected": "此处不允许该内联元素",
    "text-not-nfc-across-code": "跨内联代码的文本不是 Unicode NFC 规范化形式",
}

FORMATS: dict[str, str] = {
    # XML safety (xmlsafe.py)
    "xml-empty": "文件为空（没有 XML 文档）", "xml-malformed": "XML 格式不正确（not well-formed）",
    "xml-too-large": "XML 超出 lancang 的大小上限", "xml-entity": "实体无法解析",
    "xml-entity-declared": "DOCTYPE 声明了实体：为防范实体扩展攻击，拒绝此类文档",
    "xml-entity-undefined": "实体未定义（从不加载外部 DTD）", "xml-external-resource": "拒绝加载外部资源",
    # ELAN (eaf.py)
    "eaf-not-eaf": "根元素不是 <ANNOTATION_DOCUMENT>（不是 ELAN 文件）",
    # TMX 1.4b (tmx.py)
    "tmx-bpt-i-duplicate": "同一段内 <bpt> 的 i 重复", "tmx-bpt-unpaired": "<bpt> 没有配对的 <ept>",
    "tmx-ept-unpaired": "<ept> 没有配对的 <bpt>", "tmx-dtd-invalid": "不符合 TMX 1.4b DTD",
    "tmx-duplicate-language": "同一翻译单元中同一语种有多个 <tuv>：无法无损转换（lancang 模型的限制）",
    "tmx-element-unexpected": "此处不允许该元素",
    "tmx-header-missing": "缺少 <header>：TMX 1.4b 要求在 <body> 前有 <header>",
    "tmx-lancang-meta-invalid": "lancang 元数据 <prop> 不是 JSON 对象",
    "tmx-lang-invalid": "语种标记不是合规的 BCP 47 标记",
    "tmx-not-tmx": "根元素不是 <tmx>", "tmx-seg-missing": "<tuv> 没有 <seg>", "tmx-seg-twice": "<tuv> 有多个 <seg>",
    "tmx-tu-empty": "<tu> 没有 <tuv>", "tmx-tuv-lang-missing": "<tuv> 没有 xml:lang",
    "tmx-unit-too-large": "翻译单元中的元素数超出 lancang 的上限", "tmx-version": "TMX 版本须为 1.4（version 属性）",
    # XLIFF 1.2 (xliff.py)
    "xliff-element-after-units": "翻译单元之后出现了不允许的元素", "xliff-element-unexpected": "此处不允许该元素",
    "xliff-not-xliff": "根元素不是 <xliff>",
    "xliff-same-languages": "源语种与目标语种相同：无法无损转换（lancang 模型的限制）",
    "xliff-source-language-missing": "<file> 没有 source-language",
    "xliff-source-missing": "<trans-unit> 没有 <source>",
    "xliff-target-language-missing": "有 <target> 但 <file> 没有 target-language",
    "xliff-trans-unit-id-missing": "<trans-unit> 没有 id",
    "xliff-unit-too-large": "翻译单元中的元素数超出 lancang 的上限", "xliff-version": "XLIFF 版本不受支持",
    "xliff-lancang-record-invalid": "<lc:record> 不是 JSON 对象",
    "xliff-lang-invalid": "语种标记不是合规的 BCP 47 标记",
    # XLIFF 2.0-2.2 (xliff2.py, xliff2rules.py)
    "xliff2-empty": "没有 XML 文档",
    "xliff2-namespace": "<xliff> 不在 XLIFF 2 命名空间中",
    "xliff2-not-xliff": "根元素不是 <xliff>",
    "xliff2-same-languages": "srcLang 与 trgLang 相同：无法无损转换（lancang 模型的限制）",
    "xliff2-unit-too-large": "单元中的元素数超出 lancang 的上限", "xliff2-schema": "不符合 OASIS XLIFF 2.2 XML Schema",
    "xliff2-schema-missing": "XLIFF 2 模式导入了未随附的模式文件",
    "xliff2-version": "version 不是受支持的 XLIFF 2 版本",
    "xliff2-attribute-not-allowed": "该元素不允许此属性", "xliff2-attribute-pair": "<pc> 的成对属性缺了一个",
    "xliff2-attribute-required": "缺少必备属性", "xliff2-attribute-value": "属性值不在允许的取值中",
    "xliff2-can-reorder": "canReorder 与 canCopy/canDelete 的取值不一致",
    "xliff2-candelete-final": "canDelete='no' 的代码在目标中缺失",
    "xliff2-comment-annotation": "注释批注（comment）须有 value 或 ref 之一",
    "xliff2-comment-ref": "注释批注的 ref 未指向本单元的 <note>",
    "xliff2-copyof-cancopy": "copyOf 复制了 canCopy='no' 的代码",
    "xliff2-copyof-data": "带 copyOf 的代码不得有原始数据",
    "xliff2-copyof-unresolved": "copyOf 未指向本单元的内联代码", "xliff2-cp-invalid": "hex 不是 Unicode 码位",
    "xliff2-cp-valid-char": "<cp> 表示的是 XML 允许的字符（应直接书写）",
    "xliff2-dataref-unresolved": "dataRef 未指向本单元 <originalData> 中的 <data>",
    "xliff2-ec-dir": "只有孤立的 <ec> 可带 dir", "xliff2-ec-isolated": "孤立的 <ec> 须有 id 且不得有 startRef",
    "xliff2-ec-unpaired": "<ec> 没有配对的 <sc>", "xliff2-element-order": "元素顺序不符合规范",
    "xliff2-element-required": "缺少必备元素", "xliff2-element-unexpected": "此处不允许该元素",
    "xliff2-em-unpaired": "<em> 没有配对的 <sm>", "xliff2-extension-id": "扩展元素的标识符不是 NMTOKEN 或不唯一",
    "xliff2-file-empty": "<file> 没有单元", "xliff2-fragid-order": "片段标识符中 file、group、unit 选择器顺序有误",
    "xliff2-fragid-prefix": "片段标识符的前缀不是 XLIFF 选择器前缀", "xliff2-fragid-syntax": "片段标识符语法有误",
    "xliff2-fragid-unique": "片段标识符中同一前缀出现两次", "xliff2-fs-ec": "格式样式属性不得用于非孤立的 <ec>",
    "xliff2-slr-ec": "尺寸与长度限制属性不得用于非孤立的 <ec>",
    "xliff2-fs-subfs": "有 fs:subFs 而无 fs:fs，或 fs:subFs 格式有误", "xliff2-id-unique": "标识符不唯一",
    "xliff2-lang-invalid": "语种标记不是合规的 BCP 47 标记", "xliff2-match-annotation": "译文匹配批注须有 ref",
    "xliff2-match-ref": "ref 未指向本单元的片段或内联区间", "xliff2-module-place": "模块元素不在允许的位置",
    "xliff2-order-conflict": "目标片段的 order 相互冲突", "xliff2-order-range": "order 超出单元中片段与可忽略项的数目",
    "xliff2-order-unique": "order 在单元中重复",
    "xliff2-reorder-sequence": "canReorder='no' 的代码前出现了不允许的代码",
    "xliff2-sc-ec-mismatch": "<sc> 与 <ec> 的属性不一致",
    "xliff2-sc-isolated": "孤立的 <sc> 不得在同一单元内有配对的 <ec>",
    "xliff2-sc-unpaired": "<sc> 没有配对的 <ec>",
    "xliff2-skeleton": "<skeleton> 须有 href 或内容之一（不能两者都有或都没有）",
    "xliff2-slr-sizeinfo": "slr:sizeInfo 与 slr:sizeInfoRef 不得同时出现", "xliff2-sm-unpaired": "<sm> 没有配对的 <em>",
    "xliff2-state-without-target": "有 state 但没有 <target>",
    "xliff2-subflow-unresolved": "子流引用未指向本 <file> 的 <unit>",
    "xliff2-substate-without-state": "<segment> 有 subState 但没有 state",
    "xliff2-subtype-value": "subType 与 type 的取值不一致",
    "xliff2-subtype-without-type": "有 subType 但没有 type",
    "xliff2-translate-annotation": "翻译批注（translate）须有 value",
    "xliff2-trglang-required": "有 <target> 但 <xliff> 没有 trgLang", "xliff2-unit-no-segment": "<unit> 没有 <segment>",
    "xliff2-val-rule": "<val:rule> 的规则写法不合规",
    "xliff2-fs-attribute": "该属性不是格式样式模块的属性",
    "xliff2-fs-value": "fs:fs 的取值不是该模块允许的 HTML 元素名",
    "xliff2-xml-space": "<target> 的 xml:space 与 <source> 不一致",
    "xliff2-val-ec": "验证模块属性不得用于非孤立的 <ec>",
}


def _kebab(name: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in name)


def _build() -> dict[str, dict[str, str]]:
    cat: dict[str, dict[str, str]] = {**RULE_MESSAGES, **CHECKER_MESSAGES}
    # keywords as the schema engine names them: kebab-case (schemas/validator.py _keyword)
    cat.update({"schema/" + _kebab(k): _e(k, v) for k, v in SCHEMA_KEYWORDS.items()})
    cat.update({f"invariant/{k}": _e(k, v) for k, v in INVARIANTS.items()})
    cat.update({f"jsonl/{k}": _e(k, v) for k, v in JSONL.items()})
    cat.update({f"conllu/{k}": _e(k, v) for k, v in CONLLU.items()})
    cat.update({k: _e(k, v) for k, v in FORMATS.items()})
    for prefix in ("tmx-", "xliff-", "xliff2-"):
        cat.update({prefix + k: _e(prefix + k, v) for k, v in INLINE.items()})
    return cat


#: every message: key -> {"en": template, "zh": template}
CATALOG: dict[str, dict[str, str]] = _build()

__all__ = ["CATALOG", "Msg", "code_of", "finding_text", "msg", "reason_text", "tagged", "text"]
