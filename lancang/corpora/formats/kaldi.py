"""Kaldi data directories: a folder of key-value tables, one record per utterance.

Read (the folder's ``text`` drives the records, in its order; ``segments`` and ``utt2spk`` stream beside
it when sorted alike, as Kaldi keeps every table; the tables keyed by recording or speaker are looked up):

* ``text``: ``<utterance id> <transcript>`` -> the record id and the side's text (NFC);
* ``segments``: ``<utterance> <recording> <t0> <t1>`` -> one segment over the whole text, and the
  recording's id in the side's ``meta.recording``; without a ``segments`` file every utterance is a
  whole recording (keyed by the utterance id) and has no segments layer;
* ``wav.scp``: ``<recording> <path or command |>`` -> ``media.uri``, verbatim (a piped command
  keeps its spaces and its ``|``);
* ``reco2dur`` -> ``media.duration``; ``utt2spk`` -> the segment's ``speaker`` (a speaker id equal
  to the utterance id is Kaldi's "no speaker information" and is left out); ``spk2gender`` -> the
  side's ``meta.speaker_gender``. ``spk2utt`` is the inverse of ``utt2spk`` and is rebuilt on
  writing; feature tables (``feats.scp``, ``utt2num_frames``, ``cmvn.scp``...) are not read.

An utterance in ``text`` missing from ``segments`` or ``utt2spk`` (when the folder has them), a
``segments`` line naming a recording missing from ``wav.scp``, and negative or reversed times are
one-line input errors with the file and line. Empty transcripts are kept (they are utterances).

A file instead of a folder is read as one ``text`` table alone (``<utterance> <transcript>`` lines, the
reference and hypothesis files of Kaldi's ``compute-wer``): records with their text only.

Write: a folder with ``text``, ``utt2spk``, ``spk2utt``, ``wav.scp`` and, when known,
``segments``, ``reco2dur`` and ``spk2gender``, in record order (run Kaldi's
``utils/fix_data_dir.sh`` to sort them); ``spk2utt`` sorted by speaker in byte order (``LC_ALL=C``),
built on disk, so a corpus of any size is written in flat memory. A record with several segments (a TextGrid, a subtitle
file) becomes one utterance per segment (:func:`lancang.corpora.formats.timed.utterances`).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError
from ..dupes import DuplicateIndex, SpillFile
from ..io import folder_output
from ..jsonl import PathLike
from . import Format, check_options, given_lang, nfc_side, pick_side
from .timed import (
    ENCODING_OPTION,
    check_encoding,
    check_times,
    fmt_seconds,
    lines,
    recording_id,
    seconds,
    utterances,
)

READ_OPTIONS = {"encoding": ENCODING_OPTION}
TABLES = ("text", "segments", "utt2spk", "spk2utt", "wav.scp", "reco2dur", "spk2gender")


def _table(path: Path, encoding: str | None) -> Iterator[tuple[int, str, str]]:
    """``(line, key, value)`` of a Kaldi table (blank lines skipped); a repeated key is an error (found at
    once while the keys fit in memory, else when the table ends: :class:`DuplicateIndex` spills them)."""
    with DuplicateIndex() as seen:
        for n, line in lines(path, encoding):
            if not line.strip():
                continue
            parts = line.strip().split(maxsplit=1)
            key, value = parts[0], parts[1] if len(parts) > 1 else ""
            first = seen.add(key, n)
            if first is not None:
                raise InputError(f"{path}:{n}: {key!r} is listed twice (first on line {first})")
            yield n, key, value
        for key, first, n, _tag in seen.late_duplicates():
            raise InputError(f"{path}:{n}: {key!r} is listed twice (first on line {first})")


def _map(folder: Path, name: str, encoding: str | None) -> dict[str, tuple[int, str]] | None:
    """A table keyed by recording or speaker (``wav.scp``, ``reco2dur``, ``spk2gender``): as many entries as
    recordings or speakers, looked up in any order."""
    p = folder / name
    if not p.is_file():
        return None
    return {k: (n, v) for n, k, v in _table(p, encoding)}


class _Beside:
    """A table keyed by utterance (``segments``, ``utt2spk``) read beside ``text``: Kaldi sorts every table
    of a data folder by key (``utils/validate_data_dir.sh``), so the entry of each utterance is the next
    one, and the table streams. Entries passed over to find a later key (a folder not sorted alike) are
    kept until asked for: memory grows only with the disorder. What ``text`` never asks for is still read
    to the end (:meth:`drain`), so a bad line anywhere is reported."""

    def __init__(self, path: Path, encoding: str | None, parse: Any = None):
        self.path = path
        self.rows = _table(path, encoding)
        self.parse = parse or (lambda n, key, value: value)
        self.passed: dict[str, Any] = {}

    def get(self, utt: str) -> Any:
        """The parsed entry of ``utt``; a KeyError when the table has none."""
        if utt in self.passed:
            return self.passed.pop(utt)
        for n, key, value in self.rows:
            got = self.parse(n, key, value)
            if key == utt:
                return got
            self.passed[key] = got
        raise KeyError(utt)

    def drain(self) -> None:
        for n, key, value in self.rows:
            self.parse(n, key, value)


def read(path: PathLike, *, langs: Any = None, **options: Any) -> Iterator[dict[str, Any]]:
    check_options(FORMAT, "reader", options)
    folder = Path(path)
    encoding = options.get("encoding")
    check_encoding(encoding)
    lang = given_lang(langs, path, "a Kaldi data folder")
    if folder.is_file() or str(path) == "-":  # one `text` table alone (compute-wer's ark:ref.txt)
        return ({"id": utt, "sides": {lang: nfc_side(text)}} for _, utt, text in _table(folder, encoding))
    if not folder.is_dir():
        raise InputError(f"{folder}: no such Kaldi data folder or text file")
    if not (folder / "text").is_file():
        raise InputError(f"{folder}: no 'text' file: not a Kaldi data folder")
    return _records(folder, lang, encoding)


def _records(folder: Path, lang: str, encoding: str | None) -> Iterator[dict[str, Any]]:
    wav = _map(folder, "wav.scp", encoding)
    reco2dur = _map(folder, "reco2dur", encoding)
    spk2gender = _map(folder, "spk2gender", encoding)

    def segment(n: int, utt: str, value: str) -> tuple[str, float, float]:
        where = f"{folder / 'segments'}:{n}"
        parts = value.split()
        if len(parts) != 3:
            raise InputError(f"{where}: a segments line is '<utterance> <recording> <start> <end>'")
        reco = parts[0]
        if wav is None or reco not in wav:
            raise InputError(f"{where}: recording {reco!r} of utterance {utt!r} is not in wav.scp")
        t0, t1 = seconds(parts[1], where), seconds(parts[2], where)
        check_times(t0, t1, where)
        return reco, t0, t1

    segments = _Beside(folder / "segments", encoding, segment) if (folder / "segments").is_file() else None
    utt2spk = _Beside(folder / "utt2spk", encoding) if (folder / "utt2spk").is_file() else None
    durations: dict[str, float] = {}
    for reco, (n, value) in (reco2dur or {}).items():
        durations[reco] = seconds(value, f"{folder / 'reco2dur'}:{n}")
    for n, utt, text in _table(folder / "text", encoding):
        where = f"{folder / 'text'}:{n}"
        found: dict[str, Any] = {}
        for name, table in (("segments", segments), ("utt2spk", utt2spk)):
            if table is not None:
                try:
                    found[name] = table.get(utt)
                except KeyError:
                    raise InputError(f"{where}: utterance {utt!r} is not in {name}") from None
        side = nfc_side(text)
        reco = found["segments"][0] if segments is not None else utt
        if wav is not None and reco in wav:
            side["media"] = {"uri": wav[reco][1]}
            if reco in durations:
                side["media"]["duration"] = durations[reco]
        speaker = found.get("utt2spk")
        if speaker == utt:
            speaker = None
        meta = side.setdefault("meta", {})
        if segments is not None:
            meta["recording"] = reco
            seg: dict[str, Any] = {"start": 0, "end": len(side["text"]), "t0": found["segments"][1],
                                   "t1": found["segments"][2]}
            if speaker:
                seg["speaker"] = speaker
            side["layers"] = {"segments": {"spans": [seg]}}
        elif speaker:
            meta["speaker"] = speaker
        if speaker and spk2gender is not None and speaker in spk2gender:
            meta["speaker_gender"] = spk2gender[speaker][1]
        if not meta:
            del side["meta"]
        yield {"id": utt, "sides": {lang: side}}
    for table in (segments, utt2spk):
        if table is not None:
            table.drain()


# ------------------------------------------------------------------------------------------ writing

def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    """Write a Kaldi data folder (atomically: every file is moved into place at the end)."""
    check_options(FORMAT, "writer", options)
    target = Path(path)
    with folder_output(target) as tmp:
        return _write(records, tmp, langs)


def _write(records: Iterable[dict[str, Any]], tmp: Path, langs: Any) -> int:
    files = {name: (tmp / name).open("w", encoding="utf-8", newline="\n")
             for name in ("text", "utt2spk", "wav.scp", "segments", "reco2dur", "spk2gender")}
    # every utterance's speaker, for spk2utt at the end, and every utterance id, to refuse a repeat: on disk
    # past a bound (SpillFile, DuplicateIndex), never a list of the whole corpus in memory
    spk2utt = SpillFile("CREATE TABLE u (spk TEXT, n INTEGER, utt TEXT);", "lancang-spk2utt-")
    pending: list[tuple[str, int, str]] = []
    recordings: dict[str, str] = {}
    genders: dict[str, str] = {}
    utts = DuplicateIndex()
    with_segments: bool | None = None
    n = k = 0
    try:
        for rec in records:
            lang = pick_side(rec, langs, "a Kaldi data folder")
            for u in utterances(rec, lang):
                where = f"record {rec['id']!r}"
                if not u.id or any(c.isspace() for c in u.id):
                    raise InputError(f"{where}: utterance id {u.id!r} cannot be a Kaldi key (empty or has spaces)")
                k += 1
                if utts.add(u.id, k) is not None:
                    raise InputError(f"{where}: utterance {u.id!r} was already written")
                timed = u.t0 is not None
                if with_segments is None:
                    with_segments = timed
                elif timed != with_segments:
                    raise InputError(f"{where}: {'has' if timed else 'has no'} segments but earlier records "
                                     f"{'had none' if timed else 'had'}; a Kaldi data folder has a segments "
                                     "line for every utterance or none")
                media = u.side.get("media") or {}
                reco = recording_id(u.side, rec["id"]) if timed else u.id
                if any(c.isspace() for c in reco):
                    raise InputError(f"{where}: recording id {reco!r} cannot be a Kaldi key")
                uri = media.get("uri")
                if uri is None and timed:
                    raise InputError(f"{where}: has no media; a segments line needs its recording in wav.scp")
                if uri is not None:
                    if "\n" in uri or "\r" in uri:
                        raise InputError(f"{where}: the media URI has a line break; wav.scp holds one line")
                    known = recordings.get(reco)
                    if known is None:
                        recordings[reco] = uri
                        files["wav.scp"].write(f"{reco} {uri}\n")
                        if media.get("duration") is not None:
                            files["reco2dur"].write(f"{reco} {fmt_seconds(media['duration'])}\n")
                    elif known != uri:
                        raise InputError(f"{where}: recording {reco!r} is {known!r} in an earlier record and "
                                         f"{uri!r} here")
                speaker = u.speaker or (u.side.get("meta") or {}).get("speaker") or u.id
                if any(c.isspace() for c in speaker):
                    raise InputError(f"{where}: speaker {speaker!r} cannot be a Kaldi key (it has spaces)")
                files["text"].write(f"{u.id} {u.text}\n" if u.text else f"{u.id}\n")
                files["utt2spk"].write(f"{u.id} {speaker}\n")
                pending.append((speaker, k, u.id))
                if len(pending) >= 10_000:
                    spk2utt.db.executemany("INSERT INTO u VALUES (?, ?, ?)", pending)  # type: ignore[union-attr]
                    pending = []
                if timed:
                    files["segments"].write(f"{u.id} {reco} {fmt_seconds(u.t0)} {fmt_seconds(u.t1)}\n")  # type: ignore[arg-type]
                gender = (u.side.get("meta") or {}).get("speaker_gender")
                if gender and speaker != u.id and speaker not in genders:
                    genders[speaker] = gender
                    files["spk2gender"].write(f"{speaker} {gender}\n")
            n += 1
        for utt, _first, _again, _tag in utts.late_duplicates():
            raise InputError(f"utterance {utt!r} was already written (utterance ids are unique in a Kaldi folder)")
        db = spk2utt.db
        assert db is not None
        db.executemany("INSERT INTO u VALUES (?, ?, ?)", pending)
        with (tmp / "spk2utt").open("w", encoding="utf-8", newline="\n") as f:
            # speakers in byte order of their UTF-8 (SQLite's BINARY collation: Kaldi's LC_ALL=C sort), each
            # speaker's utterances in the order written
            for spk, rows in itertools.groupby(db.execute("SELECT spk, utt FROM u ORDER BY spk, n"),
                                               key=operator.itemgetter(0)):
                f.write(f"{spk} {' '.join(r[1] for r in rows)}\n")
    finally:
        for f in files.values():
            f.close()
        spk2utt.close()
        utts.close()
    for name in ("segments", "reco2dur", "spk2gender", "wav.scp"):
        if (tmp / name).stat().st_size == 0 and not (name == "segments" and with_segments):
            (tmp / name).unlink()
    return n


FORMAT = Format(
    name="kaldi",
    description="Kaldi data folder (text, segments, utt2spk, spk2utt, wav.scp, reco2dur, spk2gender): one record "
                "per utterance",
    extensions=(),
    carries=frozenset({"media", "segments", "meta"}),
    read=read,
    write=write,
    max_sides=1,
    needs_langs=True,
    read_options=READ_OPTIONS,
    write_options={},
)
