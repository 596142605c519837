"""The one robust spread the learning filters set their bounds with: the median and the median
absolute deviation (MAD) of weighted values.

``length-ratio`` counts its log ratios in a fixed histogram (flat memory on any corpus) and passes the
bins' centres with their counts (``binned``: the median is the bin where the count reaches half);
``adequacy`` passes the scores of its training sample, each once (the usual median, numpy's: the mean
of the two middle values of an even count). A filter's threshold is ``median ± k · sigma``
with ``sigma = 1.4826 · MAD`` (the standard deviation of normal data), which :meth:`Spread.sigma`
gives with the filter's own floor and fallback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: 1.4826 x MAD estimates the standard deviation of normal data
MAD_SIGMA = 1.4826
#: the same for a mean absolute deviation (sqrt(pi / 2))
MEAN_AD_SIGMA = 1.2533


@dataclass(frozen=True)
class Spread:
    """How many values, their median, their MAD and their mean absolute deviation from the median."""

    n: int
    median: float
    mad: float
    mean_ad: float

    def sigma(self, floor: float = 0.0, fallback: bool = False) -> float:
        """A robust standard deviation: ``1.4826 · MAD``, at least ``floor``; with ``fallback``, when more
        than half the values are equal (MAD 0), ``1.2533 ·`` the mean absolute deviation instead."""
        s = MAD_SIGMA * self.mad
        if not s and fallback:
            s = MEAN_AD_SIGMA * self.mean_ad
        return max(s, floor)


def _median(cells: Sequence[tuple[float, int]], n: int, binned: bool) -> float:
    """The median of sorted (value, count) cells holding ``n`` values."""
    half = n / 2
    acc = 0
    for i, (value, count) in enumerate(cells):
        acc += count
        if acc > half or acc == half and (binned or i + 1 == len(cells)):
            return value
        if acc == half:  # an even count of values splits between this cell and the next
            return (value + cells[i + 1][0]) / 2
    return cells[-1][0]


def spread(cells: Iterable[tuple[float, int]], binned: bool = False) -> Spread:
    """The :class:`Spread` of values given as (value, count) cells, in any order (counts of 0 ignored).
    ``binned``: the cells are a histogram's bins (value = the bin's centre), and a median (or MAD) is the
    bin where the count reaches half, never a point between two bins; otherwise the usual median, the
    mean of the two middle values of an even count."""
    got = sorted((v, c) for v, c in cells if c)
    n = sum(c for _, c in got)
    if not n:
        return Spread(0, 0.0, 0.0, 0.0)
    med = _median(got, n, binned)
    dev = sorted((abs(v - med), c) for v, c in got)
    return Spread(n, med, _median(dev, n, binned), sum(d * c for d, c in dev) / n)


__all__ = ["MAD_SIGMA", "MEAN_AD_SIGMA", "Spread", "spread"]
