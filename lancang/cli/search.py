"""``lancang search``: a bilingual concordance (KWIC) over a corpus library."""

from __future__ import annotations

import click

from .common import echo_json, format_option, handle_errors


def _tsv(s: object) -> str:
    return "" if s is None else " ".join(str(s).replace("\t", " ").split())


@click.command()
@click.argument("lib", metavar="LIB")
@click.argument("query")
@click.option("--side", metavar="LANG", help="Search the sides in this language range (zh matches zh-Hans, "
                                             "zh-Hant...); default: every side.")
@click.option("--tgt", metavar="LANG", help="Show the aligned text of these sides only (default: every other side).")
@click.option("--regex", "is_regex", is_flag=True,
              help="QUERY is a regular expression (case-sensitive unless (?i); time-limited).")
@click.option("--label", metavar="LABEL", help="Keep hits inside an entity with this label (e.g. PER).")
@click.option("--min-bead-score", type=float, metavar="S",
              help="Keep hits whose sentence bead has a score of at least S (hits without a scored bead go).")
@click.option("--corpus", "corpora", multiple=True, metavar="NAME", help="Search only this corpus (repeatable).")
@click.option("--context", default=40, show_default=True, type=click.IntRange(0), help="Characters of context.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1))
@click.option("--page-size", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--scan-limit", default=100_000, show_default=True, type=click.IntRange(1),
              help="Sides read at most when the index cannot narrow (a regex with no literal text).")
@format_option("text", "json", "tsv")
@handle_errors
def search(lib: str, query: str, side: str | None, tgt: str | None, is_regex: bool, label: str | None,
           min_bead_score: float | None, corpora: tuple[str, ...], context: int, page: int, page_size: int,
           scan_limit: int, fmt: str) -> None:
    """Find QUERY in the corpora of LIB and show each hit in context with the aligned sentence(s) of the
    other side: a bilingual concordance.

    On a side with a tokens layer a query is a sequence of its tokens (separate them with spaces);
    on an untokenised Chinese, Thai, Khmer, Lao or Burmese side any substring matches; elsewhere
    whole words. Case is ignored (not with --regex).

    \b
    Examples:
      lancang search library.sqlite 北京 --side zh --tgt th
      lancang search library.sqlite "ประเทศ" --side th --format json
      lancang search library.sqlite "政府.{0,4}發言人" --regex --side zh --page 2 --page-size 50
      lancang search postgresql://lancang@localhost/library Obama --side en --label PER --format tsv
    """
    from ..store import Query, open_store

    q = Query(query, side=side, tgt=tgt, regex=is_regex, label=label, min_bead_score=min_bead_score,
              corpora=list(corpora) or None, everything=True, page=page, page_size=page_size, context=context,
              scan_limit=scan_limit)
    with open_store(lib, create=False) as store:
        res = store.search(q)
    if fmt == "json":
        echo_json(res.to_dict())
    elif fmt == "tsv":
        click.echo("\t".join(("corpus", "record", "side", "start", "end", "left", "hit", "right", "aligned_side",
                              "aligned", "bead_score")))
        for h in res.hits:
            for a in h.aligned or [None]:
                click.echo("\t".join(_tsv(x) for x in (h.corpus, h.record, h.side, h.start, h.end, h.left, h.match,
                                                       h.right, a and a.lang, a and a.text, a and a.score)))
    else:
        for h in res.hits:
            click.echo(f"{h.corpus}:{h.record} [{h.side}]  {h.left}" + click.style(f"[{h.match}]", bold=True)
                       + h.right)
            for a in h.aligned:
                score = f" ({a.score:g})" if a.score is not None else ""
                click.echo(f"    {a.lang}{score}: {a.text}")
        first = (page - 1) * page_size + 1
        span = f"hits {first:,}-{first + len(res.hits) - 1:,}" if res.hits else "no hits"
        tail = f"; more: --page {page + 1}" if res.more else ""
        cut = f"; stopped after scanning {scan_limit:,} sides (--scan-limit)" if res.truncated else ""
        click.echo(f"page {page}: {span}{tail}{cut}")
