"""The registry of PII detectors (entry point group ``lancang.detectors``) used by ``lancang mask``.

A detector finds :class:`~lancang.processing.detectors.base.Hit` spans of personal data in a side's
text and makes format-keeping surrogates for them (see :mod:`.base`). :func:`build_detectors` builds
the configured set, :func:`find_all` runs a set over one text and resolves overlaps. A third party
adds a detector with an entry point ``name = "module:Class"`` whose class subclasses
:class:`~lancang.processing.detectors.base.Detector`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import UsageError
from ...registry import Registry, require_modules
from .base import Detector, Hit

#: Built-in detectors, in the order overlaps are settled between equals (checksummed formats first).
BUILTIN: dict[str, str] = {
    "cn-resident-id": "lancang.processing.detectors.cn_id:ChineseResidentId",
    "sg-nric": "lancang.processing.detectors.national_ids:SingaporeNric",
    "th-id": "lancang.processing.detectors.national_ids:ThaiId",
    "bank-card": "lancang.processing.detectors.cards:BankCards",
    "my-nric": "lancang.processing.detectors.national_ids:MyKad",
    "id-nik": "lancang.processing.detectors.national_ids:IndonesianNik",
    "vn-cccd": "lancang.processing.detectors.national_ids:VietnameseCccd",
    "ph-id": "lancang.processing.detectors.national_ids:PhilippineIds",
    "passport": "lancang.processing.detectors.documents:Passports",
    "cn-plate": "lancang.processing.detectors.documents:ChinesePlates",
    "url-credentials": "lancang.processing.detectors.network:CredentialUrls",
    "email": "lancang.processing.detectors.network:Emails",
    "ip-address": "lancang.processing.detectors.network:IpAddresses",
    "phone": "lancang.processing.detectors.phones:Phones",
    "entities": "lancang.processing.detectors.entities:Entities",
}

DETECTORS = Registry("detector", "lancang.detectors", BUILTIN)


def detector_order() -> list[str]:
    """Built-ins in :data:`BUILTIN` order, then third-party detectors by name."""
    return DETECTORS.ordered()


def _check_modules(cls: type[Detector]) -> None:
    require_modules("detector", cls.name, cls.modules, cls.extra)


def build_detectors(config: Mapping[str, Mapping[str, Any] | bool] | None = None,
                    types: Sequence[str] | None = None) -> list[Detector]:
    """The detectors to run, in :func:`detector_order`.

    ``config`` maps a detector name to ``False`` (off), ``True`` (on with defaults, even one that is off
    by default) or its parameters (on). Detectors not named are on when they are on by default.
    ``types`` (hit types such as ``PHONE``, or detector names) keeps only the detectors that emit one of
    them, and only those types from each; a detector named by a type is on unless ``config`` says False.
    Unknown names and types, bad parameters and a missing library are :class:`UsageError`\\ s.
    """
    config = dict(config or {})
    order = detector_order()
    for name in config:
        DETECTORS.get(name)  # unknown names fail here, with the known ones listed
    classes = {n: DETECTORS.get(n) for n in order}
    wanted: set[str] | None = None
    if types is not None:
        known = {t for c in classes.values() for t in c.types}
        wanted = set()
        for t in types:
            if t in classes:
                wanted.update(classes[t].types)
            elif t in known:
                wanted.add(t)
            else:
                raise UsageError(f"unknown PII type {t!r}; known: {', '.join(sorted(known))}")
    out: list[Detector] = []
    for name in order:
        cls, conf = classes[name], config.get(name)
        if conf is False:
            continue
        if wanted is not None and not wanted & set(cls.types):
            continue
        if conf is None and not cls.default and wanted is None:
            continue
        _check_modules(cls)
        det = cls(**(conf if isinstance(conf, Mapping) else {}))
        if wanted is not None:
            det.emit = det.emit & frozenset(wanted)
        out.append(det)
    return out


_GATES: dict[tuple[int, ...], tuple[tuple[Detector, ...], re.Pattern[str] | None]] = {}
_DEFAULT: list[Detector] = []


def _gate(detectors: Sequence[Detector]) -> re.Pattern[str] | None:
    """One pattern joining the triggers of a set (None when a detector always runs)."""
    key = tuple(id(d) for d in detectors)
    cached = _GATES.get(key)
    if cached is not None and all(a is b for a, b in zip(cached[0], detectors)):
        return cached[1]
    triggers = [d.trigger for d in detectors if d.trigger is not None]
    pattern = re.compile("|".join(f"(?:{t})" for t in triggers)) if triggers else None
    if len(_GATES) > 64:
        _GATES.clear()
    _GATES[key] = (tuple(detectors), pattern)
    return pattern


def find_all(text: str, lang: str, side: dict[str, Any] | None = None,
             detectors: Sequence[Detector] | None = None) -> list[Hit]:
    """The hits of ``detectors`` (the default set when None) in one side's text, sorted by start,
    without overlaps: of two overlapping hits the longer wins, then the higher score, then the
    detector earlier in the list, then the earlier start. Deterministic."""
    if detectors is None:
        if not _DEFAULT:
            _DEFAULT.extend(build_detectors())
        detectors = _DEFAULT
    if not text:
        return []
    gate = _gate(detectors)
    triggered = gate is None or gate.search(text) is not None
    found: list[tuple[int, int, Hit]] = []
    for rank, det in enumerate(detectors):
        if det.trigger is not None and not triggered:
            continue
        for hit in det.find(text, lang, side):
            if hit.type in det.emit:
                found.append((rank, hit.start, hit))
    if len(found) < 2:
        return [h for _, _, h in found]
    found.sort(key=lambda x: (x[2].start - x[2].end, -x[2].score, x[0], x[1]))
    kept: list[Hit] = []
    for _, _, hit in found:
        if all(hit.end <= k.start or k.end <= hit.start for k in kept):
            kept.append(hit)
    kept.sort(key=lambda h: h.start)
    return kept


__all__ = ["BUILTIN", "DETECTORS", "Detector", "Hit", "build_detectors", "detector_order", "find_all"]
