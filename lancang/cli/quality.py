"""``lancang sample``, ``lancang inspect`` and ``lancang agree``: acceptance sampling and agreement."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..corpora.jsonl import atomic_output
from ..errors import UsageError
from ..quality import acceptance as acc
from ..quality import agreement as agr
from ..quality import sampling as smp
from ..quality.scores import shown as _fmt
from .common import (
    Reading,
    handle_errors,
    input_options,
    json_bytes,
    manifest_option,
    output_option,
    transcript_options,
)


def _write_json(path: str, doc: Any) -> None:
    with atomic_output(path, "wb") as f:
        f.write(json_bytes(doc))


# ------------------------------------------------------------------------------------------ sample

def render_plan(p: smp.Plan) -> str:
    """A plan as a few lines of text."""
    if p.scheme == "gb-t-2828.1":
        head = (f"{smp.STANDARD}, table {p.table} ({p.severity} inspection)\n"
                f"  lot size {p.lot_size:,}, inspection level {p.level}, AQL {p.aql} "
                f"({'nonconforming items' if p.count == 'nonconforming' else 'nonconformities per 100 items'})\n")
        if p.arrow:
            letter = (f"  code letter {p.code_letter}: arrow {p.arrow} followed to {p.plan_letter} "
                      f"({' -> '.join(p.arrow_path)})\n")
        else:
            letter = f"  code letter {p.code_letter}\n"
    else:
        rules = []
        if p.min_sample:
            rules.append(f"at least {p.min_sample:,} items")
        if p.min_fraction:
            rules.append(f"at least {float(p.min_fraction):.0%} of the lot")
        head = (f"fixed plan {p.name or ''} ({p.basis or 'custom'}): {' and '.join(rules)}, "
                f"at least {float(p.min_pass_rate or 0):.0%} passing\n  lot size {p.lot_size:,}\n")
        letter = ""
    size = (f"  sample size {p.table_sample_size or p.sample_size:,} >= lot size: inspect all {p.lot_size:,} items "
            f"(100% inspection), Ac {p.ac}, Re {p.re}" if p.full_inspection
            else f"  sample size {p.sample_size:,}, Ac {p.ac}, Re {p.re}")
    return head + letter + size


def switching_options(fn: Any) -> Any:
    """--history and the inputs of the switching rules the software cannot know (sample and inspect)."""
    for opt in reversed([
        click.option("--history", type=click.Path(dir_okay=False),
                     help="Switching history (JSONL, one line per lot, written by `lancang inspect --history`): "
                          "the GB/T 2828.1 §9 switching rules decide the severity."),
        click.option("--allow-reduced", is_flag=True,
                     help="Production is steady and the responsible authority approves reduced inspection: use it "
                          "when the switching score reaches 30 (and stay on it). Without it, reduced inspection is "
                          "not started, and a run of it returns to normal."),
        click.option("--force-severity", is_flag=True,
                     help="Use --severity even if the history says otherwise (the responsible authority's "
                          "decision; recorded, and the switching counters restart)."),
        click.option("--resume", is_flag=True,
                     help="Inspection was discontinued (5 lots not accepted on tightened inspection): the supplier "
                          "has acted and the authority agrees; resume on tightened inspection."),
    ]):
        fn = opt(fn)
    return fn


@click.command()
@click.argument("corpus", required=False, type=click.Path(dir_okay=True, allow_dash=True))
@click.argument("out", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@output_option(help="The sample file to write (or give it as OUT; `-` for standard output).")
@click.option("--aql", help="Acceptance quality limit, a column of the GB/T 2828.1 tables (0.010 ... 1000).")
@click.option("--level", type=click.Choice(smp.LEVELS),
              help="Inspection level: general I, II, III or special S-1 ... S-4 (default II, or the history's).")
@click.option("--severity", type=click.Choice(smp.SEVERITIES),
              help="Inspection severity (table 2-A, 2-B or 2-C); default normal, or what --history says.")
@click.option("--count", type=click.Choice(smp.COUNTS),
              help="What Ac and Re count: nonconforming items (records with a defect) or nonconformities "
                   "(defects); AQLs above 10 need nonconformities (default nonconforming, or the history's).")
@click.option("--plan", "fixed", type=click.Choice(sorted(smp.fixed_plans())),
              help="A fixed plan instead of a GB/T 2828.1 plan (TC260-003 §9.2 and §9.3).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1),
              help="Random seed; the same corpus, plan and seed give the same sample.")
@click.option("--lot-size", type=click.IntRange(min=0), help="Lot size (number of records); counted from CORPUS "
              "when not given.")
@click.option("--plan-only", is_flag=True, help="Print the plan without drawing a sample.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", *acc.SAMPLE_FORMATS]),
              help="--plan-only: text (default) or json. Sample: jsonl (default) or labelstudio tasks.")
@click.option("--config-out", type=click.Path(dir_okay=False),
              help="With --format labelstudio: also write the Label Studio labelling configuration (XML) of the "
                   "tasks: every side, the entity labels, the alignment relations, the verdict and defect choices.")
@click.option("--defects", metavar="A,B,...",
              help="The defect types reviewers choose from in the configuration (default: segmentation, entity, "
                   "alignment, translation, other).")
@input_options()
@switching_options
@manifest_option
@handle_errors
def sample(corpus: str | None, out: str | None, output: str | None, aql: str | None, level: str | None,
           severity: str | None, count: str | None, fixed: str | None, seed: int | None, lot_size: int | None,
           plan_only: bool, fmt: str | None, config_out: str | None, defects: str | None, reading: Reading,
           history: str | None, allow_reduced: bool, force_severity: bool, resume: bool,
           manifest: str | None) -> None:
    """Draw a reproducible acceptance-inspection sample from a corpus for reviewers (GB/T 2828.1 / ISO 2859-1
    single sampling, or a fixed TC260-003 plan).

    The lot is the corpus (any readable format: --from, -I, --src/--tgt), its size the number of
    records; standard input and pipes are spooled to a temporary file to count them. The sample keeps
    corpus order; each sampled record gets empty review slots in meta.review ({"verdict": null,
    "defects": [], "reviewer": null, ...}) and the plan, seed and position in meta.sample. Reviewers
    set verdict to "pass" or "fail" and list defects; `lancang inspect` then decides on the lot.
    With --format labelstudio the sample is written by the Label Studio format's writer: one task per
    record with every side (text_1, text_2, ...), its layers as predictions or annotations, its links as
    relations, meta.sample and meta.review in the task's meta; --config-out writes the matching labelling
    configuration, whose verdict (pass/fail) and defect choices `lancang inspect` reads back from the
    export.

    \b
    Examples:
      lancang sample corpus.jsonl review.jsonl --aql 1.0 --level II --seed 7
      lancang sample corpus.jsonl tasks.ls.json --aql 2.5 --format labelstudio --seed 7 --config-out config.xml
      lancang sample memory.tmx -o review.jsonl --aql 1.0 --seed 7
      lancang sample corpus.jsonl review.jsonl --plan tc260-003-9.2-manual --seed 7
      lancang sample --plan-only --lot-size 10000 --aql 1.0 --level II --format json
      lancang sample corpus.jsonl review.jsonl --aql 1.0 --history lots.jsonl --seed 7
      lancang sample --plan-only --history lots.jsonl

    With --history (written by `lancang inspect --history`), the severity of the next lot follows the
    GB/T 2828.1 §9 switching rules (normal, tightened, reduced, discontinued); the AQL, level and
    count default to the history's. An explicit --severity that contradicts the history is an error
    unless --force-severity.
    """
    if out is not None and output is not None and out != output:
        raise UsageError("give the output file once: as OUT or as -o/--output")
    out = out if out is not None else output
    if plan_only and fmt not in (None, "text", "json"):
        raise UsageError("--plan-only prints text or json")
    if not plan_only and fmt in ("text", "json"):
        raise UsageError("a sample is written as jsonl or labelstudio (text and json are for --plan-only)")
    res = acc.sample_corpus(corpus, out, aql=aql, level=level, severity=severity, count=count, plan=fixed, seed=seed,
                            lot_size=lot_size, plan_only=plan_only, history=history, allow_reduced=allow_reduced,
                            force_severity=force_severity, resume=resume, out_format=fmt or "jsonl",
                            manifest=manifest, config_out=config_out,
                            defects=[d.strip() for d in defects.split(",") if d.strip()] if defects else None,
                            **reading.kwargs())
    plan, switch = res["plan"], res["switching"]
    if plan_only:
        if fmt == "json":
            doc: Any = plan.to_dict() if plan is not None else None
            if switch is not None:
                doc = {"plan": doc, "switching": switch}
            sys.stdout.buffer.write(json_bytes(doc))
            return
        if switch is not None:
            click.echo(render_switch(switch))
        if plan is not None:
            click.echo(render_plan(plan))
        return
    click.echo(f"sampled {res['written']:,} of {plan.lot_size:,} records (seed {res['seed']}) -> {res['output']}",
               err=True)
    if switch is not None:
        click.echo(render_switch(switch), err=True)
    click.echo(render_plan(plan), err=True)


def _events(events: list[dict[str, Any]], indent: str) -> list[str]:
    return [f"{indent}{e['text']} (§{e['clause']})" for e in events]


def _next_lot(severity: str | None) -> str:
    return f"next lot: {severity} inspection" if severity else "next lot: none until --resume (GB/T 2828.1 §9.4)"


def render_switch(switch: dict[str, Any]) -> str:
    """The switching state of a history and the severity of the next lot."""
    lines = [f"history {switch['history']}: {switch['lots']} lots; {switch['summary']}"]
    lines += _events(switch["events"], "  ")
    lines.append("  " + _next_lot(switch["next_severity"]))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------- inspect

def render_inspection(d: dict[str, Any], path: str) -> str:
    p = d["plan"]
    lines = [f"{path}: {d['reviewed']:,} records reviewed of a lot of {d['lot_size']:,}",
             render_plan(smp.Plan.from_dict(p)),
             f"  found {d['defective']:,} nonconforming records ({d['nonconformities']:,} nonconformities); "
             f"counted: {d['defects']:,} {'nonconformities' if d['count'] == 'nonconformities' else 'nonconforming'}"
             + (f"; pass rate {d['pass_rate']:.2%}" if d["pass_rate"] is not None else "")]
    if d["defect_types"]:
        lines.append("  defects: " + ", ".join(f"{k} {v}" for k, v in list(d["defect_types"].items())[:15]))
    if d["per_annotator"]:
        lines.append("  per annotator (records / nonconforming / defects attributed):")
        for who, c in d["per_annotator"].items():
            lines.append(f"    {who:<24} {c['records']:>6} {c['defective']:>6} {c['defects']:>6}")
    if d["reviewer_is_annotator_count"]:
        lines.append(f"  warning: in {d['reviewer_is_annotator_count']} records the reviewer also annotated a "
                     "layer (TC260-003 §5.3 separates the roles)")
    if "switching" in d:
        w = d["switching"]
        lines.append(f"  history {w['history']}, lot {w['lot']} ({w['severity']} inspection):")
        lines += _events(w["events"], "    ")
        lines.append(f"    now {w['summary']}; {_next_lot(w['next_severity'])}")
    lines.append(("ACCEPT" if d["decision"] == "accept" else "REJECT") +
                 f" ({d['defects']} {'<=' if d['decision'] == 'accept' else '>='} "
                 f"{d['ac'] if d['decision'] == 'accept' else d['re']})")
    return "\n".join(lines)


@click.command()
@click.argument("reviewed", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--corpus", type=click.Path(dir_okay=True, allow_dash=True),
              help="The corpus the sample was drawn from (read with --from, -I, --src/--tgt as for `lancang "
                   "sample`): verify that the reviewed records are the ones the seed draws from it. `lancang check "
                   "--metrics` accepts only a document verified against the corpus it checks.")
@input_options()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format (json is the metrics document).")
@output_option(old=("--out",),
               help="Also write the metrics document (JSON) to this file, e.g. for `lancang check --metrics`.")
@click.option("--method", type=click.Choice(["manual", "automated"]), default=None,
              help="How the verdicts were reached: by people (manual) or by automated screening such as keywords or "
                   "a classifier (automated); recorded in the result, so a profile with a plan per method "
                   "(TC260-003 §9.2) takes each inspection for its own plan.")
@switching_options
@manifest_option
@handle_errors
def inspect(reviewed: str, corpus: str | None, reading: Reading, fmt: str, output: str | None, history: str | None,
            allow_reduced: bool, force_severity: bool, resume: bool, manifest: str | None, method: str | None) -> None:
    """Decide on a lot from a reviewed sample: accept when the defects found are at most Ac, reject from Re.

    Reads the sample that `lancang sample` wrote (JSONL, or the Label Studio export of its tasks: the
    verdict and defect choices of each task's annotation, the reviewer its completed_by, or the task's
    meta.review), with each record's meta.review.verdict set to "pass" or "fail" (defects in
    meta.review.defects: a type string or {"type", "layer", "side", "note", ...}). Reports the plan,
    Ac, Re, the defects found, and per annotator (from the layers' provenance) the records,
    nonconforming records and defects attributed to their layers. A record without a verdict is an
    error naming its line and id.

    With --corpus the sample is verified, not believed: the corpus must have the sample's lot size,
    and every reviewed record must be at a position the sample's seed draws, holding its id there (a
    failing record swapped for an undrawn one is an error naming it); the metrics document then
    names the corpus with its sha256, as `lancang check CORPUS --metrics` requires.

    \b
    Examples:
      lancang inspect review.jsonl --corpus corpus.jsonl
      lancang inspect review.jsonl --corpus corpus.jsonl --format json -o metrics.json
      lancang inspect tasks.ls.json --corpus memory.tmx
      lancang inspect review.jsonl --corpus corpus.jsonl --history lots.jsonl

    With --history the lot is checked against the switching history (its plan must have the severity
    the GB/T 2828.1 §9 switching rules call for, and the history's AQL, level and count), and the lot
    and the resulting state are appended to the history (the file is rewritten whole and renamed; the
    reviewed sample is never modified). `lancang sample --history` then draws the next lot.

    Exit codes: 0 lot accepted, 1 lot rejected, 2 usage or input error.
    """
    doc = acc.inspect_sample(reviewed, corpus=corpus, history=history, allow_reduced=allow_reduced,
                             force_severity=force_severity, resume=resume, output=output, manifest=manifest,
                             method=method, **reading.kwargs())
    result = doc["inspection"]
    if output:
        _write_json(output, doc)
    if fmt == "json":
        sys.stdout.buffer.write(json_bytes(doc))
    else:
        click.echo(render_inspection(result, reviewed))
    if corpus is None:
        click.echo("note: not verified against the corpus the sample was drawn from: give --corpus CORPUS "
                   "(`lancang check --metrics` needs it)", err=True)
    if result["decision"] != "accept":
        raise SystemExit(1)


# ------------------------------------------------------------------------------------------- agree

def render_agreement(a: dict[str, Any]) -> str:
    names = [x["name"] for x in a["annotators"]]
    lines = [f"{len(names)} annotators ({', '.join(names)}), {a['records']:,} records, {a['sides']:,} sides"]
    if a.get("missing"):
        for path, v in a["missing"].items():
            lines.append(f"  not compared: {v['count']} records missing from {path}")
    lines.append(f"  kappa ({a['kappa_method']}, {a['kappa_layer'] or 'no categorical layer'}): {_fmt(a['kappa'])}"
                 f"   alpha: {_fmt(a['alpha'])}   entity span F1: {_fmt(a['span_f1'])}"
                 f"   token boundary F1: {_fmt(a['boundary_f1'])}   AER: {_fmt(a['aer'])}")
    lay = a["layers"]
    for name, d in lay.items():
        if "items" in d:
            lines.append(f"  {name}: {d['items']:,} items" + (f" (units {d['units']})" if "units" in d else "") +
                         f", observed {_fmt(d['observed_agreement'])}, Cohen mean {_fmt(d['cohen_kappa_mean'])}, "
                         f"Fleiss {_fmt(d['fleiss_kappa'])}, alpha {_fmt(d['alpha'])}")
            for key, k in d["cohen_kappa"].items():
                lines.append(f"    {key:<30} kappa {_fmt(k)}")
            labels = [(lab, v) for lab, v in d["per_label"].items() if lab != agr.OUTSIDE]
            for lab, v in labels[:20]:
                ua = f"  u-alpha {_fmt(v['unitizing_alpha'])}" if "unitizing_alpha" in v else ""
                lines.append(f"    label {lab:<24} kappa {_fmt(v['kappa'])}  F1 {_fmt(v['f1_mean'])}{ua}  "
                             f"n {v['count']:,}")
            if name == "entities":
                sp = d["spans"]
                lines.append(f"    exact span F1 {_fmt(sp['f1_mean'])} (unlabelled {_fmt(sp['unlabelled_f1_mean'])})")
                uz = d.get("unitizing")
                if uz:
                    lines.append(f"    unitizing alpha (u-alpha, labels pooled) {_fmt(uz['alpha'])}, "
                                 f"|u-alpha {_fmt(uz['binary_alpha'])}, u-alpha with labels as values "
                                 f"{_fmt(uz['nominal_alpha'])} ({uz['length']:,} units in {uz['sections']:,} sides)")
        elif name == "transcript":
            lines.append(f"  transcript: {d['sides']:,} sides (units {d['units']}, normalize "
                         f"{','.join(d['normalize']) or 'none'}), error rate {_fmt(d['error_rate_mean'])}, "
                         f"CER {_fmt(d['cer_mean'])}, WER {_fmt(d['wer_mean'])}; boundaries within "
                         f"{d['tolerance']} s: F1 {_fmt(d['boundary_f1_mean'])} ({d['timed_sides']:,} timed sides)")
            for key, v in d["pairs"].items():
                c = v["counts"]["counts"]
                lines.append(f"    {key:<30} error rate {_fmt(v['error_rate'])} (symmetric; with {v['reference']} as "
                             f"reference {_fmt(c['rate'])}: {c['subs']:,} sub, {c['dels']:,} del, {c['ins']:,} ins "
                             f"of {c['ref']:,})")
            for key, v in d["boundary"].items():
                lines.append(f"    {key:<30} boundary P {_fmt(v['precision'])} R {_fmt(v['recall'])} "
                             f"F1 {_fmt(v['f1'])} ({v['tp']:,} of {v['a']:,} and {v['b']:,})")
        elif "boundary" in d:
            lines.append(f"  {name}: {d['sides']:,} sides, boundary F1 {_fmt(d['boundary_f1_mean'])}, "
                         f"span F1 {_fmt(d['span_f1_mean'])}")
        elif "aer" in d:
            lines.append(f"  links: {d['alignments']:,} alignments, AER mean {_fmt(d['aer_mean'])}, "
                         f"sure-link F1 {_fmt(d['sure_f1_mean'])}")
            for key, v in d["aer"].items():
                lines.append(f"    {key:<30} AER {_fmt(v['aer'])}")
    for layer, reasons in a["skipped"].items():
        lines.append(f"  skipped {layer}: " + ", ".join(f"{r} ({n})" for r, n in reasons.items()))
    return "\n".join(lines)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--names", help="Comma-separated annotator names, one per file (default: the file names).")
@click.option("--layers", "--layer", "layers", default=",".join(agr.LAYERS), show_default=True,
              help=f"Comma-separated layers to compare: {', '.join(agr.LAYERS)}, or per-token "
                   f"{', '.join(agr.VALUE_LAYERS)}, or transcript (the error rate between transcribers and "
                   "segment-boundary agreement; texts may differ when it is the only layer).")
@click.option("--unit", type=click.Choice(agr.UNITS), default="auto", show_default=True,
              help="Items for entity kappa/alpha: tokens (when all annotators' tokens agree), characters, or auto.")
@click.option("--intersect", is_flag=True,
              help="Compare the records all files share instead of failing when some are missing.")
@transcript_options
@click.option("--tolerance", type=click.FloatRange(min=0), default=0.2, show_default=True, metavar="SECONDS",
              help="transcript: segment start and end times within this many seconds of each other match.")
@input_options()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format (json is the metrics document).")
@output_option(old=("--out",), help="Also write the metrics document (JSON) to this file.")
@handle_errors
def agree(files: tuple[str, ...], names: str | None, layers: str, unit: str, intersect: bool, units: str,
          normalize: tuple[str, ...], tolerance: float, reading: Reading, fmt: str, output: str | None) -> None:
    """Inter-annotator agreement between two or more annotation files of the same records.

    Entities: exact span F1 per pair, and Cohen's kappa (pairs), Fleiss' kappa and Krippendorff's
    alpha on token (or character) units labelled with the entity covering them, per label and with
    confusion tables; Krippendorff's alpha for unitizing (u-alpha) of the entity spans on the same
    units. Segmentation: token and sentence boundary F1. Word links: AER between
    annotators. Per-token layers (pos ...): kappa and alpha. Files (any readable format) are joined on
    record id, streaming when in the same order; a record whose text differs between files is an error.
    Transcripts (--layer transcript): WER/CER between two transcribers of the same recordings, both
    ways and symmetric, and P/R/F1 of segment boundaries matched one to one within --tolerance seconds.

    \b
    Examples:
      lancang agree ann1.jsonl ann2.jsonl
      lancang agree a.jsonl b.jsonl c.jsonl --format json -o agreement.json
      lancang agree a.jsonl b.jsonl --layers entities --unit char --names alice,bob
      lancang agree alice.ls.json bob.ls.json --src th --layers entities
      lancang agree alice.TextGrid bob.TextGrid --layer transcript --tolerance 0.2
    """
    if len(files) < 2:
        raise UsageError("give at least two annotation files")
    name_list = [x.strip() for x in names.split(",")] if names else None
    layer_list = [x.strip() for x in layers.split(",") if x.strip()]
    doc = agr.agreement_document(list(files), names=name_list, layers=layer_list, unit=unit, intersect=intersect,
                                 units=units, normalize=normalize, tolerance=tolerance, **reading.kwargs())
    a = doc["agreement"]
    if output:
        _write_json(output, doc)
    if fmt == "json":
        sys.stdout.buffer.write(json_bytes(doc))
    else:
        click.echo(render_agreement(a))
