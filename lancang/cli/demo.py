"""``lancang demo``: the main job end to end on the bundled sample corpus."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from .. import __version__
from ..corpora.jsonl import atomic_output
from ..corpora.samples import sample_path
from ..corpora.stats import corpus_stats
from ..standards.checker import check
from ..standards.profiles import load_profile
from ..standards.report import render_html
from .common import InputProblem, handle_errors
from .stats import render_stats
from .validate import run_validation


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="lancang-demo", show_default=True,
              help="Folder for the demo's outputs (created if missing; existing demo files are replaced).")
@handle_errors
def demo(out_dir: str) -> None:
    """Run lancang on its bundled sample (48 real PUD and TALPCo sentences in 7 languages).

    The demo copies the sample corpus and its manifest into the output folder, validates them,
    describes the corpus and checks it against the lancang-zh-asean-parallel profile, writing a JSON
    and an HTML report. It writes only into that folder.

    \b
    Examples:
      lancang demo
      lancang demo --out /tmp/lancang-demo
    """
    out = Path(out_dir).resolve()
    package = Path(__file__).resolve().parents[1]
    if out == package or package in out.parents:
        raise InputProblem(f"{out}: the demo does not write into the installed package; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    corpus, manifest = out / "corpus.jsonl", out / "manifest.json"
    for src, dst in ((sample_path("sample.jsonl"), corpus), (sample_path("sample.manifest.json"), manifest)):
        with atomic_output(dst) as f:
            f.write(src.read_bytes())
    click.echo(f"lancang {__version__} demo -> {out}")

    click.echo("\n1. validate the corpus and its manifest")
    reports, findings = [], []
    for report, found in run_validation([str(corpus)], [str(manifest)]):
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
    click.echo("   " + render_stats(st, corpus.name).replace("\n", "\n   "))

    click.echo("\n3. check it against the Chinese-ASEAN parallel corpus profile (a lancang proposal)")
    profile = load_profile("lancang-zh-asean-parallel")
    rep = check(corpus, [profile], manifest)
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
