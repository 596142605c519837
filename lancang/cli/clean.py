"""``lancang clean`` and ``lancang filters``."""

from __future__ import annotations

import click
import orjson

from .common import (
    InputProblem,
    Reading,
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
@click.option("--rejects", type=click.Path(allow_dash=False, dir_okay=False), metavar="REJECTS",
              help="Where rejected records go (lancang JSONL, each with meta.clean.reasons). Required unless "
                   "--scores-only.")
@click.option("--set", "settings", multiple=True, metavar="FILTER.KEY=VALUE",
              help="Filter parameter, e.g. length-ratio.k=4 or langid.min_letters=20; FILTER=false switches a "
                   "filter off, FILTER=true switches on one that is off by default.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="JSON file: filter name -> parameters object (or false to switch it off).")
@click.option("--scores-only", is_flag=True,
              help="Score every record with every filter and write the scores to TARGET; decide nothing.")
@click.option("--from-scores", type=click.Path(dir_okay=False), metavar="SCORES",
              help="Decide from a scores file of this same corpus (--scores-only) with the parameters given now; "
                   "nothing is scored again.")
@click.option("--scores", "scores_out", type=click.Path(dir_okay=False), metavar="SCORES",
              help="Also write the scores file while cleaning.")
@click.option("--batch-size", type=click.IntRange(1), default=1000, show_default=True, help="Records per batch.")
@input_options()
@out_options_option
@manifest_option
@format_option("text", "json")
@jobs_option()
@progress_option
@handle_errors
def clean(source: str, target: str, rejects: str | None, settings: tuple[str, ...], config_file: str | None,
          scores_only: bool, from_scores: str | None, scores_out: str | None, batch_size: int, reading: Reading,
          out_options: tuple[str, ...], manifest: str | None, fmt: str, jobs: int, progress: bool) -> None:
    """Repair, score and keep or reject every record; nothing is lost.

    Streams any readable corpus through the filters (`lancang filters` lists them): hygiene repairs
    (NFC, control characters, markup, mojibake), empty and one-sided records, length and length
    ratio in units that fit each script (bounds learnt per language pair), language identification
    (scripts for th/km/lo/my, Zawgyi Burmese), untranslated copies, non-alphabetic text, translation
    QA (numbers, URLs, placeholders, brackets, punctuation), a lexical adequacy score from lancang's
    word aligner, exact and near duplicates. Kept records go to TARGET (its format from its name),
    rejected ones to REJECTS with their reasons. The summary goes to stderr, or as JSON to stdout
    with --format json.

    \b
    Examples:
      lancang clean corpus.jsonl clean.jsonl --rejects rejects.jsonl
      lancang clean memory.tmx clean.tmx --rejects rejects.jsonl --set langid=false
      lancang clean corpus.jsonl scores.jsonl --scores-only
      lancang clean corpus.jsonl clean.jsonl --rejects rej.jsonl --from-scores scores.jsonl --set length-ratio.k=5
      lancang clean corpus.jsonl clean.jsonl --rejects rej.jsonl --manifest manifest.json
      lancang clean corpus.jsonl clean.jsonl --rejects rej.jsonl --jobs 2
    """
    from ..pipeline.oneoff import clean_file
    from ..processing.clean import score_file

    config = parse_settings(settings, config_file, kind="filter", switches=True)
    if scores_only:
        if from_scores or scores_out or rejects or manifest:
            raise InputProblem("--scores-only writes only the scores to TARGET: drop --from-scores, --scores, "
                               "--rejects and --manifest")
        with record_progress("scoring", progress) as tick:
            st = score_file(source, target, config=config, batch_size=batch_size, progress=tick, **reading.kwargs())
        _summary(st.to_dict() | {"scores": target}, fmt, f"{source} -> {target}: scored {st.records:,} records")
        return
    if not rejects:
        raise InputProblem("--rejects REJECTS is required: every record is kept in TARGET or in REJECTS")
    with record_progress("cleaning", progress) as tick:
        st = clean_file(source, target, rejects=rejects, config=config, from_scores=from_scores, scores=scores_out,
                        batch_size=batch_size, jobs=jobs, progress=tick, **reading.kwargs(),
                        write_options=key_values(out_options, "-O"), manifest=manifest)
    doc = st.to_dict()
    head = (f"{source} -> {target}: {st.records:,} records, kept {st.kept:,}, rejected {st.rejected:,} "
            f"(-> {rejects})" + (f", repaired {st.repaired_records:,}" if st.repaired_records else ""))
    _summary(doc, fmt, head)


def _summary(doc: dict, fmt: str, head: str) -> None:
    if fmt == "json":
        echo_json(doc)
        return
    click.echo(head, err=True)
    for row in doc.get("filters", ()):
        repairs = ", ".join(f"{k} {v:,}" for k, v in sorted(row["repairs"].items()))
        click.echo(f"  {row['filter']:<14} rejected {row['rejected']:>9,}  only this {row['only']:>9,}"
                   + (f"  repaired: {repairs}" if repairs else ""), err=True)


@click.command()
@format_option("text", "json")
def filters(fmt: str) -> None:
    """List the cleaning filters: what each scores, for which languages, its parameters and defaults.

    \b
    Examples:
      lancang filters
      lancang filters --format json
    """
    from ..processing.clean import describe_filters

    rows = describe_filters()
    if fmt == "json":
        echo_json({"filters": rows})
        return
    for r in rows:
        missing = "" if r["installed"] else f", MISSING: pip install \"lancang[{r['extra']}]\""
        state = ("on" if r["default"] else "off") + missing
        click.echo(f"{r['name']:<14} {r['kind']:<7} {state:<4} {r['description']}")
        params = r["parameters"].get("properties", {})
        if params:
            defaults = (f"{k}={orjson.dumps(v.get('default')).decode()}" for k, v in params.items())
            click.echo(" " * 15 + ", ".join(defaults))
