"""``lancang stats``: what a corpus holds, in one streaming pass."""

from __future__ import annotations

import sys
from typing import Any

import click
import orjson

from ..corpora.stats import corpus_stats
from .common import format_option, handle_errors


@click.command()
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@format_option("text", "json")
@handle_errors
def stats(file: str, fmt: str) -> None:
    """Describe a corpus: records, sides, languages, characters, tokens, layers, labels, provenance, links.

    \b
    Examples:
      lancang stats corpus.jsonl
      lancang stats corpus.jsonl.gz --format json > stats.json
    """
    st = corpus_stats(file).to_dict()
    if fmt == "json":
        sys.stdout.buffer.write(orjson.dumps(st, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
        return
    click.echo(render_stats(st, file))


def render_stats(st: dict[str, Any], title: str) -> str:
    """The stats dict as a plain-text report (stable, diff-friendly)."""
    lines = [f"{title}", f"  records: {st['records']}   documents: {st['documents']}   sides: {st['sides']}"
             + (f"   skipped lines: {st['skipped_lines']}" if st["skipped_lines"] else "")]
    langs = st["languages"]
    if langs:
        cols = ["sides", "characters", "tokens", "sentences", "entities", "relations", "empty"]
        lines.append("  " + f"{'language':<12}" + "".join(f"{c:>12}" for c in cols))
        for lang, c in langs.items():
            lines.append("  " + f"{lang:<12}" + "".join(f"{c.get(k, 0):>12,}" for k in cols))
    if st["layers"]:
        lines.append("  layers: " + ", ".join(f"{k} {v}" for k, v in st["layers"].items()))
    if st["provenance"]:
        lines.append("  provenance: " + "; ".join(
            f"{k}: " + ", ".join(f"{m} {n}" for m, n in v.items()) for k, v in st["provenance"].items()))
    if st["labels"]:
        lines.append("  entity labels: " + ", ".join(f"{k} {v}" for k, v in list(st["labels"].items())[:20]))
    if st["links"]:
        lines.append("  links: " + ", ".join(f"{k} {v}" for k, v in st["links"].items()))
    if st["bead_types"]:
        lines.append("  beads: " + ", ".join(f"{k} {v}" for k, v in st["bead_types"].items()))
    return "\n".join(lines)
