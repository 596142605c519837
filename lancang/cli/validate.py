"""``lancang validate``: records and manifests against the schemas and the model's invariants."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import click
import orjson

from .. import __version__
from ..findings import Finding
from ..pipeline.oneoff import validate_files
from ..schemas.validator import ENGINES, FileReport
from .common import (
    InputProblem,
    Reading,
    echo_json,
    format_option,
    handle_errors,
    input_options,
    jobs_option,
    progress_option,
    quiet_option,
    record_progress,
)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--manifest", "manifests", multiple=True, type=click.Path(allow_dash=False),
              help="Validate this file as a manifest (files named *.json are manifests anyway).")
@format_option("text", "json", "jsonl")
@click.option("--engine", type=click.Choice(ENGINES), default="rs", show_default=True,
              help="JSON Schema engine: rs = jsonschema-rs (fast), py = the jsonschema package (reference).")
@click.option("--max-findings", type=click.IntRange(min=0), default=100, show_default=True,
              help="Show at most this many findings per rule and file (0 = all); counts stay complete.")
@click.option("--media-root", type=click.Path(exists=True, file_okay=False), default=None,
              help="Check each side's media file (found under this folder for relative URIs): missing, sha256, "
                   "duration, rate and channels against the record.")
@input_options()
@jobs_option()
@quiet_option
@progress_option
@handle_errors
def validate(files: tuple[str, ...], manifests: tuple[str, ...], fmt: str, engine: str, max_findings: int,
             media_root: str | None, reading: Reading, jobs: int, quiet: bool, progress: bool) -> None:
    """Check corpora and manifests against lancang's schemas and the model's invariants.

    A corpus may be in any readable format (JSONL, TMX, XLIFF, CoNLL-U, a Label Studio export...):
    records read from it are checked as lancang records. Each finding gives file, line (JSONL) or
    record id, JSON pointer, severity and a stable rule id. The run goes on past bad JSONL lines to
    the end of every file; a file another format's reader cannot read is reported as not read (exit
    2). Manifests (*.json holding an object) are validated first; records are then also checked
    against a valid manifest's languages and people (warnings).

    \b
    Examples:
      lancang validate corpus.jsonl
      lancang validate corpus.jsonl.gz manifest.json --format json
      lancang validate big.jsonl --jobs 2
      cat corpus.jsonl | lancang validate - --quiet
      lancang validate export.json --from labelstudio --src th
      lancang validate speech.jsonl --media-root audio/

    Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 a file could not be read.
    """
    shown: Counter[tuple[str, str]] = Counter()
    reports: list[FileReport] = []
    collected: list[dict[str, Any]] = []
    out = sys.stdout
    with record_progress("validating", fmt == "text" and progress, quiet) as counter:
        for report, findings in validate_files(list(files), manifests=list(manifests), engine=engine, jobs=jobs,
                                               progress=counter, media_root=media_root, **reading.kwargs()):
            reports.append(report)
            _emit(report, findings, fmt, quiet, max_findings, shown, collected, out)
    hidden = sum(max(0, c - max_findings) for c in shown.values()) if max_findings else 0
    errors = sum(r.errors for r in reports)
    unusable = [r for r in reports if r.unusable]
    status = "unusable" if unusable else ("invalid" if errors else "valid")
    if fmt == "json":
        doc = {"lancang": __version__, "command": "validate", "engine": engine, "status": status,
               "files": [r.to_dict() for r in reports], "findings": collected, "findings_not_shown": hidden}
        echo_json(doc)
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
