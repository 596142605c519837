"""Acceptance inspection of a corpus, the two steps a Python user or the CLI calls:

- :func:`sample_corpus` draws a reproducible review sample (GB/T 2828.1 or a fixed plan; with a
  switching history, the severity the GB/T 2828.1 §9 rules call for) from a corpus in any readable
  format, and writes it as JSONL or as Label Studio tasks;
- :func:`inspect_sample` decides on the lot from the reviewers' verdicts, verifies against the
  corpus that the reviewed records are the ones the seed draws (``corpus=``), records the lot in the
  switching history, and returns the signed metrics document.

The plans, the drawing and the tallying live in :mod:`lancang.quality.sampling`; the switching rules
and the history in :mod:`lancang.quality.switching`. This module only puts them in order.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..corpora.formats import write_corpus
from ..corpora.io import command_scope, guard_outputs
from ..corpora.jsonl import JsonlWriter, PathLike, is_stdio
from ..corpora.manifest import ProcessingLog
from ..errors import InputError, UsageError
from . import sampling as smp
from . import switching as sw
from .document import metrics_document

SAMPLE_FORMATS = ("jsonl", "labelstudio")


def _plan(lot_size: int, aql: Any, level: str, severity: str, count: str, fixed: str | None) -> smp.Plan:
    if (aql is None) == (fixed is None):
        raise UsageError("give either --aql (a GB/T 2828.1 plan) or --plan NAME (a fixed plan)")
    if fixed is not None:
        return smp.fixed_plan(lot_size, fixed, count=count)
    return smp.gb2828_plan(lot_size, aql, level, severity, count)


def _lot_size(corpus: PathLike, reading: dict[str, Any]) -> int:
    n = smp.count_records(corpus, **reading)
    if n == 0:
        raise InputError(f"{corpus}: the corpus has no records: there is nothing to sample (lot size 0)")
    return n


@command_scope()  # stdin and pipes replayed for a second pass; no output may be an input
def sample_corpus(corpus: PathLike | None, output: PathLike | None, *, aql: Any = None, level: str | None = None,
                  severity: str | None = None, count: str | None = None, plan: str | None = None,
                  seed: int | None = None, lot_size: int | None = None, plan_only: bool = False,
                  history: PathLike | None = None, allow_reduced: bool = False, force_severity: bool = False,
                  resume: bool = False, fmt: str | None = None, langs: Any = None,
                  options: dict[str, Any] | None = None, out_format: str = "jsonl",
                  manifest: PathLike | None = None, config_out: PathLike | None = None,
                  defects: Any = None) -> dict[str, Any]:
    """Draw a reproducible acceptance-inspection sample of ``corpus`` into ``output`` (or, with
    ``plan_only``, only work out the plan).

    The plan is GB/T 2828.1 (``aql``, ``level``, ``severity``, ``count``) or a fixed plan (``plan``,
    a name of :func:`sampling.fixed_plans`). With ``history`` the AQL, level and count default to the
    history's and the severity follows the switching rules (``allow_reduced``, ``force_severity``,
    ``resume`` are the responsible authority's inputs). ``fmt``, ``langs`` and ``options`` say how to
    read the corpus (any readable format); standard input and pipes are replayed for the counting
    pass (the command scope of :mod:`lancang.corpora.io`). ``out_format`` is ``jsonl`` or ``labelstudio`` (one task
    per record with all its sides and links; ``meta.sample`` and ``meta.review`` in the task's ``meta``);
    ``config_out`` (labelstudio) gets the labelling configuration of those tasks, with the verdict choice and
    the defect types ``defects`` (default: the Label Studio format's list).

    Returns ``{"plan": Plan or None, "switching": dict or None, "lot_size", "seed", "written", "output"}``
    (``plan`` is None for a plan-only look at a history without a lot size, or a discontinued one).
    """
    sw.check_flags(history, allow_reduced=allow_reduced, force_severity=force_severity, resume=resume)
    log = ProcessingLog(manifest, "sample")
    switch: dict[str, Any] | None = None
    if history is not None:
        if plan is not None:
            raise UsageError("--history runs the GB/T 2828.1 switching rules; it does not go with a fixed --plan")
        params, switch = sw.next_lot(history, aql=aql, level=level, count=count, severity=severity,
                                     allow_reduced=allow_reduced, force_severity=force_severity, resume=resume,
                                     plan_only=plan_only)
        aql, level, count, severity = params["aql"], params["level"], params["count"], params["severity"]
    level, count = level or "II", count or "nonconforming"
    reading = {"fmt": fmt, "langs": langs, "options": options}
    if plan_only:
        if output is not None:
            raise UsageError("--plan-only draws nothing: give no output file")
        the_plan = None
        if not (switch is not None and (switch["next_severity"] is None or (lot_size is None and corpus is None))):
            if lot_size is None:
                if corpus is None:
                    raise UsageError("--plan-only needs --lot-size N or a CORPUS to count")
                lot_size = _lot_size(corpus, reading)
            the_plan = _plan(lot_size, aql, level, severity or "normal", count, plan)
        return {"plan": the_plan, "switching": switch, "lot_size": lot_size, "seed": None, "written": None,
                "output": None}
    if out_format not in SAMPLE_FORMATS:
        raise UsageError(f"a sample is written as {' or '.join(SAMPLE_FORMATS)}, not {out_format}")
    if corpus is None or output is None:
        raise UsageError("give the CORPUS to sample and the OUT file to write (or --plan-only)")
    if config_out is not None and out_format != "labelstudio":
        raise UsageError("--config-out writes a Label Studio labelling configuration: use it with --format "
                         "labelstudio")
    if config_out is not None and is_stdio(output):
        raise UsageError("--config-out reads the tasks written: give the sample a file, not standard output")
    guard_outputs([corpus, history], [output] + ([config_out] if config_out is not None else []))
    if lot_size is None:  # a first pass (standard input and pipes are replayed in the command's scope)
        lot_size = _lot_size(corpus, reading)
    the_plan = _plan(lot_size, aql, level, severity or "normal", count, plan)
    if seed is None:
        seed = smp.new_seed()
    records = smp.draw(corpus, the_plan, seed, lot=switch["lots"] + 1 if switch is not None else None, **reading)
    if out_format == "jsonl":
        with JsonlWriter(output) as w:
            for rec in records:
                w.write(rec)
        written = w.count
    else:
        written = write_corpus((smp.review_task(r) for r in records), output, "labelstudio")
        if config_out is not None:
            from ..corpora.formats import labelstudio

            labelstudio.write_config(output, config_out, review=True,
                                     **({"defects": list(defects)} if defects is not None else {}))
    if log:
        log.append(step="sampling", settings={"plan": the_plan.to_dict(), "seed": seed, "format": out_format},
                   counts={"lot_size": lot_size, "sample_size": the_plan.sample_size, "written": written},
                   inputs=[corpus], outputs=[output], records_in=lot_size, records_out=written)
    return {"plan": the_plan, "switching": switch, "lot_size": lot_size, "seed": seed, "written": written,
            "output": str(output)}


@command_scope()  # stdin and pipes replayed for a second pass; no output may be an input
def inspect_sample(reviewed: PathLike, *, corpus: PathLike | None = None, history: PathLike | None = None,
                   allow_reduced: bool = False, force_severity: bool = False, resume: bool = False,
                   output: PathLike | None = None, fmt: str | None = None, langs: Any = None,
                   options: dict[str, Any] | None = None, manifest: PathLike | None = None,
                   method: str | None = None) -> dict[str, Any]:
    """Decide on a lot from a reviewed sample (JSONL or Label Studio tasks written by
    :func:`sample_corpus`, verdicts filled in) and return the signed metrics document
    (``inspection`` = :meth:`sampling.Inspection.to_dict`).

    ``corpus`` (read with ``fmt``, ``langs``, ``options``, as it was sampled): verify that it has the
    sample's lot size and that every reviewed record is one the sample's seed draws from it, at its
    position; the document's inputs then include the corpus, so ``lancang check CORPUS --metrics``
    accepts it. ``history``: check the lot against the switching history and append it. ``manifest``
    gets the review step (GB/T 40035 §6.3) appended to its processing log. ``method`` (``manual`` or
    ``automated``: how the verdicts were reached, by people or by keyword/classifier screening) is recorded as
    ``inspection.method``, so a profile with a plan per method (TC260-003 §9.2) takes each its own.
    """
    if method is not None and method not in METHODS:
        raise UsageError(f"inspection method {method!r}: one of {', '.join(METHODS)}")
    sw.check_flags(history, allow_reduced=allow_reduced, force_severity=force_severity, resume=resume)
    log = ProcessingLog(manifest, "inspect")
    if corpus is None and (fmt or langs or options):
        raise UsageError("--from, -I, --src and --tgt say how to read the corpus: give it with --corpus "
                         "(the reviewed sample's format is told by its name or content)")
    guard_outputs([reviewed, corpus], [history, output])
    if corpus is not None and is_stdio(corpus) and is_stdio(reviewed):
        raise UsageError("the reviewed sample and the corpus cannot both be standard input")
    sample_hash, corpus_hash = hashlib.sha256(), hashlib.sha256()
    check = (smp.DrawCheck(corpus, fmt=fmt, langs=langs, options=options, digest=corpus_hash)
             if corpus is not None else None)
    insp = smp.inspect(reviewed, check=check, digest=sample_hash)
    result = insp.to_dict()
    if method is not None:
        result["method"] = method
    if history is not None:
        result["switching"] = sw.record_lot(
            history, insp.plan, insp.defects, where=str(reviewed), drawn_for=insp.lot, allow_reduced=allow_reduced,
            force_severity=force_severity, resume=resume,
            sample={"path": str(reviewed), "source": insp.source, "seed": insp.seed, "digest": insp.sample_digest})
    inputs: list[Any] = [reviewed]
    digests: list[str | None] = [None if is_stdio(reviewed) else sample_hash.hexdigest()]
    if corpus is not None:
        inputs.append(corpus)
        digests.append(None if is_stdio(corpus) else corpus_hash.hexdigest())
    settings = {"seed": insp.seed, "verified": corpus is not None, **({"method": method} if method else {})}
    if log:
        log.append(step="review", settings={**settings, "plan": result["plan"]},
                   counts={"lot_size": result["lot_size"], "sample_size": result["sample_size"],
                           "reviewed": result["reviewed"], "defective": result["defective"],
                           "defects": result["defects"], "accepted": int(result["decision"] == "accept")},
                   inputs=inputs)
    return metrics_document("inspect", inputs=inputs, digests=digests, settings=settings, inspection=result)


#: how an inspected sample was reviewed: by people, or by automated screening (keywords, a classifier)
METHODS = ("manual", "automated")

__all__ = ["METHODS", "SAMPLE_FORMATS", "inspect_sample", "sample_corpus"]
