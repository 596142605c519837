"""``lancang demo``: the main job end to end on the bundled sample corpus."""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from ..corpora.jsonl import atomic_output
from ..corpora.samples import sample_path
from ..corpora.stats import corpus_stats, render_text
from ..errors import LancangError
from ..schemas.validator import validate_files
from ..standards.checker import check
from ..standards.profiles import load_profile
from ..standards.report import render_html
from .common import (
    InputProblem,
    handle_errors,
    json_bytes,
    output_option,
)


@click.command()
@output_option(file_okay=False, dir_okay=True, old=("--out",),
               help="Folder for the demo's outputs (created if missing; existing demo files are replaced; "
                    "default lancang-demo).")
@handle_errors
def demo(output: str | None) -> None:
    """Run lancang on its bundled sample (48 real PUD and TALPCo sentences in 7 languages).

    The demo copies the sample corpus and its manifest into the output folder, validates them,
    describes the corpus, cleans, de-duplicates and masks it, segments and splits every side with
    the default annotators (scoring the machine tokens against the sample's gold), aligns the Thai and
    English sentences and words, reviews a GB/T 2828.1 sample against the gold tokens, and checks the
    result against the lancang-zh-asean-parallel profile, writing a JSON and an HTML report. Every
    step that changes the corpus appends itself to the manifest's processing log. It writes only into
    that folder.

    \b
    Examples:
      lancang demo
      lancang demo -o /tmp/lancang-demo
    """
    out = Path(output or "lancang-demo").resolve()
    package = Path(__file__).resolve().parents[1]
    if out == package or package in out.parents:
        raise InputProblem(f"{out}: the demo does not write into the installed package; choose another --output")
    out.mkdir(parents=True, exist_ok=True)
    corpus, manifest = out / "corpus.jsonl", out / "manifest.json"
    for src, dst in ((sample_path("sample.jsonl"), corpus), (sample_path("sample.manifest.json"), manifest)):
        with atomic_output(dst) as f:
            f.write(src.read_bytes())
    click.echo(f"lancang {__version__} demo -> {out}")

    click.echo("\n1. validate the corpus and its manifest")
    reports, findings = [], []
    for report, found in validate_files([str(corpus)], manifests=[str(manifest)]):
        findings.extend(f.to_dict() for f in found)
        reports.append(report)
        click.echo(f"   {Path(report.path).name}: {report.records} {report.kind}, {report.valid} valid, "
                   f"{report.errors} errors, {report.warnings} warnings")
    ok = not any(r.errors or r.unusable for r in reports)
    _write_json(out / "validation.json", {"status": "valid" if ok else "invalid",
                                          "files": [r.to_dict() for r in reports], "findings": findings})

    click.echo("\n2. describe the corpus")
    st = corpus_stats(corpus).to_dict()
    _write_json(out / "stats.json", st)
    click.echo("   " + render_text(st, corpus.name).replace("\n", "\n   "))

    click.echo("\n   convert to TMX 1.4b and back (TMX holds texts, not annotation layers)")
    from ..corpora.convert import convert
    from ..corpora.jsonl import read_records

    tmx = out / "corpus.tmx"
    rep_out = convert(corpus, tmx, allow_loss=True)
    rep_back = convert(tmx, out / "from-tmx.jsonl")
    same = sum(1 for a, b in zip(read_records(corpus), read_records(out / "from-tmx.jsonl"))
               if {k: v["text"] for k, v in a["sides"].items()} == {k: v["text"] for k, v in b["sides"].items()})
    click.echo(f"   {rep_out.records} records -> {tmx.name} -> {rep_back.records} records; texts identical in {same}; "
               f"not carried by TMX: {', '.join(sorted(rep_out.lost)) or 'nothing'}")

    click.echo("\n3. clean, de-duplicate and desensitise (each step logged in the manifest's processing log)")
    from ..corpora.manifest import ProcessingLog
    from ..processing.clean import clean_file

    ProcessingLog(manifest, "demo").append(
        step="preparation", inputs=[sample_path("sample.jsonl")], outputs=[corpus],
        counts={"records": st["records"]}, description="the bundled sample copied as the demo's corpus")
    cleaned, rejects = out / "cleaned.jsonl", out / "rejects.jsonl"
    cs = clean_file(corpus, cleaned, rejects=rejects, manifest=manifest)
    why = ", ".join(f"{f['filter']} {f['rejected']}" for f in cs.to_dict()["filters"] if f["rejected"])
    click.echo(f"   clean: {cs.records} records, kept {cs.kept}, rejected {cs.rejected}"
               + (f" ({why}; reasons in {rejects.name})" if why else "")
               + (f", repaired {cs.repaired_records}" if cs.repaired_records else ""))
    checked = cleaned
    try:
        from ..processing.mask import mask_file

        masked = out / "masked.jsonl"
        ms = mask_file(cleaned, masked, manifest=manifest).to_dict()
    except LancangError as exc:
        click.echo(f"   mask skipped: {str(exc).splitlines()[0]}")
    else:
        found = ", ".join(f"{k} {v}" for k, v in ms["masked"].items()) or "no personal data found"
        click.echo(f"   mask: {ms['records']} records, {ms['changed']} changed ({found})")
        checked = masked
    gold = checked

    click.echo("\n4. segment words and split sentences on every side with the default annotators")
    annotated = out / "annotated.jsonl"
    try:
        st = _annotate(gold, annotated, manifest)
    except LancangError as exc:
        click.echo(f"   skipped: {str(exc).splitlines()[0]}")
        if "pip install" not in str(exc):
            click.echo('   (every language backend installs with: pip install "lancang[all]")')
    else:
        for x in st["layers"]:
            click.echo(f"   {x['layer']:<9} {x['lang']:<8} {x['annotator']:<12} "
                       f"{x['sides']:>3} sides {x['spans']:>5} spans")
        ev = _evaluate(annotated, gold)
        _write_json(out / "accuracy.json", ev)
        click.echo("   machine tokens against the sample's gold tokens (word boundary F1, SIGHAN style):")
        click.echo("   " + ", ".join(f"{lang} {sc['f1']:.3f}" for lang, sc in ev["languages"].items() if sc["gold"]))
        checked = annotated
        click.echo("\n   align sentences (beads) and words (links) between the Thai and English sides")
        try:
            from ..annotators.align.records import align_file

            aligned = out / "aligned.jsonl"  # an output never replaces its input
            res = align_file(annotated, aligned, sentences=True, words=True, src="th", tgt="en", replace=True,
                             manifest=manifest)
        except (LancangError, ImportError) as exc:
            click.echo(f"   alignment skipped: {str(exc).splitlines()[0]}")
        else:
            click.echo(f"   {_counts(res['sentences'])}; {_counts(res['words'])}")
            checked = aligned

    metrics = None
    if checked != gold:
        click.echo("\n5. review a GB/T 2828.1 sample (level II, AQL 2.5) of the result")
        metrics = _review(checked, gold, out, manifest)

    click.echo(f"\n{6 if metrics else 5}. check it against the Chinese-ASEAN parallel corpus profile "
               "(a lancang proposal)")
    profile = load_profile("lancang-zh-asean-parallel")
    rep = check(checked, [profile], manifest, metrics)
    _write_json(out / "report.json", rep)
    with atomic_output(out / "report.html") as f:
        f.write(render_html(rep).encode())
    s = rep["summary"]
    click.echo(f"   {rep['verdict']}: {s['pass']} requirements pass, {s['fail']} fail, {s['not-checked']} not checked")
    for q in rep["requirements"]:
        if q["verdict"] != "pass":
            click.echo(f"   {q['verdict']:<11} {q['profile']}/{q['id']} §{q['clause']}: {q['findings']} findings"
                       + (f" ({q['reason'].split(':')[0]})" if q.get("reason") else ""))
    click.echo(f"   open {out / 'report.html'} for the clause-by-clause report")

    click.echo(f"\nOutputs: {', '.join(p.name for p in sorted(out.iterdir()) if not p.name.startswith('.'))}")
    if not ok:
        raise SystemExit(1)


def _write_json(path: Path, doc: object) -> None:
    with atomic_output(path) as f:
        f.write(json_bytes(doc))


def _annotate(corpus: Path, target: Path, manifest: Path) -> dict:
    """Machine tokens and sentences on every side of the sample's plain texts (gold layers left out)."""
    from ..annotators.pipeline import Pipeline, PipelineConfig, annotate_file
    from ..corpora.jsonl import read_records, write_records

    raw = target.with_name("raw.jsonl")
    write_records(raw, ({**{k: v for k, v in r.items() if k not in ("sides", "links")},
                         "sides": {lang: {"text": s["text"]} for lang, s in r["sides"].items()}}
                        for r in read_records(corpus)))
    pipeline = Pipeline.build(PipelineConfig(layers=("tokens", "sentences")))
    return annotate_file(raw, target, pipeline, manifest=manifest).to_dict()


def _evaluate(pred: Path, gold: Path) -> dict:
    from ..quality.evaluate import evaluate_files

    return evaluate_files(str(pred), str(gold), layer="tokens")[0]["accuracy"]["tokens"]


def _review(corpus: Path, gold: Path, out: Path, manifest: Path) -> Path:
    """Draw the sample, give each drawn record a verdict and decide on the lot; returns the metrics file.

    The demo has no human reviewer: a drawn record fails when the machine word boundaries of one of
    its sides score F1 < 0.7 against the human gold tokens of the sample (UD PUD, TALPCo)."""
    from ..corpora.jsonl import read_records, write_records
    from ..quality.acceptance import inspect_sample, sample_corpus
    from ..quality.scores import prf

    review = out / "review.jsonl"
    sample_corpus(corpus, review, aql="2.5", level="II", seed=2021, manifest=manifest)
    wanted = {r["id"]: r for r in read_records(review)}
    golds = {r["id"]: r for r in read_records(gold) if r["id"] in wanted}

    def bounds(side: dict) -> set[int]:
        return {b for s, e in side.get("layers", {}).get("tokens", {}).get("spans", []) for b in (s, e)}

    rows = []
    for rid, rec in wanted.items():
        defects = []
        for lang, side in rec["sides"].items():
            g = golds.get(rid, {}).get("sides", {}).get(lang)
            if not g or "tokens" not in g.get("layers", {}):
                continue
            mine, ref = bounds(side), bounds(g)
            f1 = prf(len(mine & ref), len(mine), len(ref)).f1
            if f1 is not None and f1 < 0.7:
                defects.append({"type": "segmentation", "layer": "tokens", "side": lang,
                                "note": f"boundary F1 {f1:.2f} against the gold tokens"})
        rec["meta"]["review"].update(verdict="fail" if defects else "pass", defects=defects,
                                     reviewer="demo-gold-check")
        rows.append(rec)
    reviewed = out / "reviewed.jsonl"
    write_records(reviewed, rows)
    doc = inspect_sample(reviewed, corpus=corpus, manifest=manifest)
    i = doc["inspection"]
    click.echo(f"   {i['reviewed']} of {i['lot_size']} records reviewed against the gold tokens "
               f"(fail: a side with word-boundary F1 < 0.7): {i['defects']} defects, Ac {i['ac']}, "
               f"lot {'accepted' if i['decision'] == 'accept' else 'rejected'}")
    metrics = out / "metrics.json"
    _write_json(metrics, doc)
    return metrics


def _counts(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in d.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
