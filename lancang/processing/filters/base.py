"""What a cleaning filter is: scores apart from decisions.

A filter reads a record and returns its **scores** (plain JSON numbers, strings or ``None``, under
names of its own); :meth:`Filter.decide` turns scores into **reasons** to reject, using only the
scores and the filter's parameters. ``lancang clean --scores-only`` writes the scores;
``--from-scores`` calls :meth:`Filter.decide` again with new parameters and never scores twice.

Filters of three kinds:

* ``record``: the score depends on the record alone;
* ``corpus``: the filter first learns from the whole corpus in a streamed pass (:meth:`Filter.fit_batch`
  per batch, then :meth:`Filter.fit_end`; one pass feeds every corpus filter; e.g. length-ratio bounds
  per language pair) and what it learnt is kept as its :meth:`state`, written
  to the scores file so re-deciding needs no second look at the corpus;
* ``stream``: the score depends on the records before it, in order (duplicates: the first is kept).

A filter may also **repair** a record before it is scored (:meth:`Filter.repair`: NFC, control
characters, markup...): a repair changes no meaning, is applied through
:func:`lancang.corpora.edits.apply_edits` so every stand-off layer follows the text, and is
reported (what, how many) rather than rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, ClassVar

from ..params import resolve_params

Scores = dict[str, Any]
#: records per :meth:`Filter.fit_batch` call when :meth:`Filter.fit` is given a stream
FIT_BATCH = 1000


@dataclass(frozen=True)
class Reason:
    """Why a record was rejected: the filter, which score, its value, the threshold it crossed."""

    filter: str
    score: str
    value: Any
    threshold: Any = None
    message: str = ""
    side: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"filter": self.filter, "score": self.score, "value": self.value}
        if self.threshold is not None:
            out["threshold"] = self.threshold
        if self.side is not None:
            out["side"] = self.side
        if self.message:
            out["message"] = self.message
        return out


@dataclass(frozen=True)
class Repair:
    """A meaning-preserving change made to one side: what kind, how many places."""

    filter: str
    kind: str
    side: str
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"filter": self.filter, "kind": self.kind, "side": self.side, "count": self.count}


class Filter:
    """Base class of cleaning filters. Subclasses set the class attributes and override
    :meth:`score` (or :meth:`score_batch` when vectorised) and :meth:`decide`."""

    #: registry name (kebab-case)
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: primary language subtags the filter is correct for, ``("*",)`` for any
    languages: ClassVar[tuple[str, ...]] = ("*",)
    #: ``record``, ``corpus`` (needs :meth:`fit`) or ``stream`` (order-dependent)
    kind: ClassVar[str] = "record"
    #: JSON Schema (an object with ``properties``, each with a ``default``; unknown keys are errors)
    parameters: ClassVar[Mapping[str, Any]] = {"type": "object", "properties": {}, "additionalProperties": False}
    #: per score name: ``"higher"`` (higher is better: reject below the threshold) or ``"lower"``
    direction: ClassVar[Mapping[str, str]] = {}
    #: whether :meth:`repair` may change records
    repairs: ClassVar[bool] = False
    #: modules (import names) the filter needs beyond lancang's core, and the extra that installs them
    modules: ClassVar[tuple[str, ...]] = ()
    extra: ClassVar[str | None] = None
    #: on by default in ``lancang clean`` (off: only when configured)
    default: ClassVar[bool] = True

    def __init__(self, **params: Any):
        self.params = self.resolve(params)

    # ------------------------------------------------------------------ configuration
    @classmethod
    def resolve(cls, params: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in and the whole validated against :attr:`parameters` (unknown keys are errors)."""
        return resolve_params("filter", cls.name, cls.parameters, params)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {"name": cls.name, "description": cls.description, "languages": list(cls.languages),
                "kind": cls.kind, "repairs": cls.repairs, "default": cls.default,
                "direction": dict(cls.direction), "parameters": dict(cls.parameters),
                "extra": cls.extra}

    # ------------------------------------------------------------------ the three steps
    def repair(self, record: dict[str, Any]) -> tuple[dict[str, Any], list[Repair]]:
        """Return the record with meaning-preserving repairs (a new dict; never change the argument)."""
        return record, []

    def fit(self, records: Iterable[dict[str, Any]]) -> None:
        """``corpus`` filters: learn from the (repaired) records of the whole corpus, streamed: batches
        of them to :meth:`fit_batch`, then :meth:`fit_end`. ``lancang clean`` calls those two itself, so
        that every corpus filter learns in the same one pass; override them, not this."""
        it = iter(records)
        while batch := list(islice(it, FIT_BATCH)):
            self.fit_batch(batch)
        self.fit_end()

    def fit_batch(self, records: Sequence[dict[str, Any]]) -> None:
        """``corpus`` filters: learn from the next records of the corpus (in order, in bounded memory)."""

    def fit_end(self) -> None:
        """``corpus`` filters: the corpus has been read; settle what was learnt (:meth:`state`)."""

    #: whether what :meth:`fit_batch` learns from parts of a corpus merges exactly (:meth:`fit_part`,
    #: :meth:`fit_merge`), so that a run in parts learns in its workers what one pass would learn
    mergeable: ClassVar[bool] = False

    def fit_part(self) -> Any:
        """``mergeable`` filters: what :meth:`fit_batch` has learnt so far from one part of a corpus
        (picklable), for :meth:`fit_merge` in another process."""
        raise NotImplementedError(f"filter {self.name!r} does not learn in parts")

    def fit_merge(self, parts: Sequence[Any]) -> None:
        """``mergeable`` filters: learn what :meth:`fit_part` gave for each part of the corpus, the parts
        in input order, exactly as if :meth:`fit_batch` had seen their records (:meth:`fit_end` follows)."""
        raise NotImplementedError(f"filter {self.name!r} does not learn in parts")

    def state(self) -> dict[str, Any]:
        """What :meth:`fit` learnt, as JSON (written to the scores file)."""
        return {}

    def load_state(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`fit` learnt (``--from-scores``)."""

    def score(self, record: dict[str, Any]) -> Scores:
        raise NotImplementedError

    def score_batch(self, records: Sequence[dict[str, Any]]) -> list[Scores]:
        """Scores of a batch, in order; override to vectorise."""
        return [self.score(r) for r in records]

    def decide(self, scores: Scores) -> list[Reason]:
        """Reasons to reject, from the scores and parameters only; empty keeps the record."""
        return []

    def close(self) -> None:
        """Release what the filter holds (spill files)."""
