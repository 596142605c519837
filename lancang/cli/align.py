"""``lancang align``: sentence beads for document pairs, token links for sentence pairs."""

from __future__ import annotations


import click

from ..errors import UsageError
from .common import handle_errors, key_values, record_progress


@click.command()
@click.argument("source", type=click.Path(allow_dash=True))
@click.argument("target", type=click.Path(allow_dash=True))
@click.option("--sentences", "mode", flag_value="sentences", help="Align the sentences of document pairs (beads).")
@click.option("--words", "mode", flag_value="words", help="Align the tokens of sentence pairs (token links).")
@click.option("--src", metavar="TAG", help="Source side (default: the first of a record's two sides).")
@click.option("--tgt", metavar="TAG", help="Target side (default: the second).")
@click.option("--aligner", metavar="NAME",
              help="Sentences: lancang (default) or gale-church. Words: gibbs (default: Bayesian HMM with "
                   "fertility, Gibbs sampling), ibm2 (fast_align's Model 2 by EM) or eflomal (GPL-3.0, "
                   'pip install "lancang[eflomal]").')
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
@click.option("--progress/--no-progress", default=True, help="Progress counter on stderr (only on a terminal).")
@handle_errors
def align(source: str, target: str, mode: str | None, src: str | None, tgt: str | None, aligner: str | None,
          settings: tuple[str, ...], split: bool, model_dir: str | None, save_model: str | None,
          symmetrize: str | None, replace: bool, progress: bool) -> None:
    """Align parallel corpora: sentences of document pairs into n-m beads, or tokens of sentence pairs.

    --sentences reads records holding one document per side (the side's text and its sentences
    layer) and adds a beads link with a score per bead (0-1: weak beads score low). --words reads
    records with tokens layers (aligned bead by bead where a beads link exists) and adds a tokens
    link; links both directions agree on are sure (S), the others possible (P). A model is learned
    from the whole input first, so the input is read twice.

    \b
    Examples:
      lancang align docs.jsonl beads.jsonl --sentences
      lancang align docs.jsonl beads.jsonl --sentences --split --src zh-Hans --tgt th
      lancang align pairs.jsonl links.jsonl --words --save-model zh-en.model
      lancang align new.jsonl links.jsonl --words --model zh-en.model
      lancang align pairs.jsonl links.jsonl --words --aligner eflomal
    """
    from ..annotators.align import records as rec

    if mode is None:
        raise UsageError("choose --sentences (beads of document pairs) or --words (token links of sentence pairs)")
    config = key_values(settings, "--set")
    with record_progress(f"aligning {mode}", progress) as tick:
        if mode == "sentences":
            if model_dir or save_model or symmetrize:
                raise UsageError("--model, --save-model and --symmetrize apply to --words")
            out = rec.align_sentences_file(source, target, src, tgt, aligner or "lancang", config, split, replace, tick)
            msg = (f"{out['records']:,} records, {out['beads']:,} beads, {out['weak_beads']:,} with score < 0.5")
        else:
            if split:
                raise UsageError("--split applies to --sentences")
            out = rec.align_words_file(source, target, src, tgt, aligner or "gibbs", config, model_dir, save_model,
                                       symmetrize, replace, progress=tick)
            msg = (f"{out['records']:,} records, {out['pairs']:,} sentence pairs, "
                   f"{out['links']:,} links ({out['sure']:,} sure)")
    click.echo(msg, err=True)
