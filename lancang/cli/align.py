"""``lancang align``: sentence beads for document pairs, token links for sentence pairs, or both."""

from __future__ import annotations

import click

from .common import Reading, handle_errors, input_options, key_values, manifest_option, progress_option, record_progress


@click.command()
@click.argument("source", type=click.Path(allow_dash=True))
@click.argument("target", type=click.Path(allow_dash=True))
@click.option("--sentences", is_flag=True, help="Align the sentences of document pairs (beads).")
@click.option("--words", is_flag=True,
              help="Align the tokens of sentence pairs (token links); after --sentences, bead by bead.")
@input_options(lang_help="Source side (default: the first of a record's two sides); also the language of "
                         "formats that do not name theirs.")
@click.option("--aligner", "aligners", multiple=True, metavar="NAME",
              help="Sentences: lancang (default) or gale-church. Words: gibbs (default: Bayesian HMM with "
                   "fertility, Gibbs sampling), ibm2 (fast_align's Model 2 by EM) or eflomal (GPL-3.0, "
                   'pip install "lancang[eflomal]"). With --sentences --words, one of each.')
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Aligner configuration (value parsed as JSON if it can be), e.g. band=50 or prefix=5.")
@click.option("--split", is_flag=True,
              help="Sentences: split sides without a sentences layer with the rule-based splitter.")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Words: align with a saved model instead of training on the input.")
@click.option("--save-model", type=click.Path(file_okay=False), metavar="DIR",
              help="Words: save the trained model here.")
@click.option("--symmetrize", type=click.Choice(["intersection", "union", "grow-diag", "grow-diag-final",
                                                 "grow-diag-final-and"]),
              help="Words: how the two directions are combined (default grow-diag-final-and).")
@click.option("--replace", is_flag=True, help="Replace a link of the same kind between the same sides.")
@manifest_option
@progress_option
@handle_errors
def align(source: str, target: str, sentences: bool, words: bool, reading: Reading, aligners: tuple[str, ...],
          settings: tuple[str, ...], split: bool, model_dir: str | None, save_model: str | None,
          symmetrize: str | None, replace: bool, manifest: str | None, progress: bool) -> None:
    """Align parallel corpora: sentences of document pairs into n-m beads, tokens of sentence pairs, or both.

    --sentences reads records holding one document per side (the side's text and its sentences
    layer) and adds a beads link with a score per bead (0-1: weak beads score low). --words reads
    records with tokens layers (aligned bead by bead where a beads link exists) and adds a tokens
    link; links both directions agree on are sure (S), the others possible (P). Both flags run the
    two in that order. A model is learned from the whole input first, so the input is read twice.
    Reads any format (`lancang formats`); writes lancang JSONL.

    \b
    Examples:
      lancang align docs.jsonl beads.jsonl --sentences
      lancang align docs.jsonl beads.jsonl --sentences --split --src zh-Hans --tgt th
      lancang align docs.jsonl aligned.jsonl --sentences --words --aligner gale-church --aligner ibm2
      lancang align pairs.jsonl links.jsonl --words --save-model zh-en.model
      lancang align new.jsonl links.jsonl --words --model zh-en.model
      lancang align memory.tmx links.jsonl --words --aligner eflomal
    """
    from ..annotators.align.records import align_file

    steps = " and ".join(s for s, on in (("sentences", sentences), ("words", words)) if on) or "nothing"
    with record_progress(f"aligning {steps}", progress) as tick:
        out = align_file(source, target, sentences=sentences, words=words, src=reading.src, tgt=reading.tgt,
                         aligners=aligners, config=key_values(settings, "--set"), split=split, model_dir=model_dir,
                         save_model=save_model, symmetrize=symmetrize, replace=replace, progress=tick,
                         fmt=reading.fmt, options=reading.options, manifest=manifest)
    if "sentences" in out:
        s = out["sentences"]
        click.echo(f"{s['records']:,} records, {s['beads']:,} beads, {s['weak_beads']:,} with score < 0.5", err=True)
    if "words" in out:
        w = out["words"]
        click.echo(f"{w['records']:,} records, {w['pairs']:,} sentence pairs, {w['links']:,} links "
                   f"({w['sure']:,} sure)", err=True)
