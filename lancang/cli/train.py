"""``lancang train lexicon``, ``lancang train sentencepiece`` and ``lancang train ner``: models made from a
corpus itself."""

from __future__ import annotations

import click

from ..errors import UsageError
from ..quality.scores import shown
from .common import Reading, handle_errors, input_options, output_option


@click.group()
def train() -> None:
    """Make models from a corpus: a segmentation lexicon from gold, a SentencePiece model, or an NER model.

    \b
    Examples:
      lancang train lexicon th_tud-ud-train.conllu -o tud.lex --heldout th_tud-ud-dev.conllu
      lancang train sentencepiece corpus.jsonl --src th -o th.model --vocab-size 8000
      lancang train ner train.conll -o id-ner --src id --dev dev.conll
    """


@train.command()
@click.argument("gold", type=click.Path(allow_dash=True))
@output_option(required=True, help="Lexicon file to write (TSV).")
@input_options(lang_help="Use only sides in this language (and name the language of a file that does not).",
               old_from=("--gold-format",), old_src=("--lang",))
@click.option("--max-ngram", type=click.IntRange(2, 6), default=3, show_default=True,
              help="Longest run of gold words counted as a split form.")
@click.option("--min-split", type=click.IntRange(1), default=1, show_default=True,
              help="Times a string must be split in the gold to become a split entry.")
@click.option("--heldout", type=click.Path(allow_dash=True), metavar="GOLD2",
              help="Held-out gold (read like GOLD): report F1 of the segmenter without and with the lexicon on it.")
@click.option("--for", "use", metavar="NAME",
              help="Segmenter the lexicon is for: split forms it never produces on the gold texts are dropped "
                   "(a much smaller file), and --heldout measures it (default there: the language's).")
@handle_errors
def lexicon(gold: str, output: str, reading: Reading, max_ngram: int, min_split: int, heldout: str | None,
            use: str | None) -> None:
    """Derive a segmentation lexicon from a gold-segmented corpus so a segmenter follows its standard.

    GOLD is any corpus with tokens (lancang JSONL, CoNLL-U with surface tokens and the language from
    --src or the UD file name, CoNLL, DocBin, ...). The lexicon keeps the words the gold writes whole
    and the strings it splits; pass it to any segmenter with `--set NAME.lexicon=FILE`. With
    --heldout, the segmenter is run on held-out gold with and without the lexicon and both scores
    are printed.

    \b
    Examples:
      lancang train lexicon th_tud-ud-train.conllu -o tud.lex --heldout th_tud-ud-dev.conllu
      lancang train lexicon gold.jsonl --src zh -o zh.lex --for jieba
      lancang annotate corpus.jsonl out.jsonl --set jieba.lexicon=zh.lex
    """
    from ..annotators.lexicon import train_lexicon

    res = train_lexicon(gold, output=output, lang=reading.src, fmt=reading.fmt, langs=reading.langs,
                        options=reading.options, max_ngram=max_ngram, min_split=min_split, use=use, heldout=heldout)
    click.echo(f"{gold} -> {output}: {res['entries']:,} words ({res['joins']:,} kept whole), {res['splits']:,} split "
               f"forms, from {res['sentences']} sentences, {res['tokens']} tokens", err=output == "-")
    h = res.get("heldout")
    if h:
        gain = "-" if None in (h["f1_with"], h["f1_without"]) else f"{h['f1_with'] - h['f1_without']:+.4f}"
        click.echo(f"held-out {heldout} ({h['annotator']}, {h['sides']:,} sides, {h['gold']:,} gold words): "
                   f"F1 {shown(h['f1_without'])} without the lexicon, {shown(h['f1_with'])} with it ({gain})",
                   err=output == "-")


@train.command()
@click.argument("corpus", type=click.Path(allow_dash=True))
@input_options(lang_help="Train on the sides in this language (required).", tgt=False,
               old_from=("--format",), old_src=("--lang",))
@output_option(required=True, help="Model file to write (.model).")
@click.option("--vocab-size", type=click.IntRange(8), default=8000, show_default=True,
              help="Target vocabulary (a small corpus may give fewer pieces).")
@click.option("--model-type", type=click.Choice(["unigram", "bpe", "char", "word"]), default="unigram",
              show_default=True)
@click.option("--character-coverage", type=click.FloatRange(0.9, 1.0), default=0.9995, show_default=True)
@click.option("--max-sentences", type=click.IntRange(1), default=1_000_000, show_default=True,
              help="Lines sampled for training (bounds memory).")
@handle_errors
def sentencepiece(corpus: str, reading: Reading, output: str, vocab_size: int, model_type: str,
                  character_coverage: float, max_sentences: int) -> None:
    """Train a SentencePiece subword model from the corpus's own text in one language.

    The text of every side in --src of a corpus in any format is streamed to the trainer (offline;
    nothing is downloaded); use the model with `--use LANG=sentencepiece --set sentencepiece.model=FILE`.

    \b
    Examples:
      lancang train sentencepiece corpus.jsonl --src th -o th.model
      lancang annotate corpus.jsonl out.jsonl --use th=sentencepiece --set sentencepiece.model=th.model
    """
    from ..annotators.subword import train_model

    if not reading.src:
        raise UsageError("give the language to train on with --src")
    st = train_model(corpus, output=output, lang=reading.src, fmt=reading.fmt, options=reading.options,
                     vocab_size=vocab_size, model_type=model_type, character_coverage=character_coverage,
                     max_sentences=max_sentences)
    click.echo(f"{corpus} -> {output}: {st['vocab_size']:,} pieces ({st['model_type']}) "
               f"from {st['sentences']:,} lines, {st['characters']:,} characters")


@train.command()
@click.argument("gold", type=click.Path(allow_dash=True))
@output_option(required=True, file_okay=False, dir_okay=True,
               help="Directory to write the model to: a spaCy pipeline or a CRF model (must not exist unless --force).")
@input_options(lang_help="Language: train on the sides in it (zh, th, id, ms, vi, ...). Required.", tgt=False,
               old_from=("--format",), old_src=("--lang",))
@click.option("--dev", metavar="DEV", type=click.Path(allow_dash=True),
              help="Held-out gold (read like GOLD): P/R/F1 after every spaCy epoch or CRF trial; the best is kept.")
@click.option("--epochs", type=click.IntRange(1), default=10, show_default=True)
@click.option("--batch-size", type=click.IntRange(1), default=8, show_default=True, help="Sentences per update.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Random seed (spaCy's and the shuffling).")
@click.option("--limit", type=click.IntRange(1), metavar="N", help="Train on the first N gold sentences only.")
@click.option("--name", default="ner", show_default=True, help="Model name in its meta.json (and provenance).")
@click.option("--model-version", default="0.1.0", show_default=True, help="Model version in its meta.json.")
@click.option("--force", is_flag=True, help="Replace the output directory if it exists.")
@click.option("--backend", type=click.Choice(["spacy", "crf", "auto"]), default="spacy", show_default=True,
              help="spacy: a spaCy ner pipeline; crf: a CRF with rich features (python-crfsuite), feature set "
                   "and c1/c2 chosen by --dev score; auto: train both and keep the better on --dev.")
@click.option("--max-iterations", type=click.IntRange(1), default=150, show_default=True,
              help="CRF: L-BFGS iterations per trial (--epochs is spaCy's).")
@handle_errors
def ner(gold: str, output: str, reading: Reading, dev: str | None, epochs: int, batch_size: int, seed: int,
        limit: int | None, name: str, model_version: str, force: bool, backend: str, max_iterations: int) -> None:
    """Train a named-entity model (spaCy, or a CRF) from gold entities, offline, for `lancang annotate`.

    GOLD is any format with entities (conll, jsonl, brat, labelstudio, doccano, docbin..., or inline
    for [TAG]...[/TAG] lines). A blank spaCy pipeline for --src gets an ner component trained on the
    gold sides in that language (spaCy's tokenizer; Chinese one token a character). Entities whose
    ends fall inside a spaCy token are widened to it, and overlapping or discontinuous ones are left
    out: both are counted and printed. With --dev, each epoch is scored with lancang's entity scorer
    (exact match, micro P/R/F1, as `lancang evaluate --layer entities`) and the best epoch is kept.
    The model is written atomically; use it with `--use LANG=spacy-ner --set spacy-ner.model=DIR`.

    With --backend crf a CRF (python-crfsuite) tags characters (Chinese: with jieba's word boundaries
    and a lexicon of the training entities as features) or words (Thai: newmm's) with BIOES labels;
    with --dev its feature set and c1/c2 are chosen by dev exact F1. Use it with `--use
    LANG=crf-ner --set crf-ner.model=DIR`. --backend auto trains both and keeps the better on --dev.

    \b
    Examples:
      lancang train ner train_preprocess.txt --from conll --src id -o id-ner --dev valid_preprocess.txt
      lancang train ner weiboNER.train --from conll -I seg_suffix=true --src zh -o zh-ner
      lancang train ner thainer/train.txt --from inline --src th -o th-ner --epochs 5
      lancang train ner weibo.train --from conll -I seg_suffix=true --src zh -o zh-crf --backend crf --dev weibo.dev
      lancang annotate corpus.jsonl out.jsonl --layers entities --use id=spacy-ner --set spacy-ner.model=id-ner
    """
    from ..annotators.ner_crf import train_model

    if not reading.src:
        raise UsageError("give the language to train on with --src")
    res = train_model(gold, output=output, lang=reading.src, backend=backend, fmt=reading.fmt,
                      options=reading.options, dev=dev, epochs=epochs, batch_size=batch_size, seed=seed, limit=limit,
                      max_iterations=max_iterations, name=name, version=model_version, force=force, echo=click.echo)
    perf = res["performance"]
    f1 = f" (dev exact F1 {shown(perf['ents_f'])})" if perf else ""
    if "compared" in res:
        c = res["compared"]
        click.echo(f"auto: dev exact F1 spaCy {shown(c['spacy'])}, CRF {shown(c['crf'])}: keeping the "
                   f"{'CRF' if res['backend'] == 'crf' else 'spaCy'} model")
    if res["backend"] == "crf":
        click.echo(f"{output}: CRF model {res['pipeline']} {model_version}, features {'+'.join(res['features'])}, "
                   f"c1={res['c1']:g} c2={res['c2']:g}{f1}, trained in {res['train_seconds']:.1f} s; labels "
                   f"{', '.join(res['labels'])}; use it with --use {reading.src}=crf-ner --set crf-ner.model={output}")
    else:
        click.echo(f"{output}: spaCy pipeline {res['pipeline']} {model_version}, epoch {res['best_epoch']}{f1}; "
                   f"labels {', '.join(res['labels'])}")
