"""``lancang merge``."""

from __future__ import annotations

import click

from .common import (
    InputProblem,
    Reading,
    echo_json,
    format_option,
    handle_errors,
    input_options,
    key_values,
    manifest_option,
    out_options_option,
    output_option,
    progress_option,
    record_progress,
)

#: conflicts printed in the text summary
SHOWN = 20


@click.command()
@click.argument("base", type=click.Path(allow_dash=True))
@click.argument("reviewed", nargs=-1, required=True, type=click.Path())
@output_option(required=True, help="The merged corpus (lancang JSONL unless its name says another format).")
@click.option("--policy", type=click.Choice(["first", "majority", "curator"]), default="first", show_default=True,
              help="Where reviewers disagree: first (the first REVIEWED file, then the first annotation), majority "
                   "(an entity is kept when more than half of the reviewers have it), curator (--curator's version "
                   "wins where they reviewed).")
@click.option("--curator", metavar="REVIEWER", help="The reviewer id whose version wins, with --policy curator.")
@click.option("--layers", default="entities", show_default=True, metavar="LAYERS",
              help="Layers the reviews replace, comma-separated: side layers (entities, tokens, ...) and "
                   "`links` (each sentence or word link of a review replaces BASE's between the same sides).")
@input_options()
@click.option("--reviews-from", "review_format", metavar="FORMAT",
              help="Format of the REVIEWED files (default: from each file's name, then its content).")
@click.option("-R", "--review-option", "review_options", multiple=True, metavar="KEY=VALUE",
              help="Reader option of the REVIEWED files' format (e.g. -R source=annotations).")
@out_options_option
@click.option("--fail-on-conflict", is_flag=True,
              help="Exit 1 when reviewers disagree, a review changed a text or reviews a record BASE lacks.")
@manifest_option
@format_option("text", "json")
@progress_option
@handle_errors
def merge(base: str, reviewed: tuple[str, ...], output: str, policy: str, curator: str | None, layers: str,
          reading: Reading, review_format: str | None, review_options: tuple[str, ...], out_options: tuple[str, ...],
          fail_on_conflict: bool, manifest: str | None, fmt: str, progress: bool) -> None:
    """Fold reviewed layers (Label Studio exports, or lancang JSONL with meta.review) back into BASE.

    Each review names its BASE record (meta.labelstudio.record_id, else its id). The reviewed layers
    replace the machine's; provenance becomes assisted (machine, then person) or manual, with the
    annotator and the review's status (accepted, corrected, rejected) and reviewer. Every BASE record
    is written, in BASE order, with everything that was not reviewed. Disagreements between reviewers,
    reviews that changed a text (not merged) and reviews of records BASE lacks are reported on stderr
    (--format json: a JSON document on stdout); they are not errors unless --fail-on-conflict.

    \b
    Examples:
      lancang merge machine.jsonl alice.ls.json -o merged.jsonl --manifest manifest.json
      lancang merge machine.jsonl alice.ls.json bob.ls.json carol.ls.json -o merged.jsonl --policy majority
      lancang merge machine.jsonl alice.jsonl bob.jsonl -o merged.jsonl --policy curator --curator alice
      lancang merge aligned.jsonl alice.ls.json -o merged.jsonl --layers entities,links
    """
    from ..processing.merge import MAX_CONFLICTS, merge_files

    if fmt == "json" and output == "-":
        raise InputProblem("--format json writes the summary to standard output: give -o a file name")
    wanted = tuple(x.strip() for x in layers.split(",") if x.strip())
    with record_progress("merging", progress) as tick:
        st = merge_files(base, list(reviewed), output, policy=policy, curator=curator, layers=wanted,
                         **reading.kwargs(), review_fmt=review_format,
                         review_options=key_values(review_options, "-R"),
                         write_options=key_values(out_options, "-O"), manifest=manifest, progress=tick)
    doc = st.to_dict()
    if fmt == "json":
        echo_json(doc)
    else:
        lay = ", ".join(f"{k} {v:,}" for k, v in doc["layers"].items() if v) or "none"
        click.echo(f"{base} + {len(reviewed)} reviewed -> {output}: {st.records:,} records, {st.reviewed:,} reviewed "
                   f"({st.reviews:,} reviews, policy {policy}); layers {lay}", err=True)
        if st.empty:
            click.echo(f"empty: {st.empty:,} review(s) with no reviewer and no verdict (nobody reviewed them), "
                       "not merged", err=True)
        conflicts = {k: v for k, v in doc["conflicts"].items() if v}
        if conflicts:
            click.echo("conflicts: " + ", ".join(f"{k} {v:,}" for k, v in conflicts.items()), err=True)
            for c in doc["conflict_list"][:SHOWN]:
                click.echo("  " + describe(c), err=True)
            more = sum(conflicts.values()) - min(SHOWN, len(doc["conflict_list"]))
            if more > 0:
                click.echo(f"  ... {more:,} more (--format json lists the first {MAX_CONFLICTS:,})", err=True)
        if st.orphans.count:
            rest = st.orphans.count - len(st.orphans.ids)
            more = f" (and {rest:,} more)" if rest > 0 else ""
            click.echo(f"orphans: reviews of {st.orphans.count:,} record id(s) BASE lacks, not merged: "
                       f"{', '.join(st.orphans.ids)}{more}", err=True)
    if fail_on_conflict and st.findings:
        raise SystemExit(1)


def describe(c: dict) -> str:
    """One conflict as a line: where, record, side, layer, what."""
    head = f"{c['where']} [{c['record']}] side {c['side']}"
    who = ", ".join(c["reviewers"])
    if c["kind"] == "text-changed":
        return f"{head}: text-changed by {who} ({c['review']}): not merged, BASE's side kept"
    if c["kind"] == "tie":
        return f"{head} {c['layer']}: tie between {who} ({c['count']} held by exactly half, left out)"
    return f"{head} {c['layer']}: disagreement between {who} ({c['count']} not held by all)"
