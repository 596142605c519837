"""The steps of a pipeline on one shard, each the library function its verb calls, and the exact merge
of their metrics across shards.

Every step reads a lancang JSONL file and writes one (measuring steps pass their input on); its
metrics are plain JSON counts that add up across shards (:func:`merge_metrics`), so the merged
metrics of a sharded run equal those of one run over the whole input.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from .spec import MEASURING, annotate_config

_local = threading.local()


def built_pipeline(step: Mapping[str, Any], run_time: str | None) -> Any:
    """The annotator pipeline of ``step``, built once per worker (process, or thread under Dask's
    in-process workers) from its configuration, never pickled."""
    from ..annotators.pipeline import Pipeline
    from .spec import canonical

    cache = getattr(_local, "pipelines", None)
    if cache is None:
        cache = _local.pipelines = {}
    key = canonical([{k: v for k, v in step.items() if k != "name"}, run_time])
    p = cache.get(key)
    if p is None:
        p = Pipeline.build(annotate_config(dict(step)))
        if run_time is not None:
            p.time = run_time  # every layer of the run carries the run's time, whichever worker made it
        cache[key] = p
    return p


def run_step(step: Mapping[str, Any], source: Path, target: Path, rejects: Path, run_time: str | None,
             fitted: Mapping[str, Any] | None = None) -> tuple[Path, dict[str, Any]]:
    """Run one step of one shard: (the file the next step reads, the step's metrics). ``fitted`` is what a
    clean step's corpus filters learnt in the global phase (:func:`lancang.pipeline.fit.fit_clean`)."""
    kind = step["step"]
    t0 = time.perf_counter()
    out = source if kind in MEASURING else target
    if kind == "annotate":
        from ..annotators.pipeline import annotate_file

        st = annotate_file(source, target, built_pipeline(step, run_time), batch_size=step.get("batch_size", 64))
        counts = {"in": st.records, "out": st.records, "rejected": 0}
        detail = st.to_dict()
    elif kind == "clean":
        from ..processing.clean import clean_file
        from .decided import decided_duplicates

        with decided_duplicates((fitted or {}).get("decided"), (fitted or {}).get("part", 0)):
            cs = clean_file(source, target, rejects=rejects,
                            config=fitted["filters"] if fitted else step.get("filters"),
                            states=fitted["states"] if fitted else None, batch_size=step.get("batch_size", 1000))
        counts = {"in": cs.records, "out": cs.kept, "rejected": cs.rejected}
        detail = cs.to_dict()
    elif kind == "align":
        detail = _align(step, source, target, fitted, run_time)
        n = max(d["records"] for d in detail.values())
        counts = {"in": n, "out": n, "rejected": 0}
    elif kind == "mask":
        from ..processing.mask import mask_file

        ms = mask_file(source, target, strategy=step.get("strategy", "redact"), types=step.get("types"),
                       config=step.get("detectors"), key_file=step.get("key_file"), time=run_time)
        counts = {"in": ms.records, "out": ms.records, "rejected": 0}
        detail = ms.to_dict()
        detail.pop("locations", None)  # per-shard line numbers; the counts are what merges
        detail.pop("locations_truncated", None)
    elif kind == "validate":
        detail = _validate(source, step.get("engine", "rs"))
        counts = {"in": detail["records"], "out": detail["records"], "rejected": 0}
    elif kind == "check":
        detail = _check(source, step)
        counts = {"in": detail["records"], "out": detail["records"], "rejected": 0}
    elif kind == "stats":
        detail = _stats(source)
        counts = {"in": detail["records"], "out": detail["records"], "rejected": 0}
    else:  # spec.check_plan lets nothing else through
        raise InputError(f"step {kind!r} does not run on a shard")
    return out, {"step": kind, **counts, "seconds": time.perf_counter() - t0, "detail": detail}


def _align(step: Mapping[str, Any], source: Path, target: Path, fitted: Mapping[str, Any] | None,
           run_time: str | None) -> dict[str, Any]:
    """An align step on one shard: the verb's functions with the model of the global phase (or the step's
    saved word model), the links stamped with the run's time; the per-shard model summary is left out
    (the model is the run's, in run.json)."""
    import orjson

    from ..annotators.align.records import align_sentences_file, align_words_file
    from ..annotators.align.sentence import SentenceModel

    fitted = fitted or {}
    detail: dict[str, Any] = {}
    cur = source
    if step.get("sentences"):
        model = (SentenceModel.from_dict(orjson.loads(Path(fitted["sentence_model"]).read_bytes()))
                 if fitted.get("sentence_model") else None)
        mid = target.with_name(target.stem + "-beads.jsonl") if step.get("words") else target
        d = align_sentences_file(source, mid, step.get("src"), step.get("tgt"), step.get("sentence_aligner", "lancang"),
                                 step.get("sentence_config"), step.get("split", False), step.get("replace", False),
                                 fmt="jsonl", model=model, time=run_time)
        d.pop("model", None)
        d.pop("lexicon_entries", None)
        detail["sentences"] = d
        cur = mid
    if step.get("words"):
        detail["words"] = align_words_file(cur, target, step.get("src"), step.get("tgt"),
                                           model_dir=step.get("model") or fitted["word_model"],
                                           symmetrize=step.get("symmetrize"), replace=step.get("replace", False),
                                           fmt="jsonl", time=run_time)
    return detail


def train_align(step: Mapping[str, Any], source: str, folder: Path, fmt: str | None) -> dict[str, Any]:
    """The global phase of an align step whose aligners learn from the whole corpus: the sentence model
    (:func:`~lancang.annotators.align.records.fit_sentences`, saved as JSON) and the word model (``lancang
    align --words --save-model`` on the input; its alignment of the input is not kept), both in ``folder``."""
    import orjson

    from ..annotators.align.records import align_words_file, fit_sentences
    from .shards import fresh_dir

    fresh_dir(folder)
    out: dict[str, Any] = {}
    if "sentences" in step["train"]:
        model = fit_sentences(source, step.get("src"), step.get("tgt"), step.get("sentence_aligner", "lancang"),
                              step.get("sentence_config"), step.get("split", False), fmt=fmt)
        (folder / "sentences.json").write_bytes(orjson.dumps(model.to_dict()))
        out["sentence_model"] = str(folder / "sentences.json")
    if "words" in step["train"]:
        align_words_file(source, folder / "trained.jsonl", step.get("src"), step.get("tgt"),
                         step.get("word_aligner", "gibbs"), step.get("word_config"), save_model=folder / "words",
                         symmetrize=step.get("symmetrize"), fmt=fmt)
        (folder / "trained.jsonl").unlink()
        out["word_model"] = str(folder / "words")
    return out


def _validate(source: Path, engine: str) -> dict[str, Any]:
    from collections import Counter

    from ..schemas.validator import validate_files

    rules: Counter[str] = Counter()
    total: dict[str, Any] = {"records": 0, "valid": 0, "errors": 0, "warnings": 0, "unreadable": 0}
    for report, findings in validate_files([str(source)], engine=engine):
        for f in findings:
            rules[f.rule] += 1
        if report.unusable:
            raise InputError(report.unusable)
        for k in total:
            total[k] += getattr(report, k)
    return {**total, "rules": dict(sorted(rules.items()))}


def _check(source: Path, step: Mapping[str, Any]) -> dict[str, Any]:
    """A check step's record pass over ``source`` (:meth:`lancang.standards.checker.Checker.part`): its part
    state, with the counts and without the findings (the run's metrics hold counts); :func:`merge_check`
    merges the shards' states and finishes the check, as ``lancang check`` in parts does. A check whose
    rules decide over the whole corpus (duplicates) runs once, on the whole output (``phase: global``)."""
    from ..standards.checker import Checker
    from ..standards.profiles import load_profile

    checker = Checker([load_profile(p) for p in step["profiles"]])
    checker.start(source, step.get("manifest"), judge_manifest=False)
    state = checker.part(source)
    if state["keys"] and not step.get("phase") == "global":
        raise InputError(f"check: {', '.join(st.key for st in checker.record_states if hasattr(st.runner, 'key_of'))}"
                         " decide over the whole corpus and run once on the whole output, not on a shard")
    for r in state["reqs"]:
        r["shown"] = []
    return {"records": state["metrics"]["records"], "profiles": list(step["profiles"]),
            "manifest": step.get("manifest"), "corpus": str(source), "state": state}


def _stats(source: Path) -> dict[str, Any]:
    from ..corpora.jsonl import read_records
    from ..corpora.stats import corpus_stats

    st = corpus_stats(source)
    d = st.to_dict()
    first = next(iter(read_records(source)), None) if st.records else None
    # documents are counted where ``doc`` changes: the merge needs the ends of each shard
    d["_doc_ends"] = [first.get("doc") if first else None, st._last_doc if st.records else None]
    return d


# ------------------------------------------------------------------------------------- merging

def add_counts(a: Any, b: Any) -> Any:
    """Sum two JSON documents of counts: numbers add, objects add key by key; anything else must agree
    (a label, a strategy, a filter list)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a or b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a + b
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = add_counts(out[k], v) if k in out else v
        return out
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, dict) for x in a + b):
        # rows keyed by what is not a count (a filter; a layer, language and annotator)
        def key(x: dict[str, Any]) -> tuple[Any, ...]:
            return tuple((k, v) for k, v in x.items() if not isinstance(v, (int, float, dict, list)))

        by = {key(x): x for x in a}
        for x in b:
            by[key(x)] = add_counts(by[key(x)], x) if key(x) in by else x
        return list(by.values())
    return a if a == b or b is None else b if a is None else a


def merge_stats(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """``lancang stats`` of the whole from the stats of its consecutive shards (exact: a document that
    runs over a shard boundary is counted once)."""
    out: dict[str, Any] = {}
    prev_last: Any = object()
    for d in parts:
        d = dict(d)
        first, last = d.pop("_doc_ends", [None, None])
        if d.get("records") and first is not None and first == prev_last:
            d["documents"] -= 1
        if d.get("records"):
            prev_last = last
        out = add_counts(out, d) if out else d
    # the orders lancang stats uses
    for key in ("labels", "bead_types"):
        out[key] = dict(sorted(out.get(key, {}).items(), key=lambda kv: -kv[1]))
    out["labels_by_language"] = {k: dict(sorted(v.items(), key=lambda kv: -kv[1]))
                                 for k, v in sorted(out.get("labels_by_language", {}).items())}
    for key in ("languages", "layers", "provenance", "links", "sides_per_record"):
        out[key] = dict(sorted(out.get(key, {}).items()))
    return out


def merge_check(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The check of the whole from its shards' part states (:func:`_check`), merged in input order and
    finished as ``lancang check`` finishes (:func:`lancang.standards.checker.merge_parts`, ``Checker.finish``):
    the manifest judged once, corpus metrics and rule rates over all records, the verdicts and the score of
    the whole. The summary: the verdict, records, findings, and every requirement's verdict, severity and
    number of findings."""
    from ..standards.checker import Checker, merge_parts
    from ..standards.profiles import load_profile

    first = parts[0]
    checker = Checker([load_profile(p) for p in first["profiles"]])
    # the manifest's evidence names the checked corpus: the file the step read (a shard's copy is gone)
    checker.start(first["corpus"], first["manifest"])
    state = merge_parts([d["state"] for d in parts])
    state["sha256"] = first["state"]["sha256"] if len(parts) == 1 else ""  # (a summary has no signature)
    rep = checker.finish(state)
    reqs = {f"{r['profile']}/{r['id']}": {"verdict": r["verdict"], "severity": r["severity"], "findings": r["findings"]}
            for r in rep["requirements"]}
    return {"verdict": rep["verdict"], "records": rep["summary"]["records"], "findings": rep["summary"]["findings"],
            "requirements": reqs}


def merge_step(kind: str, details: list[dict[str, Any]]) -> dict[str, Any]:
    if kind == "stats":
        return merge_stats(details)
    if kind == "check":
        return merge_check(details)
    out: dict[str, Any] = {}
    for d in details:
        out = add_counts(out, d) if out else dict(d)
    if kind == "clean" and details:
        out["learnt"] = details[0]["learnt"]  # learnt once, in the global phase: the same on every shard
        # the pseudo-filter "record" leads its rows (CleanStats.to_dict) even when a later shard brought it
        out["filters"] = sorted(out["filters"], key=lambda row: row["filter"] != "record")
    return out


def merge_metrics(shards: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per step, the shards' metrics (in input order) merged: counts summed, seconds summed (work time)."""
    if not shards:
        return []
    merged = []
    for i, first in enumerate(shards[0]):
        rows = [s[i] for s in shards]
        merged.append({"step": first["step"], "in": sum(r["in"] for r in rows), "out": sum(r["out"] for r in rows),
                       "rejected": sum(r["rejected"] for r in rows), "seconds": sum(r["seconds"] for r in rows),
                       "detail": merge_step(first["step"], [r["detail"] for r in rows])})
    return merged
