"""The global phase of a clean step whose filters learn from the whole input, or whose duplicates filter
decides over it (:func:`fit_clean`): run once by ``lancang run`` and by ``lancang clean --jobs`` before the
parts are cleaned with what was learnt and decided."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def fit_clean(step: Mapping[str, Any], inputs: list[str], folder: Path, fmt: str | None, langs: Any, *,
              parts: list[Any] | None = None, jobs: int = 1, work: Path | None = None,
              options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The global phase of a clean step with corpus filters: they learn from the whole input, as
    ``lancang clean`` has them learn (:func:`lancang.processing.clean.fit_states`); the adequacy
    filter's models are saved in ``folder`` and loaded by every shard (train, then apply).

    With ``parts`` (the input's JSONL parts) and ``work`` (a folder for them), the phase runs in the pool
    of ``jobs`` workers: the duplicates filter decides (:func:`lancang.pipeline.dedup.decide_duplicates`,
    the folder of decisions in ``fitted["decided"]``), and when every corpus filter learns in parts
    (``Filter.mergeable``) they learn in the same pass over the parts, what one pass would learn; else
    they learn in one pass here."""
    from ..processing.clean import build_filters, fit_states

    config = dict(step.get("filters") or {})
    shard_config = dict(config)
    if "adequacy" in step.get("fit", ()):
        given = config.get("adequacy")
        params = dict(given) if isinstance(given, Mapping) else {}
        if not params.get("model"):
            params["save_model"] = str(folder)
            config["adequacy"] = params
        shard_config["adequacy"] = {**params, "model": params.get("model") or str(folder), "save_model": None}
    fitted: dict[str, Any] = {"states": {}, "filters": shard_config}
    filters = build_filters(config)
    try:
        learners = [f for f in filters if f.kind == "corpus"]
        in_parts = (parts is not None and work is not None and bool(learners) and all(f.mergeable for f in learners)
                    and all(p.start is not None for p in parts))  # (JSONL line ranges)
        if learners and not in_parts:
            fitted["states"] = fit_states(inputs, config, fmt=fmt, langs=langs, options=options)
            learners = []
        args = {"filters": shard_config, "options": dict(options or {})}
        if "duplicates" in step.get("fit", ()) and parts is not None and work is not None:
            from .dedup import decide_duplicates

            shutil.rmtree(work, ignore_errors=True)  # what a killed global phase left
            work.mkdir(parents=True)
            decided = decide_duplicates(parts, jobs, args, work, learners)
            shutil.rmtree(work / "shards")  # the keys: only the decisions are kept
            fitted["decided"] = str(decided)
        elif learners:
            from .dedup import learn_in_parts
            from .parts import workspace

            with workspace() as tmp:
                learn_in_parts(parts, jobs, args, tmp, learners)
        if learners:
            for f in learners:
                f.fit_end()
            fitted["states"] = {f.name: f.state() for f in learners}
    finally:
        for f in filters:
            f.close()
    return fitted
