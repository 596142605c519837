"""Describe a corpus in one streaming pass: sizes, languages, layers, labels, provenance, links, and
for speech corpora hours, speakers, segments and the speech rate per language.

Speech (sides with ``media`` or a ``segments`` layer): ``speech_hours`` is the time covered by
segments (the sum of ``t1 - t0``), ``media_hours`` the duration of the media files, each counted once
per run of consecutive records that name the same file (a Kaldi or STM corpus has one record per
utterance of a recording, consecutively; counting runs keeps memory flat), ``speakers`` the distinct
segment speakers, and ``rate`` the segments' text in the units of :func:`lancang.corpora.langs.units`
(non-space characters for zh, ja, th, km, lo, my; words elsewhere) per second of segment time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from ..errors import InputError
from .jsonl import Parsed, PathLike, Problem, json_type
from .langs import units


class CorpusStats:
    """Accumulates statistics record by record; ``to_dict()`` gives the JSON-ready summary.

    Memory is bounded by the number of distinct languages, layers and labels, not by the corpus.
    """

    def __init__(self) -> None:
        self.records = 0
        self.skipped_lines = 0
        self.documents = 0
        self._last_doc: Any = object()
        self.sides = 0
        self.sides_per_record: Counter[int] = Counter()
        self.langs: dict[str, Counter[str]] = defaultdict(Counter)
        self.layers: Counter[str] = Counter()
        self.labels: Counter[str] = Counter()
        self.labels_by_lang: dict[str, Counter[str]] = defaultdict(Counter)
        self.provenance: dict[str, Counter[str]] = defaultdict(Counter)
        self.links: Counter[str] = Counter()
        self.bead_types: Counter[str] = Counter()
        self.speech: dict[str, dict[str, Any]] = {}
        self._last_media: dict[str, Any] = {}

    def _add_speech(self, lang: str, side: dict[str, Any]) -> None:
        sp = self.speech.get(lang)
        if sp is None:
            sp = self.speech[lang] = {"sides": 0, "segments": 0, "empty_segments": 0, "speech_seconds": 0.0,
                                      "media_seconds": 0.0, "media_files": 0, "units": 0, "unit": None,
                                      "speakers": set()}
        sp["sides"] += 1
        media = side.get("media")
        if isinstance(media, dict) and media.get("uri") != self._last_media.get(lang):
            self._last_media[lang] = media.get("uri")
            sp["media_files"] += 1
            if isinstance(media.get("duration"), (int, float)):
                sp["media_seconds"] += media["duration"]
        lay = (side.get("layers") or {}).get("segments")
        if not isinstance(lay, dict):
            return
        text = side.get("text") or ""
        for seg in lay.get("spans") or ():
            if not isinstance(seg, dict):
                continue
            sp["segments"] += 1
            t = text[seg.get("start", 0):seg.get("end", 0)]
            if not t.strip():
                sp["empty_segments"] += 1
            n, unit = units(lang, t)
            sp["units"] += n
            sp["unit"] = sp["unit"] or unit
            t0, t1 = seg.get("t0"), seg.get("t1")
            if isinstance(t0, (int, float)) and isinstance(t1, (int, float)) and t1 > t0:
                sp["speech_seconds"] += t1 - t0
            if seg.get("speaker") is not None:
                sp["speakers"].add(str(seg["speaker"]))

    def add(self, rec: dict[str, Any]) -> None:
        self.records += 1
        doc = rec.get("doc")
        if doc is not None and doc != self._last_doc:
            self.documents += 1
        self._last_doc = doc
        sides = rec.get("sides") or {}
        if not isinstance(sides, dict):
            return
        self.sides += len(sides)
        self.sides_per_record[len(sides)] += 1
        for lang, side in sides.items():
            if not isinstance(side, dict):
                continue
            c = self.langs[lang]
            c["sides"] += 1
            text = side.get("text") or ""
            c["characters"] += len(text)
            if not text.strip():
                c["empty"] += 1
            if "media" in side or "segments" in (side.get("layers") or {}):
                self._add_speech(lang, side)
            for name, lay in (side.get("layers") or {}).items():
                if not isinstance(lay, dict):
                    continue
                self.layers[name] += 1
                prov = lay.get("provenance")
                self.provenance[name][prov.get("method", "?") if isinstance(prov, dict) else "none"] += 1
                if name in ("tokens", "sentences"):
                    c[name] += len(lay.get("spans") or ())
                elif name == "entities":
                    items = lay.get("items") or ()
                    c["entities"] += len(items)
                    c["relations"] += len(lay.get("relations") or ())
                    for it in items:
                        label = it.get("label") if isinstance(it, dict) else None
                        self.labels[str(label)] += 1
                        self.labels_by_lang[lang][str(label)] += 1
        for link in rec.get("links") or ():
            if not isinstance(link, dict):
                continue
            kind = link.get("kind", "?")
            pair = f"{link.get('src')}-{link.get('tgt')}"
            self.links[f"{kind}:{pair}"] += 1
            prov = link.get("provenance")
            self.provenance[f"links:{kind}"][prov.get("method", "?") if isinstance(prov, dict) else "none"] += 1
            if kind == "tokens":
                for p in link.get("pairs") or ():
                    self.links["pairs-sure" if p[-1] == "S" else "pairs-possible"] += 1
            elif kind == "beads":
                for b in link.get("beads") or ():
                    self.bead_types[f"{len(b.get('src', ()))}-{len(b.get('tgt', ()))}"] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "skipped_lines": self.skipped_lines,
            "documents": self.documents,
            "sides": self.sides,
            "sides_per_record": {str(k): v for k, v in sorted(self.sides_per_record.items())},
            "languages": {k: dict(v) for k, v in sorted(self.langs.items())},
            "layers": dict(sorted(self.layers.items())),
            "labels": dict(self.labels.most_common()),
            "labels_by_language": {k: dict(v.most_common()) for k, v in sorted(self.labels_by_lang.items())},
            "provenance": {k: dict(v) for k, v in sorted(self.provenance.items())},
            "links": dict(sorted(self.links.items())),
            "bead_types": dict(self.bead_types.most_common()),
            "speech": self.speech_summary(),
        }

    def speech_summary(self) -> dict[str, Any]:
        """Per language: sides, media files and hours, segments (and empty ones), speech hours,
        speakers, and the speech rate (``rate`` in ``rate_unit``: chars/s or words/s). Empty when the
        corpus has no speech."""
        out: dict[str, Any] = {}
        for lang, sp in sorted(self.speech.items()):
            secs = sp["speech_seconds"]
            unit = sp["unit"] or units(lang, "")[1]
            out[lang] = {
                "sides": sp["sides"], "media_files": sp["media_files"],
                "media_hours": round(sp["media_seconds"] / 3600, 4),
                "segments": sp["segments"], "empty_segments": sp["empty_segments"],
                "speech_hours": round(secs / 3600, 4), "speakers": len(sp["speakers"]),
                "rate": round(sp["units"] / secs, 3) if secs > 0 else None,
                "rate_unit": "chars/s" if unit == "char" else "words/s",
            }
        return out


def corpus_stats(path: PathLike, *, fmt: str | None = None, langs: Any = None,
                 options: dict[str, Any] | None = None) -> CorpusStats:
    """Statistics of a corpus in any readable format; JSONL lines that are not JSON objects are counted
    as skipped. A file that cannot be read to its end (a corrupt or truncated gzip stream), or of which
    no line is a record, is an :class:`~lancang.errors.InputError` at its first problem: statistics of
    what could not be read would describe another corpus."""
    from .formats import read_items

    st = CorpusStats()
    first: Any = None
    for item in read_items(path, fmt, langs, **(options or {})):
        if isinstance(item, Parsed) and isinstance(item.value, dict):
            st.add(item.value)
            continue
        if isinstance(item, Parsed):
            item = Problem(item.line, "record-not-object", f"a record is a JSON object, not {json_type(item.value)}")
        if item.severity != "error":
            continue
        if item.code == "gzip-corrupt":
            raise InputError(f"{path}:{item.line}: {item.message}")
        st.skipped_lines += 1
        first = first or item
    if first is not None and st.records == 0:
        raise InputError(f"{path}:{first.line}: no line is a record ({st.skipped_lines:,} skipped); "
                         f"the first: {first.message}")
    return st


def render_text(st: dict[str, Any], title: str) -> str:
    """The stats dict as a plain-text report (stable, diff-friendly)."""
    lines = [f"{title}", f"  records: {st['records']}   documents: {st['documents']}   sides: {st['sides']}"
             + (f"   skipped lines: {st['skipped_lines']}" if st["skipped_lines"] else "")]
    langs = st["languages"]
    if langs:
        cols = ["sides", "characters", "tokens", "sentences", "entities", "relations", "empty"]
        lines.append("  " + f"{'language':<12}" + "".join(f"{c:>12}" for c in cols))
        for lang, c in langs.items():
            lines.append("  " + f"{lang:<12}" + "".join(f"{c.get(k, 0):>12,}" for k in cols))
    if st["layers"]:
        lines.append("  layers: " + ", ".join(f"{k} {v}" for k, v in st["layers"].items()))
    if st["provenance"]:
        lines.append("  provenance: " + "; ".join(
            f"{k}: " + ", ".join(f"{m} {n}" for m, n in v.items()) for k, v in st["provenance"].items()))
    if st["labels"]:
        lines.append("  entity labels: " + ", ".join(f"{k} {v}" for k, v in list(st["labels"].items())[:20]))
    if st["links"]:
        lines.append("  links: " + ", ".join(f"{k} {v}" for k, v in st["links"].items()))
    if st["bead_types"]:
        lines.append("  beads: " + ", ".join(f"{k} {v}" for k, v in st["bead_types"].items()))
    for lang, sp in (st.get("speech") or {}).items():
        rate = "-" if sp["rate"] is None else f"{sp['rate']:g} {sp['rate_unit']}"
        lines.append(f"  speech {lang}: {sp['speech_hours']:g} h in {sp['segments']:,} segments "
                     f"({sp['empty_segments']:,} empty), {sp['speakers']} speakers, media {sp['media_hours']:g} h "
                     f"in {sp['media_files']:,} files, rate {rate}")
    return "\n".join(lines)
