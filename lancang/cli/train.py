"""``lancang train lexicon``, ``lancang train sentencepiece`` and ``lancang train ner``: models made from a
corpus itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from ..errors import UsageError
from .common import handle_errors


@click.group()
def train() -> None:
    """Make models from a corpus: a segmentation lexicon from gold, a SentencePiece model, or a spaCy NER model.

    \b
    Examples:
      lancang train lexicon th_tud-ud-train.conllu -o tud.lex --heldout th_tud-ud-dev.conllu
      lancang train sentencepiece corpus.jsonl --lang th -o th.model --vocab-size 8000
      lancang train ner train.conll -o id-ner --lang id --dev dev.conll
    """


def _side_texts_and_spans(path: str, fmt: str | None, lang: str | None, layer: str | None) -> Iterator[tuple[str, Any]]:
    from ..annotators.gold import read_corpus
    from ..annotators.langs import language

    want = language(lang) if lang else None
    for rec in read_corpus(path, fmt, lang):
        for tag, side in rec.get("sides", {}).items():
            if want and language(tag) != want:
                continue
            if layer is None:
                yield tag, side.get("text", "")
                continue
            lay = side.get("layers", {}).get(layer)
            if lay:
                yield tag, (side["text"], [tuple(s) for s in lay["spans"]])


@train.command()
@click.argument("gold", type=click.Path(allow_dash=True))
@click.option("-o", "--output", required=True, type=click.Path(allow_dash=True), help="Lexicon file to write (TSV).")
@click.option("--lang", metavar="TAG", help="Use only sides in this language (and name a CoNLL-U file's language).")
@click.option("--gold-format", type=click.Choice(["jsonl", "conllu"]), help="Gold format (default: from the name).")
@click.option("--max-ngram", type=click.IntRange(2, 6), default=3, show_default=True,
              help="Longest run of gold words counted as a split form.")
@click.option("--min-split", type=click.IntRange(1), default=1, show_default=True,
              help="Times a string must be split in the gold to become a split entry.")
@click.option("--heldout", type=click.Path(allow_dash=True), metavar="GOLD2",
              help="Held-out gold: report F1 of the segmenter without and with the lexicon on it.")
@click.option("--for", "use", metavar="NAME",
              help="Segmenter the lexicon is for: split forms it never produces on the gold texts are dropped "
                   "(a much smaller file), and --heldout measures it (default there: the language's).")
@handle_errors
def lexicon(gold: str, output: str, lang: str | None, gold_format: str | None, max_ngram: int, min_split: int,
            heldout: str | None, use: str | None) -> None:
    """Derive a segmentation lexicon from a gold-segmented corpus so a segmenter follows its standard.

    GOLD is canonical JSONL with tokens, or CoNLL-U (surface tokens; language from --lang or the
    file name). The lexicon keeps the words the gold writes whole and the strings it splits; pass it
    to any segmenter with `--set NAME.lexicon=FILE`. With --heldout, the segmenter is run on held-out
    gold with and without the lexicon and both scores are printed.

    \b
    Examples:
      lancang train lexicon th_tud-ud-train.conllu -o tud.lex --heldout th_tud-ud-dev.conllu
      lancang train lexicon gold.jsonl --lang zh -o zh.lex --for jieba
      lancang annotate corpus.jsonl out.jsonl --set jieba.lexicon=zh.lex
    """
    from ..annotators.lexicon import Lexicon
    from ..corpora.jsonl import atomic_output

    langs: set[str] = set()

    def pairs() -> Iterator[tuple[str, list[tuple[int, int]]]]:
        for tag, pair in _side_texts_and_spans(gold, gold_format, lang, "tokens"):
            langs.add(tag)
            yield pair

    lex = Lexicon.train(pairs(), max_ngram=max_ngram, min_split=min_split)
    if not lex.counts:
        raise UsageError(f"{gold}: no tokens found" + (f" in sides of language {lang!r}" if lang else ""))
    if use:
        lex.meta["pruned_for"] = use
        lex.prune_splits(_produced(use, _side_texts_and_spans(gold, gold_format, lang, "tokens")))
    lex.meta = {"source": str(gold), "lang": ",".join(sorted(langs)), **lex.meta}
    with atomic_output(output, "w") as f:
        lex.write(f)
    s = lex.summary()
    click.echo(f"{gold} -> {output}: {len(lex):,} words ({s['joins']:,} kept whole), {s['splits']:,} split forms, "
               f"from {lex.meta['sentences']} sentences, {lex.meta['words']} tokens",
               err=output == "-")
    if heldout:
        from ..annotators.lexicon import heldout_gain

        tags = sorted(langs)
        res = heldout_gain(heldout, output, tags[0] if len(tags) == 1 else (lang or tags[0]), use, gold_format)
        click.echo(f"held-out {heldout} ({res['annotator']}, {res['sides']:,} sides, {res['gold']:,} gold words): "
                   f"F1 {res['f1_without']:.4f} without the lexicon, {res['f1_with']:.4f} with it "
                   f"({res['f1_with'] - res['f1_without']:+.4f})", err=output == "-")


def _produced(name: str, items: Iterator[tuple[str, Any]], batch: int = 64) -> Iterator[str]:
    """Token strings a segmenter produces on the texts (to prune split forms)."""
    from ..annotators import spec

    ann = spec(name).build({})
    todo: list[tuple[str, str]] = []

    def run() -> Iterator[str]:
        tags = {t for t, _ in todo}
        for tag in tags:
            texts = [x for t, x in todo if t == tag]
            for text, spans in zip(texts, ann.run("tokens", texts, tag)):
                yield from (text[s:e] for s, e in spans)
        todo.clear()

    for tag, (text, _spans) in items:
        todo.append((tag, text))
        if len(todo) >= batch:
            yield from run()
    yield from run()


@train.command()
@click.argument("corpus", type=click.Path(allow_dash=True))
@click.option("--lang", required=True, metavar="TAG", help="Train on the sides in this language.")
@click.option("-o", "--output", required=True, type=click.Path(), help="Model file to write (.model).")
@click.option("--vocab-size", type=click.IntRange(8), default=8000, show_default=True,
              help="Target vocabulary (a small corpus may give fewer pieces).")
@click.option("--model-type", type=click.Choice(["unigram", "bpe", "char", "word"]), default="unigram",
              show_default=True)
@click.option("--character-coverage", type=click.FloatRange(0.9, 1.0), default=0.9995, show_default=True)
@click.option("--max-sentences", type=click.IntRange(1), default=1_000_000, show_default=True,
              help="Lines sampled for training (bounds memory).")
@click.option("--format", "corpus_format", type=click.Choice(["jsonl", "conllu"]),
              help="Corpus format (default: from the name).")
@handle_errors
def sentencepiece(corpus: str, lang: str, output: str, vocab_size: int, model_type: str, character_coverage: float,
                  max_sentences: int, corpus_format: str | None) -> None:
    """Train a SentencePiece subword model from the corpus's own text in one language.

    The text of every side in --lang is streamed to the trainer (offline; nothing is downloaded);
    use the model with `--use LANG=sentencepiece --set sentencepiece.model=FILE`.

    \b
    Examples:
      lancang train sentencepiece corpus.jsonl --lang th -o th.model
      lancang annotate corpus.jsonl out.jsonl --use th=sentencepiece --set sentencepiece.model=th.model
    """
    from ..annotators import spec
    from ..annotators.subword import train_sentencepiece
    from ..corpora.jsonl import atomic_output

    spec("sentencepiece").require_backend()
    texts = (t for _, t in _side_texts_and_spans(corpus, corpus_format, lang, None))
    with atomic_output(output, "wb") as f:
        st = train_sentencepiece(texts, f, vocab_size=vocab_size, model_type=model_type,
                                 character_coverage=character_coverage, max_sentences=max_sentences)
    click.echo(f"{corpus} -> {output}: {st['vocab_size']:,} pieces ({st['model_type']}) "
               f"from {st['sentences']:,} lines, {st['characters']:,} characters")


@train.command()
@click.argument("gold", type=click.Path(allow_dash=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Directory to write the spaCy pipeline to (must not exist unless --force).")
@click.option("--lang", required=True, metavar="TAG", help="Language: train on the sides in it (zh, th, id, ms, vi, ...).")
@click.option("--format", "gold_format", metavar="FORMAT",
              help="Gold format (default: from the name): any lancang format with entities (conll, jsonl, brat, "
                   "labelstudio, doccano, docbin...), or inline for [TAG]...[/TAG] lines (ThaiNER).")
@click.option("-I", "--in-option", "in_options", multiple=True, metavar="KEY=VALUE",
              help="Reader option, e.g. seg_suffix=true for Weibo NER (the value is read as JSON if it parses).")
@click.option("--dev", metavar="DEV", type=click.Path(allow_dash=True),
              help="Held-out gold (read like GOLD): P/R/F1 after every epoch; the best epoch is kept.")
@click.option("--epochs", type=click.IntRange(1), default=10, show_default=True)
@click.option("--batch-size", type=click.IntRange(1), default=8, show_default=True, help="Sentences per update.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (spaCy's and the shuffling).")
@click.option("--limit", type=click.IntRange(1), metavar="N", help="Train on the first N gold sentences only.")
@click.option("--name", default="ner", show_default=True, help="Model name in its meta.json (and provenance).")
@click.option("--model-version", default="0.1.0", show_default=True, help="Model version in its meta.json.")
@click.option("--force", is_flag=True, help="Replace the output directory if it exists.")
@handle_errors
def ner(gold: str, output: str, lang: str, gold_format: str | None, in_options: tuple[str, ...], dev: str | None,
        epochs: int, batch_size: int, seed: int, limit: int | None, name: str, model_version: str,
        force: bool) -> None:
    """Train a spaCy named-entity model from gold entities, offline, for `lancang annotate`.

    A blank spaCy pipeline for --lang gets an ner component trained on the gold sides in that
    language (spaCy's tokenizer; Chinese one token a character). Entities whose ends fall inside a
    spaCy token are widened to it, and overlapping or discontinuous ones are left out: both are
    counted and printed. With --dev, each epoch is scored with lancang's entity scorer (exact match,
    micro P/R/F1, as `lancang evaluate --layer entities`) and the best epoch is kept. The model is
    written atomically; use it with `--use LANG=spacy-ner --set spacy-ner.model=DIR`.

    \b
    Examples:
      lancang train ner train_preprocess.txt --format conll --lang id -o id-ner --dev valid_preprocess.txt
      lancang train ner weiboNER.train --format conll -I seg_suffix=true --lang zh -o zh-ner
      lancang train ner thainer/train.txt --format inline --lang th -o th-ner --epochs 5
      lancang annotate corpus.jsonl out.jsonl --layers entities --use id=spacy-ner --set spacy-ner.model=id-ner
    """
    from ..annotators import spec
    from ..annotators.langs import check_tag
    from ..annotators.ner import (
        GoldStats,
        check_language,
        check_output,
        gold_sides,
        read_gold,
        write_model,
    )
    from ..annotators.ner import train as run
    from .common import key_values

    spec("spacy-ner").require_backend()
    check_tag(lang)
    check_output(output, force)
    check_language(lang)  # an unknown language fails here, before any gold is read
    options = key_values(in_options, "--in-option")
    dev_sides = None
    if dev:
        dst = GoldStats()
        dev_sides = list(gold_sides(read_gold(dev, gold_format, lang, options), lang, dst))
        if not dst.sides:
            raise UsageError(f"{dev}: no sides in language {lang!r} with an entities layer")
        click.echo(f"dev {dev}: {dst.describe()}")
    st = GoldStats()
    sides = gold_sides(read_gold(gold, gold_format, lang, options), lang, st, limit)

    def report(ep: Any) -> None:
        line = f"epoch {ep.epoch}/{epochs}: loss {ep.loss:.1f}"
        if ep.dev:
            x = ep.dev["exact"]
            line += f", dev exact P {x['precision']:.4f} R {x['recall']:.4f} F1 {x['f1']:.4f}"
        click.echo(line + f" ({ep.seconds:.1f} s)")

    try:
        nlp, _history, best = run(sides, lang, dev_sides=dev_sides, epochs=epochs, seed=seed, batch_size=batch_size,
                                  stats=st, on_epoch=report, name=name, version=model_version,
                                  on_gold=lambda s: click.echo(f"gold {gold}: {s.describe()}"))
    except UsageError as exc:
        raise UsageError(f"{gold}: {exc}") from None
    write_model(nlp, output, force)
    labels = ", ".join(nlp.get_pipe("ner").labels)
    perf = nlp.meta.get("performance")
    kept = f"epoch {best} (dev exact F1 {perf['ents_f']:.4f})" if perf else f"epoch {best}"
    click.echo(f"{output}: spaCy pipeline {nlp.lang}_{name} {model_version}, {kept}; labels {labels}")
