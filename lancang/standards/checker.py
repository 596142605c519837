"""`lancang check`: one streaming pass over a corpus, a verdict per requirement and overall.

Each requirement of the profiles gets ``pass``, ``fail`` or ``not-checked`` (with the reason), the
number of findings and the first ``max_findings`` of them with their locations. Overall:
``conformant`` when every error-severity requirement passes, ``not-conformant`` when one fails,
``incomplete`` when none fails but some could not be checked (e.g. a metric nobody supplied).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .. import __version__
from ..corpora.formats import MODEL_LIMITS, get_format, read_corpus, read_items, resolve_format
from ..corpora.jsonl import Parsed, PathLike, is_stdio, iter_lines, open_input
from ..corpora.model import now_iso
from ..errors import InputError, LancangError, UsageError
from ..findings import Finding, json_params
from ..schemas import load_schema
from ..schemas.validator import COSTLY, SchemaEngine
from .messages import Msg, code_of, msg, tagged
from .metrics import CorpusMetrics
from .profiles import Profile
from .rules import RULES, Rule


@dataclass
class ReqState:
    req: dict[str, Any]
    rule: Rule | None = None
    engine: SchemaEngine | None = None
    runner: Any = None
    count: int = 0
    #: the requirement examined a record (schema-valid, and having what its rule looks at)
    examined: bool = False
    #: the findings shown (``Finding.to_dict()``, as the report has them)
    shown: list[dict[str, Any]] = field(default_factory=list)
    #: warning findings of an error requirement (the UD validator's level-2 warnings): shown, never in the verdict
    warnings: int = 0
    warnings_shown: int = 0
    verdict: str | None = None
    reason: str | None = None
    #: records with at least one finding (record and corpus requirements), for scores by share of records
    failed_records: int = 0
    per_record: bool = False
    #: why the requirement stopped being checked in the record pass (``costly``: a pattern too costly;
    #: ``unavailable``: a missing backend), so a merge of parts knows what the verdict is over the whole
    stop: str | None = None

    #: the fields of a part state (:meth:`Checker.part`) for one requirement
    PART_FIELDS = ("count", "examined", "warnings", "warnings_shown", "verdict", "failed_records", "stop")

    def export(self) -> dict[str, Any]:
        """This requirement's record-pass result as plain JSON (a part state's entry)."""
        return {**{k: getattr(self, k) for k in self.PART_FIELDS}, "shown": list(self.shown),
                "reason": _reason_json(self.reason)}

    def absorb(self, d: dict[str, Any]) -> None:
        """Take the record-pass result ``d`` (:meth:`export`, merged) as this requirement's."""
        for k in self.PART_FIELDS:
            setattr(self, k, d[k])
        self.shown = list(d["shown"])
        self.reason = _reason_from(d["reason"])

    @property
    def params(self) -> dict[str, Any]:
        return self.req.get("params", {})

    @property
    def key(self) -> str:
        return f"{self.req['profile']}/{self.req['id']}"


#: the version of a part state's layout (:meth:`Checker.part`)
PART_STATE = 1


def _reason_json(reason: Any) -> Any:
    """A reason or message as JSON: its text, and its catalog code and parameters when it has them."""
    if reason is None:
        return None
    code, params = code_of(reason)
    return [str(reason), code, json_params(params or {})] if code else str(reason)


def _reason_from(data: Any) -> Any:
    """The reason or message :func:`_reason_json` wrote."""
    return Msg(data[0], data[1], data[2]) if isinstance(data, list) else data


def _shifted(items: Iterator[Any], shift: int, skip: int) -> Iterator[Any]:
    """The items of a part's lines with the corpus's line numbers (line + ``shift``), its first ``skip``
    lines left out."""
    for item in items:
        if item.line is not None and item.line <= skip:
            continue
        yield dataclasses.replace(item, line=item.line + shift) if item.line is not None else item


def merge_parts(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The part states of consecutive parts of a corpus (:meth:`Checker.part`, in input order) as the state
    of one part over all of them: counts add, the findings shown are the first ``max_findings`` of all,
    corpus metrics add, keys and late hits are kept in order; a requirement that stopped being checked in a
    part (a missing backend, a pattern too costly) takes nothing from the parts after it, as one pass would
    not have looked at them. ``sha256`` is the caller's (the whole input's)."""
    first, *rest = parts
    out = {**first, "reqs": [dict(r) for r in first["reqs"]], "keys": [list(k) for k in first["keys"]],
           "late": list(first["late"]), "sha256": None}
    cap = first["max_findings"]
    metrics = CorpusMetrics.from_state(first["metrics"])
    for p in rest:
        if p["source"]["format"] != "jsonl" or first["source"]["format"] != "jsonl":
            raise ValueError("only parts of one lancang JSONL corpus merge")
        out["records"] += p["records"]
        metrics.merge(CorpusMetrics.from_state(p["metrics"]))
        stopped = [i for i, r in enumerate(out["reqs"]) if r["verdict"] is not None]
        for a, b in zip(out["reqs"], p["reqs"], strict=True):
            if a["verdict"] is not None:
                continue
            for k in ("count", "warnings", "warnings_shown", "failed_records"):
                a[k] += b[k]
            a["examined"] = a["examined"] or b["examined"]
            a["shown"] = a["shown"] + b["shown"]
            if cap:
                a["shown"] = a["shown"][:cap]
            if b["verdict"] is not None:  # stopped in this part: the verdict over all the parts so far
                a["stop"], a["reason"] = b["stop"], b["reason"]
                a["verdict"] = ("fail" if a["count"] else "not-checked") if b["stop"] == "costly" else b["verdict"]
        out["keys"].extend([path, sorted({*skip, *stopped})] for path, skip in p["keys"])
        out["late"].extend(hit for hit in p["late"] if hit[0] not in stopped)
    out["metrics"] = metrics.state()
    return out


def _sev(req: dict[str, Any]) -> str:
    return req.get("severity", "error")


#: reader options `check` sets for a format that declares them (unless given with -I): validate the input
#: against the format's own schema or DTD, and read on past what lancang's model cannot hold, marking the
#: record (``meta.model_limits``) instead of stopping, so a valid file is not failed for lancang's limits
CHECK_READ_OPTIONS: dict[str, Any] = {"validate": True, "duplicate_lang": "first"}


def _error_line(exc: Exception, path: Any) -> int | None:
    """The file line a reader's error names (an XML error's ``line``, else ``FILE:LINE:`` at the start
    of its message), or None: never a count of records read standing in for a line."""
    line = getattr(exc, "line", None)
    if isinstance(line, int):
        return line
    m = re.match(re.escape(str(path)) + r":(\d+)\b", str(exc))
    return int(m.group(1)) if m else None


class Checker:
    def __init__(self, profiles: Sequence[Profile], max_findings: int = 100, from_format: str | None = None,
                 langs: Sequence[str] | None = None, options: dict[str, Any] | None = None):
        self.profiles = list(profiles)
        self.from_format = get_format(from_format) if from_format else None
        self.langs = list(langs) if langs else None
        self.options = dict(options or {})
        self.source_format: str = "jsonl"
        #: the .conllu files of a treebank folder given as the corpus (read and validated as one treebank)
        self.treebank: list[Any] | None = None
        self.source_error: str | None = None
        self.source_line: int | None = None
        self.source_code: str | None = None
        self.max_findings = max_findings
        self.states: list[ReqState] = []
        for prof in self.profiles:
            for req in prof.requirements:
                st = ReqState(req)
                if req["kind"] == "rule":
                    st.rule = RULES.get(req["rule"])
                elif req["kind"] in ("record", "manifest", "metrics"):
                    st.engine = SchemaEngine(req["schema"])
                self.states.append(st)
        self.base = SchemaEngine(load_schema("record"))
        scored = {p.id: p for p in self.profiles if "scoring" in p.doc}
        if len(scored) > 1:
            raise UsageError(f"profiles {', '.join(scored)} each declare a score: check against one of them at a time "
                             "(a report has one score)")
        self.scored = next(iter(scored.values()), None)

    # ------------------------------------------------------------------------------ findings
    def _hit(self, st: ReqState, message: str, file: str | None, line: int | None = None,
             record: str | None = None, ptr: str | None = None, warning: bool = False) -> None:
        """One finding of ``st``; ``warning``: a warning the requirement shows but is not judged on (counted in
        ``st.warnings``, shown up to ``max_findings`` of its own, so warnings never crowd out errors)."""
        if warning:
            st.warnings += 1
            shown = not self.max_findings or st.warnings_shown < self.max_findings
            st.warnings_shown += shown
        else:
            st.count += 1
            shown = not self.max_findings or len(st.shown) - st.warnings_shown < self.max_findings
        if shown:
            rule = st.req.get("rule") or f"{st.req['kind']}-schema"
            code, params = code_of(message)
            st.shown.append(Finding(rule, message, "warning" if warning else _sev(st.req), file, line, record, ptr,
                                    st.req["clause"], None, code, params).to_dict())

    def _schema_hits(self, st: ReqState, errors: list[tuple[str, str, str]], file: str | None,
                     line: int | None = None, record: str | None = None, metric: bool = False,
                     doc: Any = None) -> None:
        """Findings of a schema requirement. A pattern too costly to evaluate on a value (it reached the
        backtracking bound) is no finding: the requirement is not checked from there on (``fail`` if it
        already failed), with the reason and the first value's location."""
        costly = [(ptr, text) for ptr, kw, text in errors if kw == COSTLY]
        for ptr, kw, text in errors:
            if kw == COSTLY:
                continue
            if metric:
                from .rules import _get

                self._hit(st, tagged(f"metric {ptr}: {text}", "schema.metric", pointer=ptr or "/", keyword=kw,
                                     detail=text, value=_get(doc, ptr)), file, line, record, ptr)
            else:
                self._hit(st, schema_message(text, kw, doc, ptr), file, line, record, ptr)
        if costly:
            ptr, text = costly[0]
            at = ":".join(str(x) for x in (file, line) if x is not None)
            st.verdict, st.stop = "fail" if st.count else "not-checked", "costly"
            st.reason = tagged(f"pattern too costly: {text} ({at}{f', record {record}' if record else ''}, "
                               f"{ptr or '/'}); the requirement was not checked from there on (a pattern with "
                               "lookaround or backreferences is bounded: anchor it or write it without them)",
                               "reason.pattern-too-costly", at=at + (f", record {record}" if record else ""),
                               pointer=ptr or "/", detail=text)

    def _unavailable(self, st: ReqState, exc: ImportError) -> None:
        rule, extra = (st.rule.id, st.rule.needs) if st.rule else ("", "")
        st.stop = "unavailable"
        st.verdict, st.reason = "not-checked", tagged(f"rule {rule} needs `pip install \"lancang[{extra}]\"` ({exc})",
                                                      "reason.needs-extra", rule=rule, extra=extra, detail=str(exc))

    def manifest_requirements(self) -> list[str]:
        """The keys (``profile/id``) of the requirements that judge the manifest, not the records, or read it
        beside the records (a corpus rule with ``reads_manifest``)."""
        return [st.key for st in self.states if st.req["kind"] == "manifest"
                or (st.rule is not None and (st.rule.scope == "manifest" or st.rule.reads_manifest))]

    # ------------------------------------------------------------------------------ run
    def run(self, corpus: PathLike, manifest: PathLike | None = None,
            metrics: dict[str, Any] | None = None) -> dict[str, Any]:
        """Check ``corpus``: :meth:`start`, one :meth:`part` over the whole corpus, :meth:`finish` (a run in
        parts, :mod:`lancang.pipeline.oneoff`, has several parts and :func:`merge_parts` between)."""
        self.start(corpus, manifest)
        return self.finish(self.part(corpus), metrics)

    def start(self, corpus: PathLike, manifest: PathLike | None = None, *, judge_manifest: bool = True) -> None:
        """What is done once: the manifest read (and judged, unless ``judge_manifest`` is false: a worker of
        a run in parts reads it for the rules that read it beside the records, the parent judges it), and the
        record requirements made ready (their corpus rules started)."""
        self.name = str(corpus)
        self.corpus, self.manifest = corpus, manifest
        needs_manifest = self.manifest_requirements()
        if needs_manifest and manifest is None:
            ids = ", ".join(needs_manifest[:5])
            raise InputError(f"the profile has manifest requirements ({ids}...): give the corpus's manifest "
                             "with --manifest")
        doc = _load_json(manifest, "manifest") if manifest is not None else None
        self.processing = _processing(doc)
        if doc is not None and judge_manifest:
            self._check_manifest(doc, str(manifest), corpus)
        self.record_states = [st for st in self.states if st.req["kind"] == "record"
                              or (st.rule is not None and st.rule.scope in ("record", "corpus"))]
        for st in self.record_states:
            st.per_record = True
            if st.rule is not None and st.rule.reads_corpus:  # its folder resolves relative media paths
                st.req = {**st.req, "params": {**st.req.get("params", {}), "_corpus": self.name}}
            if st.rule is not None and st.rule.scope == "corpus":
                params = st.req.get("params", {})
                st.runner = st.rule.start({**params, "_manifest": doc} if st.rule.reads_manifest else params)
        self.base_state = ReqState({
            "profile": "lancang", "id": "canonical-record", "clause": "-", "basis": "default", "kind": "record",
            "title": {"en": "Records are valid lancang records (lancang validate)", "zh": "记录符合 lancang 规范模型"}})
        self.limit_state = ReqState({
            "profile": "lancang", "id": "model-limits", "clause": "-", "basis": "default", "kind": "record",
            "rule": "model-limit", "severity": "warning",
            "title": {"en": "Every unit fits a lancang record (what does not is lancang's model limit, not a violation "
                            "of the format: it cannot be converted losslessly)",
                      "zh": "每个单元都能放入 lancang 记录（放不下的是 lancang 模型的限制，"
                            "并非格式违规：无法无损转换）"}})

    @property
    def part_states(self) -> list[ReqState]:
        """The requirements a part judges, in the order of a part state's ``reqs``."""
        return [self.base_state, self.limit_state, *self.record_states]

    def part(self, corpus: PathLike, *, name: str | None = None, shift: int = 0, skip: int = 0,
             keys_dir: str | None = None) -> dict[str, Any]:
        """The record pass over ``corpus`` (after :meth:`start`): a part state, plain JSON, that
        :func:`merge_parts` merges with the states of the parts after it and :meth:`finish` turns into the
        report. The whole corpus in any format, or (``shift``) a lancang JSONL file holding lines of the
        corpus ``name``: its line n is the corpus's line n + ``shift``, its first ``skip`` lines are not the
        corpus's. Corpus rules with a global phase (duplicates: ``key_of``/``add``) write their keys to a
        file in ``keys_dir`` (bounded memory), which :meth:`finish` replays in input order."""
        name = name or self.name
        cm = CorpusMetrics()
        states = self.part_states
        base_state, limit_state = self.base_state, self.limit_state
        for st in states:  # a fresh pass (a Checker may check several parts)
            st.absorb(ReqState(st.req).export())
        keyed = {id(st): i for i, st in enumerate(states) if hasattr(st.runner, "key_of")}
        keys = None
        if keyed:
            fd, keys_path = tempfile.mkstemp(prefix="lancang-check-keys-", suffix=".jsonl", dir=keys_dir)
            keys = os.fdopen(fd, "wb")
        parsed = 0
        self.source_format, self.source_error, self.source_line, self.source_code = "jsonl", None, None, None
        self.digest: Any = None
        self.item_file: str | None = None  # the file of a treebank folder being read (_items)
        if shift or skip:
            items: Iterator[Any] = _shifted(iter_lines(corpus), shift, skip)
        else:
            items = self._items(corpus, base_state)
        try:
            for item in items:
                where = self.item_file or name
                if not isinstance(item, Parsed):
                    if item.severity == "error":
                        if parsed == 0 and item.code in ("json-malformed", "utf8-invalid") and item.line == 1:
                            raise InputError(f"{name}:1: not a JSONL corpus ({item.message})")
                        self._hit(base_state, tagged(item.message, "input.problem", code=item.code,
                                                     detail=item.message), where, item.line)
                    continue
                parsed += 1
                rec = item.value
                rid = rec.get("id") if isinstance(rec, dict) else None
                meta = rec.get("meta") if isinstance(rec, dict) else None
                if isinstance(meta, dict) and isinstance(meta.get(MODEL_LIMITS), list):
                    for limit in meta[MODEL_LIMITS]:
                        self._hit(limit_state, tagged(str(limit), "model-limit", detail=str(limit)), where,
                                  item.line, rid if isinstance(rid, str) else None, f"/meta/{MODEL_LIMITS}")
                if not self.base.is_valid(rec):
                    for ptr, kw, text in self.base.errors(rec)[:3]:
                        self._hit(base_state, schema_message(text, kw, rec, ptr), where, item.line,
                                  rid if isinstance(rid, str) else None, ptr)
                    continue
                cm.add(rec)
                for st in self.record_states:
                    if st.verdict is not None:  # not checkable (a missing backend, a pattern too costly)
                        continue
                    try:
                        if id(st) in keyed:  # its global phase: the key now, the decision in finish
                            if not st.examined:
                                st.examined = st.rule.applies is None or st.rule.applies(rec, st.params)  # type: ignore[union-attr]
                            k = st.runner.key_of(rec)
                            if k is not None:
                                keys.write(orjson.dumps([keyed[id(st)], k, item.line, rec["id"],  # type: ignore[union-attr]
                                                         None if where == name else where],
                                                        option=orjson.OPT_APPEND_NEWLINE))
                        else:
                            self._check_record(st, rec, item.line, where)
                    except ImportError as exc:
                        self._unavailable(st, exc)
            late = []  # what the other corpus rules say at the end of the pass
            for i, st in enumerate(states):
                if st.runner is not None and id(st) not in keyed:
                    late.extend([i, line, rid, ptr, _reason_json(message)]
                                for line, rid, ptr, message in st.runner.finish())
        except BaseException:
            if keys is not None:
                keys.close()
                os.unlink(keys_path)
            raise
        if keys is not None:
            keys.close()
        return {"part": PART_STATE, "max_findings": self.max_findings, "records": parsed, "metrics": cm.state(),
                "source": {"format": self.source_format, "error": self.source_error, "line": self.source_line,
                           "code": self.source_code,
                           "treebank": [str(p) for p in self.treebank] if self.treebank else None},
                "sha256": self.digest.hexdigest() if self.digest is not None else None,
                "reqs": [st.export() for st in states], "keys": [[keys_path, []]] if keys is not None else [],
                "late": late}

    def finish(self, state: dict[str, Any], metrics: dict[str, Any] | None = None) -> dict[str, Any]:
        """The report from the (merged) part state of the whole corpus: the global phases (corpus rules'
        keys replayed in input order), the "nothing examined" verdicts, the source format, the metrics and
        sampling requirements, the verdicts and the score."""
        try:
            return self._finish(state, metrics)
        finally:
            for path, _skip in state["keys"]:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)

    def _finish(self, state: dict[str, Any], metrics: dict[str, Any] | None) -> dict[str, Any]:
        name, corpus = self.name, self.corpus
        states = self.part_states
        for st, d in zip(states, state["reqs"], strict=True):
            st.absorb(d)
        src = state["source"]
        self.source_format, self.source_error = src["format"], src["error"]
        self.source_line, self.source_code = src["line"], src["code"]
        self.treebank = [Path(p) for p in src["treebank"]] if src["treebank"] else None
        parsed = state["records"]
        cm = CorpusMetrics.from_state(state["metrics"])
        if parsed == 0 and self.source_format == "jsonl":
            raise InputError(f"{name}: no records (empty file?)")
        for path, skip in state["keys"]:  # the keyed corpus rules' record-time hits, in input order
            skipped = set(skip)
            with open(path, "rb") as f:
                for raw in f:
                    i, k, line, rid, where = orjson.loads(raw)
                    if i in skipped:
                        continue
                    st = states[i]
                    for ptr, message in st.runner.add(k, line, rid):  # type: ignore[union-attr]
                        st.failed_records += 1
                        self._hit(st, message, where or name, line, rid, ptr)
        late: dict[int, list[Any]] = {}
        for i, *hit in state["late"]:
            late.setdefault(i, []).append(hit)
        for i, st in enumerate(states):
            if st.runner is not None and st.verdict != "not-checked":
                hits = (st.runner.finish() if hasattr(st.runner, "key_of")
                        else ((line, rid, ptr, _reason_from(m)) for line, rid, ptr, m in late.get(i, ())))
                for line, rid, ptr, message in hits:
                    st.failed_records += 1  # a late duplicate is one record
                    self._hit(st, message, name, line, rid, ptr)
            elif hasattr(st.runner, "close"):
                st.runner.close()
            if st.per_record and st.verdict is None and not st.count and not st.examined:
                st.verdict, st.reason = "not-checked", _nothing_examined(st, parsed, cm.records)
        self.corpus_sha256: str | None = state["sha256"]


        for st in self.states:
            if st.rule is not None and st.rule.scope == "source":
                want = st.params["format"]
                if self.source_format != want:
                    self._hit(st, msg("source-format.read-as", read=self.source_format, want=want), name)
                elif self.source_error is not None:
                    self._hit(st, tagged(self.source_error, "source-format.violation", want=want,
                                         code=self.source_code, detail=self.source_error), name, self.source_line)
        sources = [st for st in self.states if st.rule is not None and st.rule.scope == "source"
                   and st.params["format"] == self.source_format == "conllu"]
        if sources and is_stdio(corpus):  # stdin cannot be read twice: say so, never pass
            for st in sources:
                if not st.count:
                    st.verdict, st.reason = "not-checked", msg("reason.conllu-stdin")
        elif sources:  # CoNLL-U levels 1-2 (standards/conllu.py): a second, strict pass (a treebank: its files)
            from .conllu import validate_files as strict_pass

            for f in strict_pass(self.treebank or [corpus], warnings=True):
                warning = f.severity == "warning"  # the validator's level-2 warnings: shown, not in the verdict
                message = tagged(f"{f.rule} (warning, not part of the verdict): {f.message}" if warning
                                 else f"{f.rule}: {f.message}",
                                 "source-format.conllu-warning" if warning else "source-format.conllu",
                                 code=f.rule, detail=f.message)
                for st in sources:
                    self._hit(st, message, f.file, f.line, f.record, warning=warning)
        computed = {"corpus": cm.to_dict(), "rules": self._rule_metrics(cm.records)}
        doc_metrics = {**(metrics or {}), **computed}
        for st in self.states:
            if st.req["kind"] == "metrics":
                self._check_metrics(st, doc_metrics)
            elif st.req["kind"] == "sampling":
                self._check_sampling(st, doc_metrics, cm.records)
        base_state, limit_state = self.base_state, self.limit_state
        shown = [base_state] + ([limit_state] if limit_state.count or self.source_format != "jsonl" else [])
        return self._report(name, self.manifest, [*shown, *self.states], doc_metrics, cm.records)

    def _items(self, corpus: PathLike, base_state: ReqState) -> Iterator[Parsed | Any]:
        """Lines of a JSONL corpus, or the records of a corpus in another registered format (TMX, XLIFF,
        CoNLL-U, ...), read through the format registry. A format reader stops at the first violation of
        its format; that finding goes to the ``source-format`` rules and the base requirement."""
        from ..corpora.formats.conllu import treebank_files

        fmt = self.from_format
        if fmt is None or fmt.name == "conllu":  # a folder of .conllu files: one treebank, its files in turn
            self.treebank = treebank_files(corpus)
            fmt = get_format("conllu") if self.treebank else fmt
        fmt = fmt or (None if is_stdio(corpus) else resolve_format(corpus))
        if fmt is None or fmt.name == "jsonl":
            self.digest = hashlib.sha256()
            yield from read_items(corpus, "jsonl", digest=self.digest, **self.options)
            return
        if fmt.read is None:
            raise InputError(f"{corpus}: format {fmt.name!r} cannot be read")
        self.source_format = fmt.name
        if fmt.name == "xliff":  # .xlf holds either version; the reader hands XLIFF 2 to xliff2
            from ..corpora.formats import xliff2
            from ..corpora.formats.xmlsafe import root_tag

            try:
                tag, _line = root_tag(corpus)
            except InputError:
                tag = ""
            if tag.startswith("{") and tag[1:].split("}")[0] in xliff2.CORE_NS:
                self.source_format = "xliff2"
                fmt = xliff2.FORMAT  # read as xliff2, so its reader options (duplicate_lang, validate) apply
        declared = fmt.read_options or {}
        opts = {k: v for k, v in CHECK_READ_OPTIONS.items() if k in declared} | self.options
        for path in self.treebank or [corpus]:
            n = 0
            self.item_file = str(path) if self.treebank else None
            try:
                for rec in read_corpus(path, fmt.name, self.langs, **opts):
                    n += 1
                    yield Parsed(n, rec)
            except InputError as exc:  # the format's own violation, located by the reader
                self.source_error = str(exc)
                self.source_line = _error_line(exc, path)
                self.source_code = getattr(exc, "rule", None) or "input-error"
                self._hit(base_state, tagged(f"reading stopped: {exc}", "reading-stopped", code=self.source_code,
                                             detail=str(exc)), str(path), _error_line(exc, path))

    def _check_record(self, st: ReqState, rec: dict[str, Any], line: int, name: str) -> None:
        rule = st.rule
        if not st.examined:  # asked until one record has what the rule looks at, never after
            st.examined = rule is None or rule.applies is None or rule.applies(rec, st.params)
        if st.engine is not None:
            if not st.engine.is_valid(rec):
                st.failed_records += 1
                self._schema_hits(st, st.engine.errors(rec), name, line, rec["id"], doc=rec)
            return
        hits = st.runner.record(rec, line) if st.runner is not None else st.rule.check(rec, st.params)  # type: ignore[union-attr]
        before = st.count
        for ptr, message in hits:
            self._hit(st, message, name, line, rec["id"], ptr)
        st.failed_records += st.count > before

    def _check_manifest(self, doc: Any, name: str, corpus: PathLike) -> None:
        man = SchemaEngine(load_schema("manifest"))
        corpus_sha: list[str | None] = []  # computed once, when a rule asks for it
        for st in self.states:
            if st.req["kind"] == "manifest":
                assert st.engine is not None
                self._schema_hits(st, st.engine.errors(doc), name)
            elif st.rule is not None and st.rule.scope == "manifest":
                if not man.is_valid(doc):
                    st.verdict = "not-checked"
                    st.reason = msg("reason.manifest-invalid")
                    continue
                params = dict(st.req.get("params", {}))
                if params.get("evidence"):
                    if not corpus_sha:
                        from ..quality.document import file_sha256

                        try:
                            corpus_sha.append(file_sha256(corpus))
                        except (OSError, LancangError):  # the record pass reports an unreadable corpus
                            corpus_sha.append(None)
                    params["_corpus_sha256"] = corpus_sha[0]
                for ptr, message in st.rule.check(doc, params):
                    self._hit(st, message, name, ptr=ptr)

    def _rule_metrics(self, records: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for st in self.states:
            if st.rule is not None:
                cur = out.setdefault(st.rule.id, {"hits": 0, "rate": 0.0})
                cur["hits"] = max(cur["hits"], st.count)
                cur["rate"] = cur["hits"] / records if records else 0.0
        return out

    def _check_metrics(self, st: ReqState, doc: dict[str, Any]) -> None:
        assert st.engine is not None
        errors = st.engine.errors(doc)
        missing = [(p, m) for p, kw, m in errors if kw == "required"]
        self._schema_hits(st, [(p, kw, m) for p, kw, m in errors if (p, m) not in missing], "metrics",
                          metric=True, doc=doc)
        if missing and not st.count and st.verdict is None:
            st.verdict = "not-checked"
            st.reason = tagged("metrics not supplied: " + "; ".join(f"{p or '/'} {m}" for p, m in missing)
                               + " (compute them with lancang evaluate / agree / inspect and pass --metrics)",
                               "reason.metrics-missing", missing=[_missing_pointer(p, m) for p, m in missing],
                               detail="; ".join(f"{p or '/'} {m}" for p, m in missing))

    def _check_sampling(self, st: ReqState, doc: dict[str, Any], records: int) -> None:
        """The inspection result (from `lancang inspect`) must accept the lot under a plan at least as
        strict as the profile's: a sample as large and an acceptance number no larger. When the lot was
        inspected under a switching history (``inspection.switching``, written by `inspect --history`,
        which checked the lot's severity against the history), a GB/T 2828.1 profile plan on normal
        inspection is taken on the severity the switching rules called for (GB/T 2828.1 §9): a lot on
        reduced inspection is judged against the reduced plan, one on tightened against the tightened.
        A requirement with a ``method`` (``manual`` or ``automated``, TC260-003 §9.2) takes the inspection
        of that method (``inspection.method``, from `lancang inspect --method`); none is not-checked."""
        from ..quality.sampling import SEVERITIES, plan_from_spec

        found = inspections(doc)
        if not found:
            st.verdict, st.reason = "not-checked", msg("reason.no-inspection")
            return
        method = st.req.get("method")
        if method is not None:
            mine = [(p, i) for p, i in found if i.get("method") == method]
            if not mine:
                said = [str(i.get("method") or "(no method)") for _p, i in found]
                st.verdict = "not-checked"
                st.reason = msg("reason.no-inspection-method", method=method, found=said)
                return
            found = mine
        at, insp = found[0]
        lot = records  # the lot is the corpus checked, never what the metrics file says
        if insp.get("lot_size") != records:
            self._hit(st, msg("sampling.lot-size", inspected=insp.get("lot_size"), records=records), "metrics",
                      ptr=f"{at}/lot_size")
            return
        spec, on = st.req["plan"], ""
        switch = insp.get("switching")
        if isinstance(switch, dict) and spec.get("scheme") == "gb-t-2828.1":
            sev, used = switch.get("severity"), (insp.get("plan") or {}).get("severity")
            if sev not in SEVERITIES or used != sev:
                self._hit(st, msg("sampling.switching-mismatch", said=sev, used=used), "metrics",
                          ptr=f"{at}/switching")
                return
            if spec.get("severity", "normal") == "normal":
                spec = {**spec, "severity": sev}
                on = (f" on {sev} inspection, as the switching rules call for (history {switch.get('history')}, "
                      f"lot {switch.get('lot')})")
                st.reason = msg("reason.switching", severity=sev, history=switch.get("history"), lot=switch.get("lot"))
        want = plan_from_spec(spec, lot)
        n, ac, defects = insp.get("sample_size"), insp.get("ac"), insp.get("defects")
        decided = None
        if isinstance(defects, int) and isinstance(ac, int):
            decided = "accept" if defects <= ac else "reject"
        if decided is not None and insp["decision"] != decided:
            self._hit(st, msg("sampling.decision-mismatch", decision=insp["decision"], defects=defects, ac=ac,
                              decided=decided), "metrics", ptr=f"{at}/decision")
        elif not isinstance(n, int) or not isinstance(ac, int) or n < want.sample_size or ac > want.ac:
            self._hit(st, tagged(f"the inspection used n={n}, Ac={ac}; the profile's plan for a lot of {lot}{on} needs "
                                 f"n>={want.sample_size}, Ac<={want.ac}", "sampling.plan-weaker", n=n, ac=ac, lot=lot,
                                 want_n=want.sample_size, want_ac=want.ac), "metrics", ptr=at)
        elif insp["decision"] != "accept":
            self._hit(st, msg("sampling.rejected", defects=insp.get("defects", "?"), n=n, ac=ac,
                              re=insp.get("re", "?")), "metrics", ptr=at)

    # ------------------------------------------------------------------------------ report
    def _report(self, corpus: str, manifest: PathLike | None, states: list[ReqState], metrics: dict[str, Any],
                records: int) -> dict[str, Any]:
        reqs = []
        for st in states:
            if st.verdict is None:
                st.verdict = "fail" if st.count else "pass"
            r = st.req
            reqs.append({
                "profile": r["profile"], "id": r["id"], "clause": r["clause"], "basis": r["basis"],
                "kind": r["kind"], "rule": r.get("rule"), "severity": _sev(r), "source": r.get("source"),
                "title": r["title"] if isinstance(r["title"], dict) else {"en": r["title"]},
                "verdict": st.verdict, "reason": None if st.reason is None else str(st.reason),
                **_reason_code(st.reason), "findings": st.count + st.warnings,
                **({"warnings": st.warnings} if st.warnings else {}),
                **({"records_failed": st.failed_records} if st.per_record else {}),
                "shown": list(st.shown),
            })
        errors = [q for q in reqs if q["severity"] == "error"]
        if any(q["verdict"] == "fail" for q in errors):
            verdict = "not-conformant"
        elif any(q["verdict"] == "not-checked" for q in errors):
            verdict = "incomplete"
        else:
            verdict = "conformant"
        counts = {v: sum(1 for q in reqs if q["verdict"] == v) for v in ("pass", "fail", "not-checked")}
        from ..quality.document import file_sha256

        score = self._score(records)
        return {
            "report": "lancang/report/1",
            "verdict": verdict,
            "corpus": corpus,
            "manifest": str(manifest) if manifest is not None else None,
            "summary": {"records": records, "requirements": len(reqs), **counts,
                        "findings": sum(q["findings"] for q in reqs)},
            **({"score": score} if score is not None else {}),
            "requirements": reqs,
            **({"processing": self.processing} if getattr(self, "processing", None) else {}),
            "metrics": metrics,
            "signature": {
                "lancang": __version__,
                "created": now_iso(),
                "profiles": [p.signature() for p in self.profiles],
                "settings": {"max_findings": self.max_findings},
                # the content after gunzip (as signed metrics name it): JSONL hashed as it streams, other
                # formats in a pass of their own
                "corpus_sha256": self.corpus_sha256 if self.corpus_sha256 is not None else file_sha256(corpus),
                **({"files": [{"path": str(p), "sha256": file_sha256(p)} for p in self.treebank]}
                   if self.treebank else {}),
            },
        }


    def _score(self, records: int = 0) -> dict[str, Any] | None:
        """The score of the profile that declares one (standards/scoring.py), from its requirements' verdicts."""
        if self.scored is None:
            return None
        from .scoring import score

        own = [st for st in self.states if id(st.req) in {id(r) for r in self.scored.requirements}]
        shares = {st.req["id"]: 1 - st.failed_records / records for st in own if st.per_record and records}
        return score(self.scored.doc["scoring"], {st.req["id"]: st.verdict for st in own}, shares)


def _nothing_examined(st: ReqState, parsed: int, valid: int) -> str:
    """Why a record requirement examined no record (it is then not-checked, never a pass)."""
    if parsed == 0:
        return msg("reason.no-records")
    if valid == 0:
        return msg("reason.no-valid-records", parsed=parsed)
    rule = st.rule
    what = rule.looks_at.format_map(_Blank(st.params)) if rule is not None and rule.looks_at else "what it checks"
    return tagged(f"none of the {valid} valid records has {what}, so nothing was examined", "reason.nothing-examined",
                  valid=valid, rule=rule.id if rule is not None else "", layer=st.params.get("layer"), detail=what)


def schema_message(text: str, keyword: str, doc: Any, ptr: str) -> Any:
    """A JSON Schema error as a catalog message: the missing property's name for ``required``, the value at the
    pointer when it is a short scalar, else the keyword alone (the English is the schema engine's)."""
    from .rules import _get

    if keyword == "required":
        m = re.match(r"^['\"](.+)['\"] is a required property$", text)
        if m:
            return tagged(text, "schema.required", keyword=keyword, name=m.group(1), detail=text)
    value = _get(doc, ptr) if doc is not None else None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool) and len(str(value)) <= 60:
        return tagged(text, "schema.value", keyword=keyword, value=value, detail=text)
    return tagged(text, "schema", keyword=keyword, detail=text)


def _missing_pointer(parent: str, message: str) -> str:
    """The pointer of a missing metric from a ``required`` error (``'kappa' is a required property`` at
    ``/agreement``)."""
    m = re.match(r"^['\"](.+)['\"] is a required property$", message)
    return f"{parent}/{m.group(1)}" if m else (parent or "/")


def inspections(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The inspection results of the metrics, each with its JSON pointer: ``inspections`` (several metrics
    files given to `check`), else ``inspection`` (one file)."""
    many = doc.get("inspections")
    if isinstance(many, list):
        return [(f"/inspections/{i}", x) for i, x in enumerate(many) if isinstance(x, dict) and "decision" in x]
    one = doc.get("inspection")
    return [("/inspection", one)] if isinstance(one, dict) and "decision" in one else []


def _reason_code(reason: Any) -> dict[str, Any]:
    """``reason_code`` and ``reason_params`` of a reason made from the message catalog (none for a plain one)."""
    code, params = code_of(reason)
    return {"reason_code": code, "reason_params": json_params(params or {})} if code else {}


class _Blank(dict):  # str.format_map: a parameter the text names but the requirement does not set
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _load_json(path: PathLike, what: str) -> Any:
    with open_input(path) as f:
        data = f.read(64 * 1024 * 1024)
    try:
        return orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        line = data[: exc.pos].count(b"\n") + 1 if isinstance(exc.pos, int) else "?"
        raise InputError(f"{path}:{line}: the {what} is not valid JSON: {exc.msg}") from None


#: the fields of a processing step a report repeats (counts and settings stay in the manifest)
_STEP_FIELDS = ("step", "tool", "version", "time", "duration", "records_in", "records_out", "inputs", "outputs",
                "description")


def _processing(doc: Any) -> list[dict[str, Any]]:
    """The manifest's processing log as a report shows it: every step, its evidence fields only."""
    if not isinstance(doc, dict) or not isinstance(doc.get("processing"), list):
        return []
    return [{k: s[k] for k in _STEP_FIELDS if k in s} for s in doc["processing"] if isinstance(s, dict)]


def load_metrics(path: PathLike) -> dict[str, Any]:
    doc = _load_json(path, "metrics file")
    if not isinstance(doc, dict):
        raise InputError(f"{path}: a metrics file is a JSON object")
    return doc


#: the signature of a metrics document (quality.document.metrics_document); the rest are its parts
_SIGNATURE = ("metrics", "lancang", "command", "created", "settings", "inputs")


def merge_metrics(docs: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Several metrics documents as one: their parts side by side, every ``inspection`` in ``inspections``
    (the first also as ``inspection``), and each document's signature in ``documents``. A part other than an
    inspection given twice is a usage error (which of the two would count?)."""
    if len(docs) == 1:
        return docs[0][1]
    out: dict[str, Any] = {"documents": []}
    owner: dict[str, str] = {}
    for path, doc in docs:
        out["documents"].append({"path": path, **{k: doc[k] for k in _SIGNATURE if k in doc}})
        for key, part in doc.items():
            if key in _SIGNATURE:
                continue
            if key == "inspection":
                out.setdefault("inspections", []).append(part)
                out.setdefault("inspection", part)
            elif key in owner:
                raise UsageError(f"{path}: the metrics part {key!r} is also in {owner[key]}: give it once")
            else:
                owner[key], out[key] = path, part
    return out


def prepare(corpus: PathLike, profiles: Sequence[Profile], metrics: PathLike | Sequence[PathLike] | None = None,
            max_findings: int = 100, from_format: str | None = None, langs: Sequence[str] | None = None,
            options: dict[str, Any] | None = None) -> tuple[Checker, dict[str, Any] | None]:
    """The checker of a check and its metrics: ``metrics`` is one metrics file or several (e.g. a manual and
    an automated inspection, an accuracy and an agreement document), each verified against the corpus."""
    m = None
    single = isinstance(metrics, (str, bytes)) or hasattr(metrics, "__fspath__")
    paths = [] if metrics is None else [metrics] if single else list(metrics)  # type: ignore[arg-type]
    if paths:
        from ..quality.document import file_sha256, verify_inputs

        digest = file_sha256(corpus)
        docs = []
        for path in paths:
            doc = load_metrics(path)
            verify_inputs(doc, digest, str(path), str(corpus))
            docs.append((str(path), doc))
        m = merge_metrics(docs)
    return Checker(profiles, max_findings, from_format, langs, options), m


def check(corpus: PathLike, profiles: Sequence[Profile], manifest: PathLike | None = None,
          metrics: PathLike | Sequence[PathLike] | None = None, max_findings: int = 100,
          from_format: str | None = None, langs: Sequence[str] | None = None,
          options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check a corpus against profiles, in one process (:func:`prepare`, then :meth:`Checker.run`);
    :func:`lancang.pipeline.oneoff.check_file` is the same check on several worker processes."""
    checker, m = prepare(corpus, profiles, metrics, max_findings, from_format, langs, options)
    return checker.run(corpus, manifest, m)


__all__ = ["Checker", "check", "inspections", "load_metrics", "merge_metrics", "merge_parts", "prepare"]
