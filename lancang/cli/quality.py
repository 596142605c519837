"""``lancang sample``, ``lancang inspect`` and ``lancang agree``: acceptance sampling and agreement."""

from __future__ import annotations

import sys
from typing import Any

import click
import orjson

from .. import __version__
from ..corpora.jsonl import JsonlWriter, atomic_output, is_stdio
from ..corpora.model import now_iso
from ..errors import InputError, UsageError
from ..quality import agreement as agr
from ..quality import sampling as smp
from ..quality import switching as sw
from .common import handle_errors

METRICS_ID = "lancang/metrics/1"


def metrics_document(command: str, **parts: Any) -> dict[str, Any]:
    """The metrics document every quality command writes (``schemas/metrics.schema.json``)."""
    return {"metrics": METRICS_ID, "lancang": __version__, "command": command, "created": now_iso(), **parts}


def _dump(doc: Any) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _write_json(path: str, doc: Any) -> None:
    with atomic_output(path, "wb") as f:
        f.write(_dump(doc))


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


def _plan(lot_size: int, aql: str | None, level: str, severity: str, count: str, fixed: str | None) -> smp.Plan:
    if (aql is None) == (fixed is None):
        raise UsageError("give either --aql (a GB/T 2828.1 plan) or --plan NAME (a fixed plan)")
    if fixed is not None:
        return smp.fixed_plan(lot_size, fixed, count=count)
    return smp.gb2828_plan(lot_size, aql, level, severity, count)  # type: ignore[arg-type]


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
@click.argument("corpus", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("out", required=False, type=click.Path(dir_okay=False, allow_dash=True))
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
@click.option("--seed", type=int, help="Random seed; the same corpus, plan and seed give the same sample.")
@click.option("--lot-size", type=int, help="Lot size (number of records); counted from CORPUS when not given.")
@click.option("--plan-only", is_flag=True, help="Print the plan without drawing a sample.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "labelstudio"]),
              help="--plan-only: text (default) or json. Sample: jsonl (default) or labelstudio tasks.")
@switching_options
@handle_errors
def sample(corpus: str | None, out: str | None, aql: str | None, level: str | None, severity: str | None,
           count: str | None, fixed: str | None, seed: int | None, lot_size: int | None, plan_only: bool,
           fmt: str | None, history: str | None, allow_reduced: bool, force_severity: bool, resume: bool) -> None:
    """Draw a reproducible acceptance-inspection sample from a corpus for reviewers (GB/T 2828.1 / ISO 2859-1
    single sampling, or a fixed TC260-003 plan).

    The lot is the corpus, its size the number of records. The sample keeps corpus order; each
    sampled record gets empty review slots in meta.review ({"verdict": null, "defects": [],
    "reviewer": null, ...}) and the plan, seed and position in meta.sample. Reviewers set verdict to
    "pass" or "fail" and list defects; `lancang inspect` then decides on the lot.

    \b
    Examples:
      lancang sample corpus.jsonl review.jsonl --aql 1.0 --level II --seed 7
      lancang sample corpus.jsonl tasks.json --aql 2.5 --format labelstudio --seed 7
      lancang sample corpus.jsonl review.jsonl --plan tc260-003-9.2-manual --seed 7
      lancang sample --plan-only --lot-size 10000 --aql 1.0 --level II --format json
      lancang sample corpus.jsonl review.jsonl --aql 1.0 --history lots.jsonl --seed 7
      lancang sample --plan-only --history lots.jsonl

    With --history (written by `lancang inspect --history`), the severity of the next lot follows the
    GB/T 2828.1 §9 switching rules (normal, tightened, reduced, discontinued); the AQL, level and
    count default to the history's. An explicit --severity that contradicts the history is an error
    unless --force-severity.
    """
    switch: dict[str, Any] | None = None
    if history is not None:
        if fixed is not None:
            raise UsageError("--history runs the GB/T 2828.1 switching rules; it does not go with a fixed --plan")
        hist = sw.read_history(history)
        if hist.params is not None:
            given = {"aql": smp.parse_aql(aql) if aql is not None else None, "level": level, "count": count}
            for key, value in given.items():
                if value is not None and value != hist.params[key]:
                    raise UsageError(f"--{key} {value} differs from the history's ({history}:1: {key} "
                                     f"{hist.params[key]}); one history per AQL, inspection level and count")
            aql, level, count = hist.params["aql"], hist.params["level"], hist.params["count"]
        if force_severity and severity is None:
            raise UsageError("--force-severity needs --severity")
        try:
            next_sev, _start, events = sw.begin_lot(hist.state, allow_reduced=allow_reduced,
                                                    force_severity=severity if force_severity else None, resume=resume)
        except sw.SwitchingError as exc:
            if not (plan_only and hist.state.discontinued and not resume):
                raise UsageError(f"{history}: {exc}") from None
            next_sev, events = None, []  # --plan-only shows the discontinued state
        if severity is not None and next_sev is not None and severity != next_sev:
            raise UsageError(f"--severity {severity} contradicts the history {history} ({hist.lots} lots: "
                             f"{sw.describe(hist.state)}): the switching rules put the next lot on {next_sev} "
                             "inspection; --force-severity sets it by hand")
        severity = next_sev
        switch = {"history": history, "lots": hist.lots, "state": hist.state.to_dict(), "next_severity": next_sev,
                  "events": [e.to_dict() for e in events], "summary": sw.describe(hist.state)}
    _switch_flags_need_history(history, allow_reduced, force_severity, resume)
    level, severity, count = level or "II", severity or "normal", count or "nonconforming"
    if plan_only:
        fmt = fmt or "text"
        if fmt not in ("text", "json"):
            raise UsageError("--plan-only prints text or json")
        if out is not None:
            raise UsageError("--plan-only draws nothing: give no output file")
        if switch is not None and (switch["next_severity"] is None or (lot_size is None and corpus is None)):
            plan = None  # the history's state only
        else:
            if lot_size is None:
                if corpus is None:
                    raise UsageError("--plan-only needs --lot-size N or a CORPUS to count")
                lot_size = _lot_size(corpus)
            plan = _plan(lot_size, aql, level, severity, count, fixed)
        if fmt == "json":
            doc: Any = plan.to_dict() if plan is not None else None
            if switch is not None:
                doc = {"plan": doc, "switching": switch}
            sys.stdout.buffer.write(_dump(doc))
        else:
            if switch is not None:
                click.echo(render_switch(switch))
            if plan is not None:
                click.echo(render_plan(plan))
        return
    fmt = fmt or "jsonl"
    if fmt not in ("jsonl", "labelstudio"):
        raise UsageError("a sample is written as jsonl or labelstudio (text and json are for --plan-only)")
    if corpus is None or out is None:
        raise UsageError("give the CORPUS to sample and the OUT file to write (or --plan-only)")
    if is_stdio(corpus) and lot_size is None:
        raise UsageError("standard input can be read only once: give --lot-size N (its number of records)")
    if not is_stdio(corpus) and not is_stdio(out) and _same_file(corpus, out):
        raise UsageError(f"{out}: the output would overwrite the corpus; write the sample to another file")
    if lot_size is None:
        lot_size = _lot_size(corpus)
    plan = _plan(lot_size, aql, level, severity, count, fixed)
    if seed is None:
        seed = smp.new_seed()
    written = 0
    if fmt == "jsonl":
        with JsonlWriter(out) as w:
            for rec in smp.draw(corpus, plan, seed):
                w.write(rec)
        written = w.count
    else:
        with atomic_output(out, "wb") as f:
            f.write(b"[\n")
            first = True
            for rec in smp.draw(corpus, plan, seed):
                written += 1
                for task in smp.labelstudio_tasks(rec):
                    f.write((b"" if first else b",\n") + orjson.dumps(task))
                    first = False
            f.write(b"\n]\n")
    click.echo(f"sampled {written:,} of {plan.lot_size:,} records (seed {seed}) -> {out}", err=True)
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


def _switch_flags_need_history(history: str | None, allow_reduced: bool, force_severity: bool, resume: bool) -> None:
    if history is None and (allow_reduced or force_severity or resume):
        raise UsageError("--allow-reduced, --force-severity and --resume go with --history")


def _lot_size(corpus: str) -> int:
    n = smp.count_records(corpus)
    if n == 0:
        raise InputError(f"{corpus}: the corpus has no records: there is nothing to sample (lot size 0)")
    return n


def _same_file(a: str, b: str) -> bool:
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format (json is the metrics document).")
@click.option("-o", "--out", type=click.Path(dir_okay=False, allow_dash=False),
              help="Also write the metrics document (JSON) to this file, e.g. for `lancang check --metrics`.")
@switching_options
@handle_errors
def inspect(reviewed: str, fmt: str, out: str | None, history: str | None, allow_reduced: bool,
            force_severity: bool, resume: bool) -> None:
    """Decide on a lot from a reviewed sample: accept when the defects found are at most Ac, reject from Re.

    Reads the sample that `lancang sample` wrote, with each record's meta.review.verdict set to "pass" or
    "fail" (defects in meta.review.defects: a type string or {"type", "layer", "side", "note", ...}).
    Reports the plan, Ac, Re, the defects found, and per annotator (from the layers' provenance) the
    records, nonconforming records and defects attributed to their layers. A record without a verdict
    is an error naming its line and id.

    \b
    Examples:
      lancang inspect review.jsonl
      lancang inspect review.jsonl --format json -o metrics.json
      lancang inspect review.jsonl --history lots.jsonl

    With --history the lot is checked against the switching history (its plan must have the severity
    the GB/T 2828.1 §9 switching rules call for, and the history's AQL, level and count), and the lot
    and the resulting state are appended to the history (the file is rewritten whole and renamed; the
    reviewed sample is never modified). `lancang sample --history` then draws the next lot.

    Exit codes: 0 lot accepted, 1 lot rejected, 2 usage or input error.
    """
    if history is not None and not is_stdio(reviewed) and _same_file(reviewed, history):
        raise UsageError(f"{history}: the history would overwrite the reviewed sample; give another file")
    _switch_flags_need_history(history, allow_reduced, force_severity, resume)
    insp = smp.inspect(reviewed)
    result = insp.to_dict()
    if history is not None:
        result["switching"] = _record_lot(insp, reviewed, history, allow_reduced, force_severity, resume)
    doc = metrics_document("inspect", inputs=[{"path": reviewed}], inspection=result)
    if out:
        _write_json(out, doc)
    if fmt == "json":
        sys.stdout.buffer.write(_dump(doc))
    else:
        click.echo(render_inspection(result, reviewed))
    if result["decision"] != "accept":
        raise SystemExit(1)


def _record_lot(insp: smp.Inspection, reviewed: str, history: str, allow_reduced: bool, force_severity: bool,
                resume: bool) -> dict[str, Any]:
    """Check the lot against the history, append it, and return the metrics ``inspection.switching`` part."""
    plan = insp.plan
    if plan.scheme != "gb-t-2828.1":
        raise UsageError(f"{reviewed}: the sample uses a fixed plan; --history runs the GB/T 2828.1 switching rules")
    hist = sw.read_history(history)
    why = sw.check_params(hist, plan)
    if why:
        raise InputError(f"{reviewed}: the sample's {why}")
    digest = insp.sample_digest
    if digest in hist.samples:
        raise InputError(f"{reviewed}: this sample is already lot {hist.samples[digest]} of the history "
                         f"({history}:{hist.samples[digest]})")
    force = plan.severity if force_severity else None
    lot = sw.LotResult(plan, insp.defects)
    try:
        state, events = sw.next_state(hist.state, lot, allow_reduced=allow_reduced, force_severity=force, resume=resume)
    except sw.SwitchingError as exc:
        raise InputError(f"{reviewed}: {exc} (history {history}: {hist.lots} lots; {sw.describe(hist.state)})") from None
    time = now_iso()
    if hist.last_time is not None and time < hist.last_time:
        raise InputError(f"{history}: its last lot is dated {hist.last_time}, after now ({time}); check the clock")
    line = sw.history_line(hist, lot, state, events, time=time, allow_reduced=allow_reduced, force_severity=force,
                           resume=resume, sample={"path": reviewed, "source": insp.source, "seed": insp.seed,
                                                  "digest": digest})
    sw.append_history(history, line)
    try:
        nxt, _s, _e = sw.begin_lot(state, allow_reduced=allow_reduced)
    except sw.SwitchingError:
        nxt = None
    return {"history": history, "lot": line["lot"], "severity": plan.severity, "events": line["events"],
            "state": line["state"], "next_severity": nxt, "reduced_eligible": state.reduced_eligible(),
            "summary": sw.describe(state)}


# ------------------------------------------------------------------------------------------- agree

def _fmt(v: Any) -> str:
    return "-" if v is None else f"{v:.4f}"


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
                lines.append(f"    label {lab:<24} kappa {_fmt(v['kappa'])}  F1 {_fmt(v['f1_mean'])}{ua}  n {v['count']:,}")
            if name == "entities":
                sp = d["spans"]
                lines.append(f"    exact span F1 {_fmt(sp['f1_mean'])} (unlabelled {_fmt(sp['unlabelled_f1_mean'])})")
                uz = d.get("unitizing")
                if uz:
                    lines.append(f"    unitizing alpha (u-alpha, labels pooled) {_fmt(uz['alpha'])}, "
                                 f"|u-alpha {_fmt(uz['binary_alpha'])}, u-alpha with labels as values "
                                 f"{_fmt(uz['nominal_alpha'])} ({uz['length']:,} units in {uz['sections']:,} sides)")
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
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--names", help="Comma-separated annotator names, one per file (default: the file names).")
@click.option("--layers", default=",".join(agr.LAYERS), show_default=True,
              help=f"Comma-separated layers to compare: {', '.join(agr.LAYERS)}, or per-token "
                   f"{', '.join(agr.VALUE_LAYERS)}.")
@click.option("--unit", type=click.Choice(agr.UNITS), default="auto", show_default=True,
              help="Items for entity kappa/alpha: tokens (when all annotators' tokens agree), characters, or auto.")
@click.option("--intersect", is_flag=True,
              help="Compare the records all files share instead of failing when some are missing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format (json is the metrics document).")
@click.option("-o", "--out", type=click.Path(dir_okay=False, allow_dash=False),
              help="Also write the metrics document (JSON) to this file.")
@handle_errors
def agree(files: tuple[str, ...], names: str | None, layers: str, unit: str, intersect: bool, fmt: str,
          out: str | None) -> None:
    """Inter-annotator agreement between two or more annotation files of the same records.

    Entities: exact span F1 per pair, and Cohen's kappa (pairs), Fleiss' kappa and Krippendorff's
    alpha on token (or character) units labelled with the entity covering them, per label and with
    confusion tables; Krippendorff's alpha for unitizing (u-alpha) of the entity spans on the same
    units. Segmentation: token and sentence boundary F1. Word links: AER between
    annotators. Per-token layers (pos ...): kappa and alpha. Files are joined on record id, streaming
    when in the same order; a record whose text differs between files is an error.

    \b
    Examples:
      lancang agree ann1.jsonl ann2.jsonl
      lancang agree a.jsonl b.jsonl c.jsonl --format json -o agreement.json
      lancang agree a.jsonl b.jsonl --layers entities --unit char --names alice,bob
    """
    if len(files) < 2:
        raise UsageError("give at least two annotation files")
    name_list = [x.strip() for x in names.split(",")] if names else None
    layer_list = [x.strip() for x in layers.split(",") if x.strip()]
    a = agr.agree(list(files), name_list, layer_list, unit, intersect)
    doc = metrics_document("agree", inputs=[{"path": f} for f in files], agreement=a)
    if out:
        _write_json(out, doc)
    if fmt == "json":
        sys.stdout.buffer.write(_dump(doc))
    else:
        click.echo(render_agreement(a))
