"""Banded dynamic programming over n–m sentence beads, vectorised along each row with numpy.

The search space is the grid of (source sentences consumed, target sentences consumed). Each row
``i`` is searched only over a band ``[lo[i], hi[i]]`` of target positions around a guide path (the
diagonal of cumulative text length), so time and memory grow with ``n × band`` rather than
``n × m``. If the best path runs along an edge of the band that is not the edge of the grid, the
band was too narrow there: the search is repeated with the band doubled (Moore 2002 did the same),
up to ``max_band``.

Within a row, every bead type that consumes source sentences reads rows ``i-1 .. i-3`` and is
computed for the whole band at once; the 0–1 bead (one target sentence, no source) reads the same
row, and is folded in with a prefix minimum (``np.minimum.accumulate``), so no Python loop runs over
target positions. Costs are negative log-probabilities; only back-pointers (one byte a cell) are
kept for the whole grid, and the cost of the last four rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ._np import np

#: a bead type: (number of source sentences, number of target sentences)
BeadType = tuple[int, int]

#: log-probabilities of every bead type ending in a block of rows: called with the rows and the
#: (rows × width) array of end columns, returns {bead type index: (rows × width) array}
BlockLogProb = Callable[[np.ndarray, np.ndarray], dict[int, np.ndarray]]

BLOCK = 256


def guide(src_len: np.ndarray, tgt_len: np.ndarray) -> np.ndarray:
    """For each row i (0..n), the column whose cumulative share of target text is nearest to the
    cumulative share of source text after i sentences."""
    n, m = len(src_len), len(tgt_len)
    cs = np.concatenate([[0.0], np.cumsum(src_len + 1.0)])
    ct = np.concatenate([[0.0], np.cumsum(tgt_len + 1.0)])
    fs = cs / cs[-1] if cs[-1] else np.linspace(0, 1, n + 1)
    ft = ct / ct[-1] if ct[-1] else np.linspace(0, 1, m + 1)
    g = np.searchsorted(ft, fs).clip(0, m)
    # nearest of the two neighbours
    prev = (g - 1).clip(0, m)
    pick_prev = np.abs(ft[prev] - fs) < np.abs(ft[g] - fs)
    g = np.where(pick_prev, prev, g)
    g[0], g[-1] = 0, m
    return np.maximum.accumulate(g)


def band(g: np.ndarray, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Band [lo, hi] of half-width ``width`` around the guide, made connected from row to row."""
    lo = (g - width).clip(0, m)
    hi = (g + width).clip(0, m)
    lo[0], hi[-1] = 0, m
    # every row's band must overlap what the previous row reaches
    lo = np.minimum(lo, np.concatenate([[0], hi[:-1]]))
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    return lo, hi


def search(n: int, m: int, lo: np.ndarray, hi: np.ndarray, types: Sequence[BeadType],
           block_logprob: BlockLogProb) -> tuple[list[tuple[int, int, int, int]], float]:
    """Best path through the band. Returns beads as (i0, i1, j0, j1) half-open ranges and the cost.

    Row ``i`` covers columns ``lo[i] + 0 .. lo[i] + W - 1`` (``W`` the widest band), masked beyond
    ``hi[i]``. ``block_logprob`` gives bead log-probabilities for a block of rows at a time, so the
    costs are computed with a few large numpy operations; the recursion itself does a handful of
    slice operations per row and bead type.
    """
    inf = np.inf
    W = int((hi - lo).max()) + 1
    cols = np.arange(W)
    src_types = [(k, a, b) for k, (a, b) in enumerate(types) if a > 0]
    k01 = next((k for k, t in enumerate(types) if t == (0, 1)), -1)
    rows: dict[int, np.ndarray] = {}
    back = np.full((n + 1, W), -1, dtype=np.int8)
    for start in range(0, n + 1, BLOCK):
        idx = np.arange(start, min(n + 1, start + BLOCK))
        J = lo[idx][:, None] + cols[None, :]
        lp = block_logprob(idx, np.minimum(J, m))
        for i in idx:
            i = int(i)
            r_i = i - start
            li = int(lo[i])
            width = int(hi[i]) - li + 1
            best = np.full(W, inf)
            bp = back[i]
            if i == 0:
                best[0] = 0.0
            for k, a, b in src_types:
                r = i - a
                if r < 0:
                    continue
                off = li - b - int(lo[r])
                s0, s1 = max(0, -off), min(width, W - off)
                if s0 >= s1:
                    continue
                cand = rows[r][s0 + off:s1 + off] - lp[k][r_i, s0:s1]
                seg = best[s0:s1]
                better = cand < seg
                if better.any():
                    seg[better] = cand[better]
                    bp[s0:s1][better] = k
            best[width:] = inf
            if k01 >= 0 and width > 1:
                inc = np.zeros(width)
                inc[1:] = -lp[k01][r_i, 1:width]
                pref = np.cumsum(inc)
                cur = best[:width]
                run = np.minimum.accumulate(cur - pref) + pref
                left = (run < cur - 1e-9 * (1.0 + np.abs(np.where(np.isfinite(cur), cur, 0.0)))) & np.isfinite(run)
                if left.any():
                    cur[left] = run[left]
                    bp[:width][left] = k01
            rows[i] = best
            rows.pop(i - 4, None)
    total = float(rows[n][m - int(lo[n])])
    if not np.isfinite(total):
        return [], total
    beads: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = int(back[i][j - int(lo[i])])
        if k < 0:  # pragma: no cover - a finite total always has a path
            raise RuntimeError(f"broken back-pointer at ({i}, {j})")
        a, b = types[k]
        beads.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    beads.reverse()
    return beads, total


def touches_edge(beads: Sequence[tuple[int, int, int, int]], lo: np.ndarray, hi: np.ndarray, m: int,
                 margin: int = 1) -> bool:
    """Whether the path comes within ``margin`` of a band edge that is not the grid's edge."""
    for _, i1, _, j1 in beads:
        if lo[i1] > 0 and j1 - lo[i1] < margin:
            return True
        if hi[i1] < m and hi[i1] - j1 < margin:
            return True
    return False
