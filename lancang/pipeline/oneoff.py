"""One-off verbs on several cores: ``lancang annotate|clean|validate --jobs N``.

The input, a lancang JSONL file (``.jsonl``, ``.jsonl.gz``), is cut into line ranges by the shard scan
of ``lancang run`` (:func:`lancang.pipeline.shards.scan`); every range runs the verb's own library
function in a worker of the executor registry's ``local`` pool (:func:`lancang.pipeline.executors.run_local`,
through :func:`lancang.pipeline.worker.run_shard`: the pool of ``lancang run``, not a second one); the
parent puts the parts together in input order and merges the counts exactly. The output is the same
bytes for any ``jobs``: ``jobs=1``, an input read from stdin and an input in another format run the
verb in this process, as before.

Whole-corpus work stays whole: clean's corpus filters learn from the whole input first (the global
phase of ``lancang run``); a record id repeated anywhere in the input stops a run in parts before any
work (clean and annotate refuse it, as the verbs refuse or reject it; validate falls back to one
process for that file so its duplicate-id findings are the verb's own).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from ..errors import LancangError, UsageError
from .parts import concat, part_dir, part_input, run_parts, workspace
from .shards import BLOCK, Shard, _open, fresh_dir, is_jsonl, scan

#: a part is at least this many records (a worker's start and a part's copy cost about as much as
#: annotating a few hundred records) ...
MIN_SHARD_RECORDS = 250
#: ... and otherwise the input is cut into this many parts per worker, so a slow part does not leave
#: the other workers idle at the end
SHARDS_PER_JOB = 4

PathLike = str | os.PathLike


def splits(path: PathLike, fmt: str | None = None) -> bool:
    """Whether ``path`` is cut into parts under ``--jobs``: a lancang JSONL file (not stdin)."""
    return str(path) != "-" and is_jsonl(str(path), fmt) and Path(path).is_file()


def count_lines(path: PathLike) -> int:
    n = 0
    last = b"\n"
    with _open(str(path)) as f:
        while block := f.read(BLOCK):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n")


def parts_of(path: PathLike, jobs: int) -> list[Shard]:
    """The line ranges of ``path`` for ``jobs`` workers (:data:`SHARDS_PER_JOB` each, at least
    :data:`MIN_SHARD_RECORDS` records)."""
    per = max(MIN_SHARD_RECORDS, -(-count_lines(path) // (jobs * SHARDS_PER_JOB)))
    return scan([str(path)], per, "jsonl")


def _plain_jsonl(target: PathLike, out_format: str | None, write_options: Mapping[str, Any] | None) -> bool:
    """Whether the verb's writer would write ``target`` as lancang JSONL lines, so the parts' bytes,
    concatenated, are the verb's output."""
    from ..corpora.formats import format_for_path

    if write_options:
        return False
    fmt = out_format or ("jsonl" if str(target) == "-" or format_for_path(target) is None
                         else format_for_path(target).name)
    return fmt == "jsonl"


def write_parts(parts: list[Path], target: PathLike, out_format: str | None, langs: Any,
                write_options: Mapping[str, Any] | None) -> None:
    """The parts (lancang JSONL) as the verb's output: concatenated, or through the writer of another format."""
    if _plain_jsonl(target, out_format, write_options):
        concat(parts, target)
        return
    from ..corpora.formats import read_corpus, write_corpus

    records = (rec for p in parts for rec in read_corpus(p, "jsonl"))
    write_corpus(records, target, out_format, langs, **dict(write_options or {}))


def _refuse_repeated_ids(parts: list[Shard], verb: str, jobs: int) -> None:
    from .dedup import repeated_id

    dup = repeated_id(parts, jobs)
    if dup is not None:
        raise UsageError(f"record id {dup[0]!r} is in {dup[1]} and again in {dup[2]}: ids are unique in a corpus; "
                         f"`lancang validate` lists the repeated ids (or run {verb} with --jobs 1)")


# ------------------------------------------------------------------------------------ annotate

def annotate_file(source: PathLike, target: PathLike, pipeline: Any, batch_size: int = 64,
                  progress: Callable[[int], None] | None = None, *, jobs: int = 1, fmt: str | None = None,
                  langs: Any = None, options: dict[str, Any] | None = None, out_format: str | None = None,
                  write_options: dict[str, Any] | None = None, manifest: PathLike | None = None) -> Any:
    """:func:`lancang.annotators.pipeline.annotate_file` on ``jobs`` workers: the same output and stats.
    Every worker builds the annotators from ``pipeline``'s configuration and stamps ``pipeline.time``."""
    import dataclasses

    from ..annotators.pipeline import Stats
    from ..annotators.pipeline import annotate_file as annotate_one
    from ..corpora.manifest import ProcessingLog

    if jobs <= 1 or not splits(source, fmt):
        return annotate_one(source, target, pipeline, batch_size, progress, fmt=fmt, langs=langs, options=options,
                            out_format=out_format, write_options=write_options, manifest=manifest)
    log = ProcessingLog(manifest, "annotate")
    parts = parts_of(source, jobs)
    _refuse_repeated_ids(parts, "annotate", jobs)
    stats = Stats()
    args = {"config": pipeline.cfg.to_dict(), "time": pipeline.time, "batch_size": batch_size,
            "options": dict(options or {})}
    with workspace() as folder:
        done = _counter(progress, parts)
        results = run_parts(f"{__name__}:_annotate_part", parts, jobs, args, folder, done)
        for res in results:
            stats.records += res["records"]
            for layer, lang, name, *counts in res["made"]:
                row = stats.made[(layer, lang, name)]
                for i, c in enumerate(counts):
                    row[i] += c
            stats.kept.update(res["kept"])
        write_parts([part_dir({"output": folder}, p) / "part.jsonl" for p in parts], target, out_format, langs,
                    write_options)
    if log:
        log.append(step="annotation", settings=dataclasses.asdict(pipeline.cfg), counts=stats.to_dict(),
                   inputs=[source], outputs=[target], records_in=stats.records, records_out=stats.records)
    return stats


def _annotate_part(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    from ..annotators.pipeline import annotate_file as annotate_one
    from .steps import built_pipeline

    a = plan["args"]
    src = part_input(plan, sh)
    st = annotate_one(src, part_dir(plan, sh) / "part.jsonl", built_pipeline(a["config"], a["time"]),
                      a["batch_size"], fmt="jsonl", options=a["options"])
    return {"index": sh.index, "records": st.records, "kept": dict(st.kept),
            "made": [[*k, *v] for k, v in st.made.items()]}


def _counter(progress: Callable[..., None] | None, parts: list[Shard]) -> Callable[[dict[str, Any]], None] | None:
    """Records done, from the parts finished (a records counter fed a part at a time), and the total."""
    if progress is None:
        return None
    total = sum(p.lines for p in parts)
    done = [0]

    def tick(res: dict[str, Any]) -> None:
        done[0] += res.get("records", 0)
        progress(done[0], total)

    return tick


# ------------------------------------------------------------------------------------ clean

def clean_file(source: PathLike, target: PathLike, *, rejects: PathLike, config: Mapping[str, Any] | None = None,
               jobs: int = 1, fmt: str | None = None, langs: Any = None, options: Mapping[str, Any] | None = None,
               out_format: str | None = None, write_options: Mapping[str, Any] | None = None,
               manifest: PathLike | None = None, batch_size: int = 1000,
               progress: Callable[[int], None] | None = None, **one: Any) -> Any:
    """:func:`lancang.processing.clean.clean_file` on ``jobs`` workers: the same kept records, rejects,
    counts and processing-log step. The corpus filters learn from the whole input first (a global phase,
    as ``lancang run`` has them), then every part is cleaned with what they learnt. Scores files
    (``from_scores``, ``scores`` in ``one``) belong to the whole file: they run in one process."""
    from ..corpora.manifest import ProcessingLog
    from ..processing.clean import CleanStats, build_filters
    from ..processing.clean import clean_file as clean_one

    if jobs <= 1 or not splits(source, fmt) or any(v is not None for v in one.values()):
        return clean_one(source, target, rejects=rejects, config=config, fmt=fmt, langs=langs, options=options,
                         out_format=out_format, write_options=write_options, manifest=manifest,
                         batch_size=batch_size, progress=progress, **one)
    log = ProcessingLog(manifest, "clean")
    filters = build_filters(config)
    try:
        kinds = {f.name: f.kind for f in filters}
        settings = filters
        stream = [n for n, k in kinds.items() if k == "stream" and n != "duplicates"]
        if stream:
            raise UsageError(f"filter {', '.join(stream)} decides in input order over the whole corpus and does "
                             f"not run in parts: switch it off (--set {stream[0]}=false) or use --jobs 1")
        parts = parts_of(source, jobs)
        _refuse_repeated_ids(parts, "clean", jobs)
        with workspace() as folder:
            from .fit import fit_clean

            fit = [n for n, k in kinds.items() if k == "corpus" or n == "duplicates"]
            # the global phase: corpus filters learn and duplicates decide over the whole input, in the pool
            fitted = (fit_clean({"filters": dict(config or {}), "fit": fit}, [str(source)], folder / "fit", "jsonl",
                                langs, parts=parts, jobs=jobs, work=folder / "dedup", options=options)
                      if fit else {"states": None, "filters": dict(config or {})})
            args = {"filters": fitted["filters"], "states": fitted["states"], "batch_size": batch_size,
                    "options": dict(options or {}), "decided": fitted.get("decided")}
            results = run_parts(f"{__name__}:_clean_part", parts, jobs, args, folder, _counter(progress, parts))
            stats = CleanStats(filters=[f.name for f in filters])
            for res in results:
                _add_clean(stats, res["stats"])
            dirs = [part_dir({"output": folder}, p) for p in parts]
            write_parts([d / "part.jsonl" for d in dirs], target, out_format, langs, write_options)
            concat([d / "rejects.jsonl" for d in dirs], rejects)
        if log:
            from ..processing.clean import log_steps

            log_steps(log, stats, settings, source, [target, rejects], {})
        return stats
    finally:
        for f in filters:
            f.close()


def _add_clean(stats: Any, part: Mapping[str, Any]) -> None:
    """Add one part's clean counts to ``stats`` (keys in the order they first appear, as one run has them)."""
    from .steps import add_counts

    for k in ("records", "kept", "rejected", "repaired_records"):
        setattr(stats, k, getattr(stats, k) + part[k])
    for k in ("rejected_by", "only_by", "repairs"):
        setattr(stats, k, add_counts(getattr(stats, k), part[k]) if getattr(stats, k) else dict(part[k]))
    stats.learnt = part["learnt"]  # learnt once, in the global phase: the same in every part


def _clean_part(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    import dataclasses

    from ..processing.clean import clean_file as clean_one
    from .decided import decided_duplicates

    a = plan["args"]
    src = part_input(plan, sh)
    d = part_dir(plan, sh)
    with decided_duplicates(a["decided"], sh.index):
        st = clean_one(src, d / "part.jsonl", rejects=d / "rejects.jsonl", config=a["filters"], states=a["states"],
                       fmt="jsonl", options=a["options"], batch_size=a["batch_size"])
    return {"index": sh.index, "records": st.records, "stats": dataclasses.asdict(st)}


# ------------------------------------------------------------------------------------ validate

def validate_files(paths: list[str], *, manifests: list[str] | None = None, engine: str = "rs", jobs: int = 1,
                   progress: Callable[[int], None] | None = None, fmt: str | None = None, langs: Any = None,
                   options: dict[str, Any] | None = None,
                   media_root: Any = None) -> Iterator[tuple[Any, Iterator[Any]]]:
    """:func:`lancang.schemas.validator.validate_files` with every JSONL corpus validated in parts on ``jobs``
    workers: the same reports and the same findings in the same order. A file that repeats a record id
    is validated in one process (its duplicate-id findings name lines of the whole file)."""
    from ..schemas.validator import is_manifest_path
    from ..schemas.validator import validate_files as validate_all
    from .dedup import repeated_id

    given = list(manifests or [])
    # every part is checked against the manifests' languages and people, as the whole file is
    every = given + [p for p in paths if is_manifest_path(p) and p not in given]
    for report, findings in validate_all(paths, manifests=given, engine=engine, progress=progress, fmt=fmt,
                                         langs=langs, options=options, media_root=media_root):
        # media checks read each media file once, in one process (a recording's utterances are consecutive)
        if (jobs <= 1 or media_root is not None or report.kind != "records" or report.unusable
                or not splits(report.path, fmt)):
            yield report, findings
            continue
        parts = parts_of(report.path, jobs)
        if len(parts) < 2 or repeated_id(parts, jobs) is not None:
            yield report, findings
            continue
        findings.close()  # not started: the file is read by the parts instead
        yield _validate_parts(report, parts, jobs, every, engine, options, progress)


def _validate_parts(report: Any, parts: list[Shard], jobs: int, manifests: list[str], engine: str,
                    options: dict[str, Any] | None, progress: Callable[[int], None] | None
                    ) -> tuple[Any, Iterator[Any]]:
    from ..findings import Finding

    folder_cm = workspace()
    folder = folder_cm.__enter__()
    try:
        args = {"manifests": manifests, "engine": engine, "options": dict(options or {}), "path": report.path}
        results = run_parts(f"{__name__}:_validate_part", parts, jobs, args, folder, _counter(progress, parts))
    except BaseException as exc:
        folder_cm.__exit__(type(exc), exc, exc.__traceback__)
        if isinstance(exc, LancangError):
            report.unusable = str(exc)
            return report, iter(())
        raise
    for res in results:
        for k in ("records", "unreadable", "valid", "errors", "warnings"):
            setattr(report, k, getattr(report, k) + res["counts"][k])

    def findings() -> Iterator[Finding]:
        try:
            for p in parts:
                with open(part_dir({"output": folder}, p) / "findings.jsonl", "rb") as f:
                    for line in f:
                        yield Finding(**orjson.loads(line))
        finally:
            folder_cm.__exit__(None, None, None)

    return report, findings()


def _validate_part(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    from ..corpora.io import atomic_output
    from ..errors import InputError
    from ..schemas.validator import validate_files as validate_all

    a = plan["args"]
    src = part_input(plan, sh)
    shift = sh.line - 1
    counts: dict[str, int] = {}
    with atomic_output(part_dir(plan, sh) / "findings.jsonl") as out:
        for report, findings in validate_all([str(src)], manifests=a["manifests"], engine=a["engine"], fmt="jsonl",
                                             options=a["options"]):
            if report.kind != "records":
                for _ in findings:
                    pass
                continue
            for f in findings:
                f.file = a["path"]
                if f.line is not None:
                    f.line += shift
                out.write(orjson.dumps(f.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
            if report.unusable:
                raise InputError(report.unusable)
            counts = {k: getattr(report, k) for k in ("records", "unreadable", "valid", "errors", "warnings")}
    return {"index": sh.index, "records": counts["records"], "counts": counts}


# ------------------------------------------------------------------------------------ check

def check_file(corpus: PathLike, profiles: Any, manifest: PathLike | None = None, metrics: Any = None,
               max_findings: int = 100, from_format: str | None = None, langs: Any = None,
               options: Mapping[str, Any] | None = None, *, jobs: int = 1) -> dict[str, Any]:
    """``lancang check``: :func:`lancang.standards.checker.check` on ``jobs`` worker processes for a lancang
    JSONL corpus cut into line ranges (:func:`check_parts`); other inputs, and ``jobs`` 1, in one process.
    The report is the same for any ``jobs``."""
    from ..standards.checker import prepare

    checker, m = prepare(corpus, profiles, metrics, max_findings, from_format, langs,
                         dict(options) if options is not None else None)
    if jobs > 1:
        rep = check_parts(checker, corpus, manifest=manifest, metrics=m, jobs=jobs)
        if rep is not None:
            return rep
    return checker.run(corpus, manifest, m)


def check_parts(checker: Any, corpus: PathLike, *, manifest: PathLike | None = None,
                metrics: dict[str, Any] | None = None, jobs: int = 1,
                progress: Callable[[int], None] | None = None) -> dict[str, Any] | None:
    """``checker.run`` (:class:`lancang.standards.checker.Checker`) on ``jobs`` workers: the same report,
    or None when the corpus is not cut into parts (not a lancang JSONL file, stdin, fewer than two parts,
    a gzip stream that cannot be read to its end: :meth:`Checker.run` then reads it as it reads any input).

    The parent starts the check (the manifest judged once), every part runs the record pass on its lines
    (:meth:`Checker.part`, the corpus's own line numbers), the parent merges the part states in input order
    (:func:`lancang.standards.checker.merge_parts`) and finishes: the duplicate rules' keys added to one
    index in input order, truncation to ``max_findings``, metrics, verdicts and score over the whole. The
    corpus's sha256 is taken in the pass that counts its lines."""
    import zlib

    from ..errors import InputError
    from ..standards.checker import merge_parts

    if jobs <= 1 or not splits(corpus, None if checker.from_format is None else checker.from_format.name):
        return None
    try:
        lines, sha256 = _count_and_hash(corpus)
        per = max(MIN_SHARD_RECORDS, -(-lines // (jobs * SHARDS_PER_JOB)))
        parts = scan([str(corpus)], per, "jsonl")
    except (InputError, OSError, EOFError, zlib.error):  # a corrupt gzip stream: one pass says where it stops
        return None
    if len(parts) < 2:
        return None
    from ..corpora.formats import check_options, get_format

    check_options(get_format("jsonl"), "reader", checker.options)  # as the one pass refuses them, before any part
    checker.start(corpus, manifest)
    args = {"profiles": checker.profiles, "max_findings": checker.max_findings, "options": checker.options,
            "manifest": None if manifest is None else str(manifest), "corpus": str(corpus)}
    with workspace() as folder:
        results = run_parts(f"{__name__}:_check_part", parts, jobs, args, folder, _counter(progress, parts))
        state = merge_parts([res["state"] for res in results])
        state["sha256"] = sha256
        return checker.finish(state, metrics)


def _count_and_hash(path: PathLike) -> tuple[int, str]:
    """:func:`count_lines` and the sha256 of the content (after gunzip), in one pass."""
    import hashlib

    h = hashlib.sha256()
    n = 0
    last = b"\n"
    with _open(str(path)) as f:
        while block := f.read(BLOCK):
            h.update(block)
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n"), h.hexdigest()


def _check_part(plan: Mapping[str, Any], sh: Shard) -> dict[str, Any]:
    from ..standards.checker import Checker

    a = plan["args"]
    checker = Checker(a["profiles"], a["max_findings"], "jsonl", None, a["options"])
    checker.start(a["corpus"], a["manifest"], judge_manifest=False)
    d = part_dir(plan, sh)
    src = _part_copy(sh, fresh_dir(d / "work") / "input.jsonl")
    # the copy's first line is a blank one when the part starts past the corpus's first line: its line 1 is
    # then what the readers treat as a file's first line (a BOM there, or a bad line that makes the whole
    # "not a JSONL corpus") and not one of the corpus's
    skip = int(sh.line > 1)
    state = checker.part(src, name=a["corpus"], shift=sh.line - 1 - skip, skip=skip, keys_dir=str(d))
    return {"index": sh.index, "records": state["records"], "state": state}


def _part_copy(sh: Shard, target: Path) -> Path:
    """The part's bytes in ``target`` (checked against the scan's hash), after a blank line when the part
    does not start at the corpus's first line."""
    import hashlib

    from ..errors import InputError

    h = hashlib.sha256()
    with _open(sh.path) as f, open(target, "wb") as out:
        if sh.line > 1:
            out.write(b"\n")
        if sh.start:
            f.seek(sh.start)
        left = sh.end - sh.start
        while left > 0 and (block := f.read(min(BLOCK, left))):
            h.update(block)
            out.write(block)
            left -= len(block)
    if h.hexdigest() != sh.sha256:
        raise InputError(f"{sh.path}: lines {sh.line}-{sh.line + sh.lines - 1} changed while they were checked "
                         "(sha256 differs); check it again")
    return target
