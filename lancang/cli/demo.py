"""``lancang demo``: the main job end to end on the bundled sample corpus."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from .. import __version__
from ..corpora.jsonl import atomic_output
from ..corpora.samples import sample_path
from ..corpora.stats import corpus_stats, render_text
from ..errors import LancangError
from ..schemas.validator import validate_files
from ..standards.checker import check
from ..standards.profiles import load_profile
from ..standards.report import render_html
from .common import InputProblem, handle_errors, output_option


@click.command()
@output_option(file_okay=False, dir_okay=True, old=("--out",),
               help="Folder for the demo's outputs (created if missing; existing demo files are replaced; "
                    "default lancang-demo).")
@handle_errors
def demo(output: str | None) -> None:
    """Run lancang on its bundled sample (48 real PUD and TALPCo sentences in 7 languages).

    The demo copies the sample corpus and its manifest into the output folder, validates them,
    describes the corpus, segments and splits every side with the default annotators (scoring the
    machine tokens against the sample's gold), aligns the Thai and English sentences and words, and
    checks the result against the
    lancang-zh-asean-parallel profile, writing a JSON and an HTML report. It writes only into that
    folder.

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

    click.echo("\n3. segment words and split sentences on every side with the default annotators")
    checked = corpus
    annotated = out / "annotated.jsonl"
    try:
        st = _annotate(corpus, annotated)
    except LancangError as exc:
        click.echo(f"   skipped: {str(exc).splitlines()[0]}")
        if "pip install" not in str(exc):
            click.echo('   (every language backend installs with: pip install "lancang[all]")')
    else:
        for x in st["layers"]:
            click.echo(f"   {x['layer']:<9} {x['lang']:<8} {x['annotator']:<12} "
                       f"{x['sides']:>3} sides {x['spans']:>5} spans")
        ev = _evaluate(annotated, corpus)
        _write_json(out / "accuracy.json", ev)
        click.echo("   machine tokens against the sample's gold tokens (word boundary F1, SIGHAN style):")
        click.echo("   " + ", ".join(f"{lang} {sc['f1']:.3f}" for lang, sc in ev["languages"].items() if sc["gold"]))
        checked = annotated
        click.echo("\n   align sentences (beads) and words (links) between the Thai and English sides")
        try:
            from ..annotators.align.records import align_sentences_file, align_words_file

            beads, aligned = out / "beads.jsonl", out / "aligned.jsonl"  # an output never replaces its input
            sb = align_sentences_file(annotated, beads, src="th", tgt="en", replace=True)
            wb = align_words_file(beads, aligned, src="th", tgt="en", replace=True)
        except (LancangError, ImportError) as exc:
            click.echo(f"   alignment skipped: {str(exc).splitlines()[0]}")
        else:
            click.echo(f"   {_counts(sb)}; {_counts(wb)}")
            checked = aligned

    click.echo("\n4. check it against the Chinese-ASEAN parallel corpus profile (a lancang proposal)")
    profile = load_profile("lancang-zh-asean-parallel")
    rep = check(checked, [profile], manifest)
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
        f.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))


def _annotate(corpus: Path, target: Path) -> dict:
    """Machine tokens and sentences on every side of the sample's plain texts (gold layers left out)."""
    from ..annotators.pipeline import Pipeline, PipelineConfig, annotate_file
    from ..corpora.jsonl import read_records, write_records

    raw = target.with_name("raw.jsonl")
    write_records(raw, ({**{k: v for k, v in r.items() if k not in ("sides", "links")},
                         "sides": {lang: {"text": s["text"]} for lang, s in r["sides"].items()}}
                        for r in read_records(corpus)))
    pipeline = Pipeline.build(PipelineConfig(layers=("tokens", "sentences")))
    return annotate_file(raw, target, pipeline).to_dict()


def _evaluate(pred: Path, gold: Path) -> dict:
    from ..quality.evaluate import evaluate_files

    return evaluate_files(str(pred), str(gold), layer="tokens")[0]["accuracy"]["tokens"]


def _counts(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in d.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
