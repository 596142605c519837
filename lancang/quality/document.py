"""The metrics document every quality command writes, signed like a check report.

A document names the lancang version and command that wrote it, the settings that change its
numbers, and every input with its sha256 (of its content after gunzip, as the readers see it; a folder's files
by sorted relative name), so `lancang check --metrics` can refuse metrics computed on another corpus
than the one it checks (:func:`verify_inputs`). Schema: ``lancang/schemas/metrics.schema.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..corpora.formats import file_sha256
from ..corpora.model import now_iso
from ..errors import InputError

METRICS_ID = "lancang/metrics/1"


def signed_inputs(paths: Sequence[Any], digests: Sequence[str | None] | None = None) -> list[dict[str, Any]]:
    """``[{"path", "sha256"}]`` for the inputs; a digest already computed while streaming can be given."""
    out = []
    for i, p in enumerate(paths):
        d = digests[i] if digests is not None and i < len(digests) and digests[i] else file_sha256(p)
        out.append({"path": str(p), "sha256": d})
    return out


def metrics_document(command: str, *, inputs: Sequence[Any], settings: dict[str, Any] | None = None,
                     digests: Sequence[str | None] | None = None, **parts: Any) -> dict[str, Any]:
    """A signed metrics document: version, command, settings, the sha256 of every input, then ``parts``
    (``accuracy=``, ``agreement=``, ``inspection=``)."""
    return {"metrics": METRICS_ID, "lancang": __version__, "command": command, "created": now_iso(),
            "settings": dict(settings or {}), "inputs": signed_inputs(inputs, digests), **parts}


def verify_inputs(doc: dict[str, Any], corpus_sha256: str | None, where: str, corpus: str) -> None:
    """Refuse (InputError) a metrics document that was not computed on the corpus with this hash."""
    inputs = doc.get("inputs")
    if not isinstance(inputs, list) or not any(isinstance(x, dict) and x.get("sha256") for x in inputs):
        raise InputError(f"{where}: the metrics are not signed with the sha256 of their inputs (written by an older "
                         f"lancang or by hand); compute them again with lancang evaluate / agree / inspect")
    if corpus_sha256 is None:
        raise InputError(f"{where}: cannot verify the metrics against {corpus} (standard input has no stable hash); "
                         "check a file")
    if not any(isinstance(x, dict) and x.get("sha256") == corpus_sha256 for x in inputs):
        names = ", ".join(str(x.get("path")) for x in inputs if isinstance(x, dict))
        raise InputError(f"{where}: the metrics were computed on {names}, not on {corpus} (sha256 "
                         f"{corpus_sha256[:12]}... matches none of their inputs); compute them on this corpus")
