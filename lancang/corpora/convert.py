"""Convert between formats through the canonical records, streaming, refusing silent loss."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, UsageError
from .formats import FEATURES, check_options, lost_features, read_corpus, resolve_format
from .invariants import guarded
from .jsonl import PathLike


class LossError(InputError):
    """The target format cannot hold something the records carry (use ``allow_loss`` to proceed)."""


@dataclass
class ConvertReport:
    source: str
    target: str
    records: int = 0
    lost: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        # by feature name: the counts fill in the order of a set of features, which follows PYTHONHASHSEED
        return {"from": self.source, "to": self.target, "records": self.records,
                "lost": dict(sorted(self.lost.items()))}


def convert(src: PathLike, dst: PathLike, *, from_format: str | None = None, to_format: str | None = None,
            langs: Sequence[str] | None = None, allow_loss: bool = False,
            read_options: dict[str, Any] | None = None, write_options: dict[str, Any] | None = None,
            manifest: PathLike | None = None) -> ConvertReport:
    """Read ``src``, write ``dst``; raises :class:`LossError` at the first record whose content the
    target cannot hold, unless ``allow_loss`` (then the loss is counted per feature in the report).
    ``manifest`` gets the conversion step appended to its processing log."""
    from .manifest import ProcessingLog

    log = ProcessingLog(manifest, "convert")
    fin = resolve_format(src, from_format, "input")
    fout = resolve_format(dst, to_format, "output")
    if fout.write is None:
        raise UsageError(f"{dst}: format {fout.name!r} can be read but not written")
    write_options = check_options(fout, "writer", dict(write_options or {}))
    records = guarded(read_corpus(src, fin.name, langs, **(read_options or {})), str(src))
    report = ConvertReport(fin.name, fout.name)
    if fout.max_sides is None and fout.carries >= frozenset(FEATURES):  # the target holds anything
        report.records = fout.write(records, dst, langs=langs, **write_options)
        _log(log, report, src, dst, allow_loss, write_options)
        return report

    def checked() -> Iterator[dict[str, Any]]:
        for rec in records:
            lost = lost_features(rec, fout)
            if lost:
                if not allow_loss:
                    what = ", ".join(f"{k} ({FEATURES.get(k, k)})" for k in sorted(lost))
                    raise LossError(f"{src}: record {rec.get('id')!r}: format {fout.name!r} cannot hold {what}; "
                                    f"nothing was written. Use --allow-loss to convert anyway.")
                report.lost.update(lost)
            report.records += 1
            yield rec

    fout.write(checked(), dst, langs=langs, **write_options)
    _log(log, report, src, dst, allow_loss, write_options)
    return report


def _log(log: Any, report: ConvertReport, src: PathLike, dst: PathLike, allow_loss: bool,
         write_options: dict[str, Any]) -> None:
    if log:
        log.append(step="conversion", settings={"from": report.source, "to": report.target, "allow_loss": allow_loss,
                                                "write_options": write_options},
                   counts={"records": report.records, "lost": report.to_dict()["lost"]}, inputs=[src], outputs=[dst],
                   records_in=report.records, records_out=report.records)
