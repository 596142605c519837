"""Symmetrisation of two directional word alignments (Och & Ney 2003; Koehn et al. 2003).

Each function takes the source→target links ``fwd`` and the target→source links ``rev``, both as
sets of ``(i, j)`` with ``i`` a source and ``j`` a target token index, and returns
``[(i, j, flag)]`` sorted: links found in both directions are sure (``"S"``), links that only one
direction proposed and the heuristic kept are possible (``"P"``).

* ``intersection`` -- high precision, only links both directions agree on;
* ``union`` -- high recall, every link of either direction;
* ``grow-diag`` -- start from the intersection, add neighbouring links (including diagonal
  neighbours) from the union while either token is still unaligned;
* ``grow-diag-final`` -- then add union links whose source or target token is unaligned;
* ``grow-diag-final-and`` -- instead add union links whose source *and* target tokens are both
  unaligned (the usual choice for phrase extraction and for reviewing).
"""

from __future__ import annotations

from collections.abc import Iterable

Link = tuple[int, int]

_NEIGHBOURS = ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))

METHODS = ("intersection", "union", "grow-diag", "grow-diag-final", "grow-diag-final-and")


def symmetrize(fwd: Iterable[Link], rev: Iterable[Link],
               method: str = "grow-diag-final-and") -> list[tuple[int, int, str]]:
    if method not in METHODS:
        raise ValueError(f"unknown symmetrisation {method!r} (one of {', '.join(METHODS)})")
    f, r = set(fwd), set(rev)
    inter = f & r
    union = f | r
    if method == "intersection":
        chosen = set(inter)
    elif method == "union":
        chosen = set(union)
    else:
        chosen = _grow(inter, union)
        if method == "grow-diag-final":
            _final(chosen, f, r, both=False)
        elif method == "grow-diag-final-and":
            _final(chosen, f, r, both=True)
    return sorted((i, j, "S" if (i, j) in inter else "P") for i, j in chosen)


def _grow(inter: set[Link], union: set[Link]) -> set[Link]:
    chosen = set(inter)
    src_done = {i for i, _ in chosen}
    tgt_done = {j for _, j in chosen}
    added = True
    while added:
        added = False
        for i, j in sorted(chosen):
            for di, dj in _NEIGHBOURS:
                c = (i + di, j + dj)
                if c in union and c not in chosen and (c[0] not in src_done or c[1] not in tgt_done):
                    chosen.add(c)
                    src_done.add(c[0])
                    tgt_done.add(c[1])
                    added = True
    return chosen


def _final(chosen: set[Link], f: set[Link], r: set[Link], both: bool) -> None:
    src_done = {i for i, _ in chosen}
    tgt_done = {j for _, j in chosen}
    for direction in (f, r):
        for i, j in sorted(direction):
            if (i, j) in chosen:
                continue
            free_s, free_t = i not in src_done, j not in tgt_done
            if (free_s and free_t) if both else (free_s or free_t):
                chosen.add((i, j))
                src_done.add(i)
                tgt_done.add(j)
