"""Precision, recall, F1 and the alignment error rate: the one place lancang computes them.

Every scorer (``evaluate`` on tokens, sentences, entities, beads and links; ``agree``; the NER
trainer's dev score) counts what it compares and calls these functions. A value that is undefined
for the data (0/0) is ``None``, never 0.0: the metrics schema writes it as ``null``, so a profile's
``minimum``/``maximum`` threshold cannot pass on empty data. Renderers print it as ``-`` (:func:`shown`).

* precision = correct / predicted (None without predictions);
* recall = correct / gold (None without gold items);
* F1 = 2 correct / (predicted + gold), the harmonic mean of P and R wherever both are defined
  (and 0.0 when one of them is 0); None only when there is nothing on either side
  (:func:`harmonic` is the same rule for a P and an R counted on different hits);
* AER = 1 - (|A∩S| + |A∩P|) / (|A| + |S|) (Och and Ney 2003, with P including S); None when
  there are neither hypothesis links nor sure gold links.

>>> prf(1, 2, 3)
PRF(precision=0.5, recall=0.3333333333333333, f1=0.4)
>>> prf(0, 0, 2)
PRF(precision=None, recall=0.0, f1=0.0)
>>> prf(0, 0, 0).f1 is None and aer(0, 0, 0, 0) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class PRF(NamedTuple):
    precision: float | None
    recall: float | None
    f1: float | None


def ratio(num: float, den: float) -> float | None:
    """``num / den``; None when ``den`` is 0 (undefined)."""
    return num / den if den else None


def prf(correct: int, pred: int, gold: int) -> PRF:
    """Precision, recall and F1 of ``correct`` hits among ``pred`` predicted and ``gold`` gold items."""
    return PRF(ratio(correct, pred), ratio(correct, gold), ratio(2 * correct, pred + gold))


def harmonic(p: float | None, r: float | None) -> float | None:
    """F1 from a precision and a recall counted on different hits (bead and link scores): their harmonic
    mean; 0.0 when either is 0 (as :func:`prf` gives when nothing is predicted or there is no gold); None
    when the other is undefined.

    >>> harmonic(0.5, 1.0), harmonic(None, 0.0), harmonic(None, 0.5)
    (0.6666666666666666, 0.0, None)
    """
    if p == 0 or r == 0:
        return 0.0
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r)


def aer(hyp: int, sure: int, hyp_and_sure: int, hyp_and_possible: int) -> float | None:
    """Alignment error rate from counts: |A|, |S|, |A∩S|, |A∩P| (P includes S)."""
    r = ratio(hyp_and_sure + hyp_and_possible, hyp + sure)
    return None if r is None else 1.0 - r


def mean(values: Iterable[float | None], undefined_as: float | None = None) -> float | None:
    """Mean of the defined values (None when there are none). With ``undefined_as``, an undefined value
    counts as that number instead of being left out (macro averages count a never-predicted label's
    precision as 0, as the CoNLL and scikit-learn scorers do)."""
    vals = [v if v is not None else undefined_as for v in values]
    vals = [v for v in vals if v is not None]
    return sum(vals) / len(vals) if vals else None


def rounded(x: float | None, digits: int = 6) -> float | None:
    """``x`` rounded for a metrics document; None stays None (written as null)."""
    return None if x is None else round(x, digits)


def shown(x: float | None, spec: str = ".4f") -> str:
    """A score as text for people: formatted with ``spec``, ``-`` when undefined."""
    return "-" if x is None else format(x, spec)
