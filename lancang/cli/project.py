"""``lancang project``: carry one side's entities to another side through the token links."""

from __future__ import annotations

import click

from .common import (
    Reading,
    corpus_format_option,
    handle_errors,
    input_options,
    key_values,
    manifest_option,
    out_options_option,
    progress_option,
    record_progress,
)


@click.command()
@click.argument("source", type=click.Path(allow_dash=True))
@click.argument("target", type=click.Path(allow_dash=True))
@click.option("--layer", default="entities", show_default=True, metavar="LAYER",
              help="The labelled-span layer to project.")
@input_options(lang_help="Side whose entities are projected (default: the first of a record's two sides); "
                         "also the language of formats that do not name theirs.")
@click.option("--max-gap", type=click.IntRange(0), default=1, show_default=True,
              help="Target tokens in a row inside a projected span that no source token of the entity is "
                   "aligned with; a longer gap splits the projection and its strongest part is kept.")
@click.option("--possible-weight", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Weight of a possible (P) link; a sure (S) link weighs 1.")
@click.option("--possible-links", type=click.Choice(["fallback", "always"]), default="fallback", show_default=True,
              help="Follow a token's possible (P) links only where it has no sure (S) link, or always.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Drop projected entities whose confidence (aligned share of their source tokens, "
                   "weighted) is lower.")
@click.option("--keep-punct", is_flag=True,
              help="Treat punctuation as words: follow the source entity's and keep the target's at span edges.")
@click.option("--overwrite", is_flag=True, help="Replace the layer where the target side has it (default: keep it).")
@corpus_format_option
@out_options_option
@manifest_option
@progress_option
@handle_errors
def project(source: str, target: str, layer: str, reading: Reading, max_gap: int, possible_weight: float,
            possible_links: str, min_confidence: float, keep_punct: bool, overwrite: bool, out_format: str | None,
            out_options: tuple[str, ...], manifest: str | None, progress: bool) -> None:
    """Project entities from one side to another through the word alignment (token links).

    Each source entity becomes the contiguous span of the target tokens its tokens are aligned with
    (one-to-many links included; unaligned target tokens inside it allowed up to --max-gap in a
    row; punctuation trimmed at the edges), labelled as in the source, with attrs.confidence (the
    aligned share of its source tokens, possible links weighing less) and attrs.source (the span
    it came from). Where two projections overlap the more confident one is kept and the conflict
    reported. The layer's provenance is auto, naming the aligner and the source layer, so a
    language without an NER model gets pre-annotations to review. The records need tokens on
    both sides (`lancang annotate --layers tokens`) and a tokens link (`lancang align --words`).

    \b
    Examples:
      lancang project aligned.jsonl projected.jsonl --src zh-Hans --tgt th
      lancang project aligned.jsonl projected.jsonl --src id --tgt ms --max-gap 0 --min-confidence 0.8
      lancang project aligned.jsonl - --src zh-Hans --tgt th --manifest manifest.json
    """
    from ..annotators.projection import Settings, project_file

    settings = Settings(max_gap=max_gap, possible_weight=possible_weight, possible_links=possible_links,
                        min_confidence=min_confidence,
                        trim_punct=not keep_punct)
    with record_progress("projecting", progress) as tick:
        st = project_file(source, target, layer=layer, src=reading.src, tgt=reading.tgt, settings=settings,
                          overwrite=overwrite, fmt=reading.fmt, langs=reading.langs, options=reading.options,
                          out_format=out_format, write_options=key_values(out_options, "-O"), manifest=manifest,
                          progress=tick)
    dropped = ", ".join(f"{v:,} {k}" for k, v in sorted(st.dropped.items()))
    click.echo(f"{source} -> {target}: {st.records:,} records, {st.projected:,} projected"
               + (f", {st.kept:,} kept as they were" if st.kept else "")
               + f"; {st.entities_in:,} entities in, {st.entities_out:,} out"
               + (f" (dropped: {dropped})" if dropped else "")
               + (f"; links by {', '.join(sorted(st.aligners))}" if st.aligners else ""), err=True)
    for line in st.conflicts:
        click.echo(f"conflict: {line}", err=True)
