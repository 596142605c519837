"""``lancang index``: put a corpus into a corpus library (SQLite file or PostgreSQL), resumably."""

from __future__ import annotations

import click

from .common import Reading, echo_json, format_option, handle_errors, input_options, progress_option, record_progress


@click.command()
@click.argument("corpus", type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--db", "db", required=True, metavar="LIB",
              help="The library: a file path or sqlite:///PATH (created if absent), or postgresql://USER@HOST/DB.")
@click.option("--name", metavar="NAME", help="The corpus's name in the library (default: the file name without "
                                              "extensions). Indexing the same name again resumes.")
@click.option("--manifest", type=click.Path(dir_okay=False), metavar="MANIFEST",
              help="The corpus's manifest (datasheet), kept with it; its licence is the corpus's licence.")
@click.option("--owner", metavar="USER", help="Owner of the corpus (the one who sees it when it is private).")
@click.option("--private", is_flag=True, help="Only the owner sees the corpus (in `lancang serve`).")
@click.option("--replace", is_flag=True, help="Drop the corpus of that name first and index it anew.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1),
              help="Records per transaction (an interrupted run resumes after the last whole batch).")
@input_options()
@format_option("text", "json")
@progress_option
@handle_errors
def index(corpus: str, db: str, name: str | None, manifest: str | None, owner: str | None, private: bool,
          replace: bool, batch_size: int, reading: Reading, fmt: str, progress: bool) -> None:
    """Index a corpus in any readable format into a library for `lancang search` (and `lancang serve`).

    Records are stored in batches, each in one transaction; a run that stops (killed, a bad line) is
    resumed by running it again: the records stored are skipped, by position and id.

    \b
    Examples:
      lancang index pud.zh-th.jsonl --db library.sqlite
      lancang index memory.tmx --db library.sqlite --name ucm-zh-vi --manifest manifest.json
      lancang index talpco.jsonl --db postgresql://lancang@localhost/library
    """
    from ..store import index_corpus, open_store

    with open_store(db) as store, record_progress("indexing", progress) as tick:
        where = store.url
        res = index_corpus(store, corpus, name=name, manifest=manifest, owner=owner, private=private,
                           replace=replace, batch=batch_size, progress=tick, **reading.kwargs())
    if fmt == "json":
        echo_json(res.to_dict())
        return
    note = f" ({res.already:,} were there already)" if res.already else ""
    click.echo(f"{res.corpus}: {res.added:,} records indexed into {where}{note}; {res.records:,} in all, "
               f"{res.seconds:.1f} s")
