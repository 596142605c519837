"""``lancang manifest``: the corpus's datasheet and its processing log."""

from __future__ import annotations

import click

from ..corpora.io import atomic_output
from .common import (
    InputProblem,
    Reading,
    handle_errors,
    input_options,
    json_bytes,
    output_option,
)


@click.group()
def manifest() -> None:
    """Make and keep the manifest (datasheet) whose processing log the verbs append to."""


@manifest.command("init")
@click.argument("corpus", type=click.Path(allow_dash=True))
@output_option(help="Manifest to write (default: standard output).")
@click.option("--id", "corpus_id", metavar="ID", help="Corpus id (default: the corpus file's name).")
@click.option("--title", metavar="TEXT", help="Title in English (default: the id).")
@click.option("--license", "license_", metavar="SPDX", help="Licence of the corpus (default: a TODO to fill in).")
@click.option("--source", metavar="TEXT", help="Where the texts come from (default: a TODO to fill in).")
@click.option("--force", is_flag=True, help="Replace an existing manifest (its processing log is lost).")
@input_options()
@handle_errors
def init(corpus: str, output: str | None, corpus_id: str | None, title: str | None, license_: str | None,
         source: str | None, force: bool, reading: Reading) -> None:
    """Scaffold a manifest from a corpus: languages and size read from it, a preparation step with its
    sha256, licence and source left to fill in.

    Verbs given `--manifest` append their steps to it (clean, mask, annotate, align, convert, sample,
    inspect), so `lancang check -p gb-t-40035-2021` judges the processing flow on the tool's own
    evidence.

    \b
    Examples:
      lancang manifest init corpus.jsonl -o manifest.json --license CC-BY-4.0 --source "in-house translation"
      lancang manifest init memory.tmx
    """
    from pathlib import Path

    from ..corpora.manifest import init_manifest

    out = output or "-"
    if out != "-" and Path(out).exists() and not force:
        raise InputProblem(f"{out}: exists; its processing log would be lost (give --force to replace it)")
    doc = init_manifest(corpus, id=corpus_id, title=title, license=license_, source=source, **reading.kwargs())
    with atomic_output(out) as f:
        f.write(json_bytes(doc))
    if out != "-":
        click.echo(f"{corpus} -> {out}: {doc['size']['records']:,} records in {', '.join(doc['languages'])}", err=True)
