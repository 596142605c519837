"""Score a prediction against gold, one layer at a time: the library side of `lancang evaluate`.

Both inputs are read through the format hub (any readable format); token and sentence scoring sees
CoNLL-U gold as surface tokens (:mod:`lancang.annotators.gold`). The result is a signed metrics
document with the scores under ``accuracy.<layer>``, ready for `lancang check --metrics`.
"""

from __future__ import annotations

import contextlib
from typing import Any

from ..corpora.formats import read_corpus
from ..errors import UsageError
from .document import metrics_document

LAYERS = ("tokens", "sentences", "entities", "beads", "links", "transcript")


def evaluate_files(pred: str, gold: str, *, layer: str = "tokens", fmt: str | None = None,
                   gold_fmt: str | None = None, langs: Any = None, options: dict[str, Any] | None = None,
                   lexicon: str | None = None, units: str = "auto", normalize: Any = None,
                   join: str = "id", details: str | None = None,
                   alternations: bool = False) -> tuple[dict[str, Any], int]:
    """The metrics document of ``pred`` scored against ``gold`` on ``layer``, and the number of records
    or sides found on one side only (not scored).

    ``fmt`` is the input format of both files (default: each from its name and content);
    ``gold_fmt`` overrides it for the gold. ``lexicon`` (tokens only) adds OOV and IV recall.
    ``units``, ``normalize`` and ``join`` (transcript only) are those of
    :func:`lancang.quality.wer.evaluate_transcripts`: WER and CER of the prediction (the hypothesis)
    against the gold (the reference); ``details`` is a JSONL file for every scored side's counts;
    ``alternations`` reads sclite's ``{ a / b / @ }`` in the gold.
    """
    from ..annotators.gold import read_segmentation

    if layer not in LAYERS:
        raise UsageError(f"unknown layer {layer!r}; use one of {', '.join(LAYERS)}")
    if lexicon and layer not in ("tokens", "sentences"):
        raise UsageError(f"--lexicon scores words; it does not apply to --layer {layer}")
    if layer != "transcript" and (units != "auto" or normalize or join != "id" or details or alternations):
        raise UsageError(f"--units, --normalize, --join, --details and --alternations score transcripts; they do "
                         f"not apply to --layer {layer}")
    opts = dict(options or {})
    gfmt = gold_fmt or fmt
    extra: dict[str, Any] = {}
    if layer == "transcript":
        from .wer import evaluate_transcripts, parse_normalize

        steps = parse_normalize(normalize)
        with contextlib.ExitStack() as stack:
            write = None
            if details:
                import orjson

                from ..corpora.io import atomic_output

                out = stack.enter_context(atomic_output(details, "wb"))

                def write(row: dict[str, Any]) -> None:
                    out.write(orjson.dumps(row) + b"\n")

            ev = evaluate_transcripts(read_corpus(pred, fmt, langs, **opts), read_corpus(gold, gfmt, langs, **opts),
                                      names=(pred, gold), units=units, normalize=steps, join=join, details=write,
                                      alternations=alternations)
        doc, missing = ev.to_dict(), ev.missing
        extra = {"units": units, "normalize": list(steps), "join": join, "alternations": alternations}
    elif layer in ("beads", "links"):
        from .alignment import evaluate_records

        doc = evaluate_records(read_corpus(pred, fmt, langs, **opts), read_corpus(gold, gfmt, langs, **opts), layer,
                               names=(pred, gold))
        missing = 0
    elif layer == "entities":
        from .accuracy import evaluate_entities, join

        ev = evaluate_entities(join(read_corpus(pred, fmt, langs, **opts), read_corpus(gold, gfmt, langs, **opts),
                                    layer, names=(pred, gold)))
        doc, missing = ev.to_dict(), ev.missing
    else:
        from ..annotators.lexicon import Lexicon
        from .accuracy import evaluate, join

        lex = Lexicon.load(lexicon) if lexicon else None
        kw = {"langs": langs, "options": opts}
        ev = evaluate(join(read_segmentation(pred, fmt=fmt, **kw), read_segmentation(gold, fmt=gfmt, **kw), layer,
                           names=(pred, gold)), layer, lex)
        doc, missing = ev.to_dict(), ev.missing
    settings = {"layer": layer, "from": fmt, "gold_from": gfmt, "langs": list(langs) if langs else None,
                "lexicon": lexicon, **extra}
    return metrics_document("evaluate", inputs=[pred, gold], settings=settings, accuracy={layer: doc}), missing
