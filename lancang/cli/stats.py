"""``lancang stats``: what a corpus holds, in one streaming pass."""

from __future__ import annotations

import click

from ..corpora.stats import corpus_stats, render_text
from .common import (
    Reading,
    echo_json,
    format_option,
    handle_errors,
    input_options,
)


@click.command()
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@input_options()
@format_option("text", "json")
@handle_errors
def stats(file: str, reading: Reading, fmt: str) -> None:
    """Describe a corpus: records, sides, languages, characters, tokens, layers, labels, provenance, links.

    \b
    Examples:
      lancang stats corpus.jsonl
      lancang stats corpus.jsonl.gz --format json > stats.json
      lancang stats memory.tmx
      lancang stats th_pud-ud-test.conllu --src th
    """
    st = corpus_stats(file, **reading.kwargs()).to_dict()
    if fmt == "json":
        echo_json(st)
        return
    click.echo(render_text(st, file))
