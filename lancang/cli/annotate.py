"""``lancang annotate`` and ``lancang annotators``."""

from __future__ import annotations

import click

from .common import (
    Reading,
    corpus_format_option,
    echo_json,
    format_option,
    handle_errors,
    input_options,
    jobs_option,
    key_values,
    manifest_option,
    out_options_option,
    parse_settings,
    progress_option,
    record_progress,
)


@click.command()
@click.argument("source", type=click.Path(allow_dash=True))
@click.argument("target", type=click.Path(allow_dash=True))
@click.option("--layers", default="tokens,sentences", show_default=True, metavar="LAYERS",
              help="Layers to make, comma-separated: tokens, sentences, entities (entities need a model: "
                   "--use LANG=spacy-ner --set spacy-ner.model=DIR, or a CRF model from `lancang train ner "
                   "--backend crf`: --use LANG=crf-ner --set crf-ner.model=DIR).")
@click.option("--use", "use", multiple=True, metavar="LANG=NAME",
              help="Annotator for a language (repeatable or comma-separated), e.g. zh=jieba,th=nlpo3.")
@click.option("--set", "settings", multiple=True, metavar="NAME.KEY=VALUE",
              help="Annotator configuration, e.g. jieba.hmm=false or newmm.lexicon=th.lex "
                   "(the value is read as JSON where it parses).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="JSON file: annotator name -> configuration object.")
@click.option("--lang-from", type=click.Choice(["side", "script"]), default="side", show_default=True,
              help="Language of a side: its BCP 47 tag, or the script of its text where that names one language "
                   "(zh, th, lo, km, my; others keep the tag).")
@click.option("--sides", metavar="TAGS", help="Annotate only these sides (comma-separated tags).")
@click.option("--overwrite", is_flag=True, help="Replace layers the input already has (default: keep them).")
@click.option("--batch-size", type=click.IntRange(1), default=64, show_default=True, help="Records per batch.")
@input_options()
@corpus_format_option
@out_options_option
@manifest_option
@jobs_option()
@progress_option
@handle_errors
def annotate(source: str, target: str, layers: str, use: tuple[str, ...], settings: tuple[str, ...],
             config_file: str | None, lang_from: str, sides: str | None, overwrite: bool, batch_size: int,
             reading: Reading, out_format: str | None, out_options: tuple[str, ...], manifest: str | None,
             jobs: int, progress: bool) -> None:
    """Segment words, split sentences and tag named entities on every side, with provenance on each layer.

    Reads any format (lancang JSONL, TMX, XLIFF, CoNLL-U, plain text with --src...), streams the
    corpus in batches and writes atomically. The annotator for each language is the
    default (see `lancang annotators`) unless --use picks another; entities have no default (a
    spaCy NER model, e.g. one from `lancang train ner`, is chosen with --use and --set). Layers
    already present are kept unless --overwrite. Each layer records the tool, its version and
    settings, and the time.

    \b
    Examples:
      lancang annotate corpus.jsonl out.jsonl
      lancang annotate corpus.jsonl out.jsonl --layers tokens --use zh=jieba,th=nlpo3
      lancang annotate corpus.jsonl out.jsonl --jobs 2
      lancang annotate corpus.jsonl out.jsonl --set newmm.lexicon=tud.lex
      lancang annotate corpus.jsonl - --lang-from script --sides und
      lancang annotate memory.tmx segmented.jsonl --layers tokens
      lancang annotate corpus.jsonl out.jsonl --layers entities --use id=spacy-ner --set spacy-ner.model=id-ner
      lancang annotate corpus.jsonl out.jsonl --layers entities --use zh=crf-ner --set crf-ner.model=weibo-crf
    """
    from ..annotators.pipeline import Pipeline, PipelineConfig, parse_use
    from ..pipeline.oneoff import annotate_file

    cfg = PipelineConfig(
        layers=tuple(x.strip() for x in layers.split(",") if x.strip()),
        use=parse_use(use), config=parse_settings(settings, config_file), lang_from=lang_from,
        sides=tuple(s.strip() for s in sides.split(",") if s.strip()) if sides else None, overwrite=overwrite)
    pipeline = Pipeline.build(cfg)
    with record_progress("annotating", progress) as tick:
        st = annotate_file(source, target, pipeline, batch_size=batch_size, progress=tick, jobs=jobs,
                           **reading.kwargs(), out_format=out_format, write_options=key_values(out_options, "-O"),
                           manifest=manifest)
    parts = [f"{x['layer']} {x['lang']} ({x['annotator']}): {x['sides']:,} sides, {x['spans']:,} "
             + ("entities" if x["layer"] == "entities" else "spans")
             for x in st.to_dict()["layers"]]
    kept = ", ".join(f"{k} on {v:,} sides" for k, v in st.kept.items())
    click.echo(f"{source} -> {target}: {st.records:,} records" + ("; " + "; ".join(parts) if parts else "")
               + (f"; kept existing {kept}" if kept else ""), err=True)


@click.command()
@format_option("text", "json")
def annotators(fmt: str) -> None:
    """List the annotators: what each makes, for which languages, and whether its backend is installed.

    A missing backend shows the exact command that installs it. The defaults say which annotator
    serves each language when `lancang annotate --use` does not choose.

    \b
    Examples:
      lancang annotators
      lancang annotators --format json
    """
    from ..annotators import DEFAULTS, all_specs

    rows = [s.describe() for s in all_specs()]
    if fmt == "json":
        doc = {"annotators": rows, "defaults": DEFAULTS}
        echo_json(doc)
        return
    for r in rows:
        status = f"{r['backend'] or 'lancang'} {r['version']}" if r["installed"] else f"MISSING: {r['install']}"
        click.echo(f"{r['name']:<14} {','.join(r['provides']):<17} {','.join(r['languages']):<16} {status}")
        click.echo(f"{'':<14} {r['description']}")
    click.echo("\ndefaults:")
    for layer, table in DEFAULTS.items():
        click.echo(f"  {layer:<10} " + ", ".join(f"{lang}={name}" for lang, name in table.items()))
