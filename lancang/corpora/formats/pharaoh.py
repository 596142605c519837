"""Pharaoh word alignment with its tokenised sentences.

Links are ``i-j`` (sure) and ``i?j``, ``ipj`` or ``i-j-P`` (possible), separated by spaces, one
line per sentence pair; ``i`` indexes the source tokens, ``j`` the target tokens, from 0
(``index_base=1`` reads and writes gold files counted from 1, as the WPT/KFTT sets that
awesome-align ships). Tokens are separated by ASCII spaces or tabs, as fast_align and GIZA++ split
them; any other character, the ideographic space U+3000 included, belongs to a token.

Layouts (``layout`` option; reading detects it):

* ``line`` (default for writing): one file, ``src ||| tgt ||| links`` a line (the third field is
  optional; fast_align's input has only two);
* ``files``: a prefix and three files, ``<prefix>.<src>``, ``<prefix>.<tgt>`` and
  ``<prefix>.align`` (a path ending in ``.pharaoh`` drops that suffix), as Moses and GIZA++ lay
  them out;
* ``links=PATH`` (reading) takes the links from a separate file, line by line, for the ``line`` or
  ``files`` layout (the awesome-align gold files).

A record is one sentence pair: both sides with their text (the tokens joined by a space) and
tokens, and a ``tokens`` link with the pairs (no link when the line has no links field). A links
line with an index past the tokens, or files of different lengths, is an error with the file and
line. Writing marks possible links with ``p`` (``possible`` option: ``p``, ``?`` or ``-P``).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError, UsageError
from ..jsonl import PathLike, atomic_output, open_input
from . import Format, Option, check_options
from .moses import raw_line

_LINK = re.compile(r"([0-9]+)([-?p])([0-9]+)(-P)?\Z")
_SEP = " ||| "


def _langs(langs: Any) -> tuple[str, str]:
    if not langs or len(langs) != 2:
        raise UsageError("pharaoh: name the source and target languages with --src and --tgt")
    return langs[0], langs[1]


def _prefix(path: PathLike) -> str:
    p = str(path)
    return p[: -len(".pharaoh")] if p.endswith(".pharaoh") else p


def parse_links(line: str, n_src: int, n_tgt: int, base: int, where: str) -> tuple[list[list[Any]], str | None]:
    """Pairs ``[i, j, "S"|"P"]`` (0-based) of a links line, and the possible marker it used."""
    pairs: list[list[Any]] = []
    marker = None
    for tok in line.split():
        m = _LINK.match(tok)
        if not m:
            raise InputError(f"{where}: {tok!r} is not a link (i-j, i?j, ipj or i-j-P)")
        i, j = int(m.group(1)) - base, int(m.group(3)) - base
        possible = m.group(2) in "?p" or bool(m.group(4))
        if m.group(4) and m.group(2) != "-":
            raise InputError(f"{where}: {tok!r} is not a link (i-j, i?j, ipj or i-j-P)")
        if possible:
            marker = "-P" if m.group(4) else m.group(2)
        if not (0 <= i < n_src and 0 <= j < n_tgt):
            hint = " (links counted from 1? use index_base=1)" if base == 0 and (i == n_src or j == n_tgt) else ""
            raise InputError(f"{where}: link {tok} is out of range: {n_src} source and {n_tgt} target tokens{hint}")
        pairs.append([i, j, "P" if possible else "S"])
    return pairs, marker


_SPACES = re.compile(r"[ \t]+")


def tokenised_side(line: str) -> dict[str, Any]:
    """A side from a line of tokens separated by ASCII spaces (other white space, such as the
    ideographic space U+3000 of the Japanese test set, is a token)."""
    tokens = [t for t in _SPACES.split(unicodedata.normalize("NFC", line)) if t]
    spans = []
    pos = 0
    for t in tokens:
        spans.append([pos, pos + len(t)])
        pos += len(t) + 1
    side: dict[str, Any] = {"text": " ".join(tokens)}
    if tokens:
        side["layers"] = {"tokens": {"spans": spans}}
    return side


# ---------------------------------------------------------------------------------- reading

def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    src, tgt = _langs(langs)
    base = int(options.get("index_base", 0))
    layout = options.get("layout") or ("line" if Path(path).is_file() else "files")
    with contextlib.ExitStack() as stack:
        if layout == "line":
            names = [str(path)]
        else:
            pre = _prefix(path)
            names = [f"{pre}.{src}", f"{pre}.{tgt}"]
        links_name = options.get("links") or (f"{_prefix(path)}.align" if layout == "files" else None)
        if links_name is not None and layout == "files" and not options.get("links") and not Path(links_name).exists():
            links_name = None
        handles = [stack.enter_context(open_input(p)) for p in names]
        lh = stack.enter_context(open_input(links_name)) if links_name else None
        n = 0
        while True:
            n += 1
            raws = [h.readline() for h in handles]
            lraw = lh.readline() if lh else None
            ended = [not r for r in raws] + ([not lraw] if lh else [])
            if all(ended):
                return
            if any(ended):
                allnames = names + ([links_name] if lh else [])
                short = next(nm for nm, e in zip(allnames, ended) if e)
                longer = next(nm for nm, e in zip(allnames, ended) if not e)
                raise InputError(f"{short}:{n}: the file ends here but {longer} goes on; the files are line-aligned")
            lines = [raw_line(r, f"{nm}:{n}", n == 1) for r, nm in zip(raws, names)]
            where = f"{names[0]}:{n}"
            link_line: str | None
            if layout == "line":
                fields = lines[0].split("|||")
                if len(fields) not in (2, 3):
                    raise InputError(f"{where}: expected 'source ||| target' or 'source ||| target ||| links'")
                s_line, t_line = fields[0], fields[1]
                link_line = fields[2] if len(fields) == 3 else None
            else:
                s_line, t_line = lines
                link_line = None
            if lh is not None:
                if link_line is not None:
                    raise InputError(f"{where}: the line has links and a links file was given too")
                link_line = raw_line(lraw, f"{links_name}:{n}", n == 1)
                where = f"{links_name}:{n}"
            s_side, t_side = tokenised_side(s_line), tokenised_side(t_line)
            rec: dict[str, Any] = {"id": str(n), "sides": {src: s_side, tgt: t_side}}
            if link_line is not None:
                ns = len(s_side.get("layers", {}).get("tokens", {}).get("spans", []))
                nt = len(t_side.get("layers", {}).get("tokens", {}).get("spans", []))
                pairs, _ = parse_links(link_line, ns, nt, base, where)
                rec["links"] = [{"kind": "tokens", "src": src, "tgt": tgt, "pairs": pairs}]
            yield rec


# ---------------------------------------------------------------------------------- writing

def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    check_options(FORMAT, "writer", options)
    src, tgt = _langs(langs)
    layout = options.get("layout", "line")
    base = int(options.get("index_base", 0))
    marker_opt = options.get("possible")
    n = 0
    with contextlib.ExitStack() as stack:
        if layout == "line":
            outs = [stack.enter_context(atomic_output(path, "w"))]
        else:
            pre = _prefix(path)
            outs = [stack.enter_context(atomic_output(f"{pre}.{x}", "w")) for x in (src, tgt, "align")]
        for rec in records:
            s, t = tokens_line(rec, src), tokens_line(rec, tgt)
            links = links_line(rec, src, tgt, base, marker_opt or "p")
            if layout == "line":
                outs[0].write(f"{s}{_SEP}{t}" + (f"{_SEP}{links}\n" if links is not None else "\n"))
            else:
                for f, line in zip(outs, (s, t, links or "")):
                    f.write(line + "\n")
            n += 1
    return n


def tokens_line(rec: dict[str, Any], lang: str) -> str:
    side = rec["sides"].get(lang)
    if side is None:
        raise InputError(f"record {rec['id']!r} has no side {lang!r}")
    text = side["text"]
    spans = (side.get("layers") or {}).get("tokens", {}).get("spans")
    if spans is None:
        if text.strip():
            raise InputError(f"record {rec['id']!r}: the {lang} side has no tokens; word alignment needs them")
        spans = []
    toks = [text[s:e] for s, e in spans]
    for tok in toks:
        if _SPACES.search(tok) or "\n" in tok or "\r" in tok or "|||" in tok:
            raise InputError(f"record {rec['id']!r}: the {lang} token {tok!r} holds white space or '|||', which "
                             "space-separated tokens cannot")
    return " ".join(toks)


def links_line(rec: dict[str, Any], src: str, tgt: str, base: int, marker: str) -> str | None:
    """The links of the record's word alignment between ``src`` and ``tgt`` (None if it has none)."""
    found = [lk for lk in rec.get("links", ()) if lk["kind"] == "tokens" and {lk["src"], lk["tgt"]} == {src, tgt}]
    if not found:
        return None
    if len(found) > 1:
        raise InputError(f"record {rec['id']!r} has {len(found)} word alignments of {src} and {tgt}; "
                         "a Pharaoh line holds one")
    link = found[0]
    flip = link["src"] != src
    out = []
    for i, j, flag in link["pairs"]:
        if flip:
            i, j = j, i
        i, j = i + base, j + base
        if flag == "P":
            out.append(f"{i}-{j}-P" if marker == "-P" else f"{i}{marker}{j}")
        else:
            out.append(f"{i}-{j}")
    return " ".join(out)


FORMAT = Format(
    "pharaoh", "Pharaoh word alignment (i-j, i?j/ipj/i-j-P) with tokenised sentences", (".pharaoh",),
    frozenset({"tokens", "token-links"}), read, write, max_sides=2, needs_langs=True,
    read_options={
        "layout": Option(None, "line (src ||| tgt ||| links a line) or files (<prefix>.<src>, <prefix>.<tgt>, "
                               "<prefix>.align); default: line for a file, files for a prefix",
                         (None, "line", "files")),
        "links": Option(None, "a file of links, one line per sentence pair (awesome-align gold files)"),
        "index_base": Option(0, "the index of the first token in links (1 for WPT/KFTT gold files)", (0, 1)),
    },
    write_options={
        "layout": Option("line", "line or files (see the reader)", ("line", "files")),
        "index_base": Option(0, "the index of the first token in links", (0, 1)),
        "possible": Option(None, "marker of possible links: p (i p j), ? or -P (default p)", (None, "p", "?", "-P")),
    },
)
