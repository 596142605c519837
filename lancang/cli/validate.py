"""``lancang validate``: records and manifests against the schemas and the model's invariants."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import click
import orjson

from .. import __version__
from ..errors import InputError
from ..findings import Finding
from ..corpora.jsonl import is_stdio
from ..schemas.validator import (ENGINES, FileReport, RecordValidator, check_manifest, is_manifest_path,
                                  manifest_context)
from .common import InputProblem, format_option, record_progress


def run_validation(paths: list[str], manifests: list[str], engine: str = "rs",
                   progress: Callable[[int], None] | None = None) -> Iterator[tuple[FileReport, Iterator[Finding]]]:
    """Yield (report, findings) per file; the report's counts are final once findings are consumed."""
    rv: RecordValidator | None = None
    manifests = list(manifests) + [p for p in paths if is_manifest_path(p) and p not in manifests]
    records = [p for p in paths if p not in manifests]
    contexts = []
    for path in manifests + records:
        manifest = path in manifests
        if not manifest and rv is None:
            ctx = next((c for c in contexts if c is not None), None)
            rv = RecordValidator(engine, context=ctx)
        report = FileReport(path, kind="manifest" if manifest else "records")
        try:
            if manifest:
                findings = check_manifest(path, engine, report)
                contexts.append(manifest_context(path) if not is_stdio(path) else None)
            else:
                assert rv is not None
                findings = rv.validate_file(path, report, progress)
            yield report, _guard(findings, report)
        except InputError as exc:
            report.unusable = str(exc)
            yield report, iter(())


def _guard(findings: Iterator[Finding], report: FileReport) -> Iterator[Finding]:
    """Opening errors surface at the first ``next()``; record them on the report instead."""
    try:
        yield from findings
    except InputError as exc:
        report.unusable = str(exc)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--manifest", "manifests", multiple=True, type=click.Path(allow_dash=False),
              help="Validate this file as a manifest (files named *.json are manifests anyway).")
@format_option("text", "json", "jsonl")
@click.option("--engine", type=click.Choice(ENGINES), default="rs", show_default=True,
              help="JSON Schema engine: rs = jsonschema-rs (fast), py = the jsonschema package (reference).")
@click.option("--max-findings", type=click.IntRange(min=0), default=100, show_default=True,
              help="Show at most this many findings per rule and file (0 = all); counts stay complete.")
@click.option("-q", "--quiet", is_flag=True, help="Text format: print only the summary.")
def validate(files: tuple[str, ...], manifests: tuple[str, ...], fmt: str, engine: str, max_findings: int,
             quiet: bool) -> None:
    """Check corpus files (JSONL records) and manifests against lancang's schemas and invariants.

    Each finding gives file, line, record id, JSON pointer, severity and a stable rule id. The run goes
    on past bad lines to the end of every file. Manifests are validated first; records are then also
    checked against a valid manifest's languages and people (warnings).

    \b
    Examples:
      lancang validate corpus.jsonl
      lancang validate corpus.jsonl.gz manifest.json --format json
      cat corpus.jsonl | lancang validate - --quiet

    Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 a file could not be read.
    """
    shown: Counter[tuple[str, str]] = Counter()
    reports: list[FileReport] = []
    collected: list[dict[str, Any]] = []
    out = sys.stdout
    with record_progress("validating", fmt == "text") as progress:
        for report, findings in run_validation(list(files), list(manifests), engine, progress):
            reports.append(report)
            _emit(report, findings, fmt, quiet, max_findings, shown, collected, out)
    hidden = sum(max(0, c - max_findings) for c in shown.values()) if max_findings else 0
    errors = sum(r.errors for r in reports)
    unusable = [r for r in reports if r.unusable]
    status = "unusable" if unusable else ("invalid" if errors else "valid")
    if fmt == "json":
        doc = {"lancang": __version__, "command": "validate", "engine": engine, "status": status,
               "files": [r.to_dict() for r in reports], "findings": collected, "findings_not_shown": hidden}
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    elif fmt == "text":
        for r in reports:
            if r.unusable:
                out.write(f"{r.path}: not read: {r.unusable}\n")
            else:
                unit = "manifest" if r.kind == "manifest" else "records"
                skipped = f", {r.unreadable} unreadable lines" if r.unreadable else ""
                out.write(f"{r.path}: {r.records} {unit}{skipped}, {r.valid} valid, {r.errors} errors, "
                          f"{r.warnings} warnings\n")
        if hidden:
            out.write(f"({hidden} more findings not shown; use --max-findings 0 to see all)\n")
        out.write({"valid": "VALID", "invalid": "INVALID", "unusable": "NOT VALIDATED"}[status] + "\n")
    if unusable:
        raise SystemExit(InputProblem.exit_code)
    if errors:
        raise SystemExit(1)


def _emit(report: FileReport, findings: Iterator[Finding], fmt: str, quiet: bool, max_findings: int,
          shown: Counter[tuple[str, str]], collected: list[dict[str, Any]], out: Any) -> None:
    for f in findings:
        key = (report.path, f.rule)
        shown[key] += 1
        if max_findings and shown[key] > max_findings:
            continue
        if fmt == "text":
            if not quiet:
                out.write(f.render() + "\n")
        elif fmt == "jsonl":
            out.flush()
            sys.stdout.buffer.write(orjson.dumps(f.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
        else:
            collected.append(f.to_dict())
    if report.unusable and fmt != "json":
        click.echo(f"lancang validate: error: {report.unusable}", err=True)
