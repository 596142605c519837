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
  writing; feature tables (``feats.scp``, ``utt2num_frames``, ``cmvn.scp``...) are not read;
* ``utt2lancang_id`` (written by lancang when it prefixed utterance ids with their speaker) -> the
  record id, instead of the Kaldi utterance id.

An utterance in ``text`` missing from ``segments`` or ``utt2spk`` (when the folder has them), a
``segments`` line naming a recording missing from ``wav.scp``, and negative or reversed times are
one-line input errors with the file and line. Empty transcripts are kept (they are utterances).

A file instead of a folder is read as one ``text`` table alone (``<utterance> <transcript>`` lines, the
reference and hypothesis files of Kaldi's ``compute-wer``): records with their text only.

Write: a folder with ``text``, ``utt2spk``, ``spk2utt``, ``wav.scp`` and, when known,
``segments``, ``reco2dur`` and ``spk2gender``, as Kaldi's ``utils/validate_data_dir.sh`` accepts it:
every table sorted by its key in byte order (``LC_ALL=C``), the utterances going through a table on disk
first, so a corpus of any size is written in flat memory. An utterance id that does not begin with its
speaker id becomes ``<speaker>-<id>`` (:func:`kaldi_id`: Kaldi wants ``utt2spk`` sorted by speaker too),
and then every utterance's own id is kept in :data:`IDS_TABLE`, which the reader reads back, so the
records come back with their ids (in the folder's sorted order). What the script refuses is refused with
the utterance: a segment that does not end after it starts, a white space other than the space in a
text, a gender other than ``m``/``f`` or genders for some speakers only, durations for some recordings
only, speaker ids whose order differs from their utterances'. A record with several segments (a TextGrid,
a subtitle file) becomes one utterance per segment (:func:`lancang.corpora.formats.timed.utterances`).
"""

from __future__ import annotations

import contextlib
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
    ids = _Beside(folder / IDS_TABLE, encoding) if (folder / IDS_TABLE).is_file() else None
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
        rid = utt
        if ids is not None:  # lancang's own id of an utterance it prefixed with its speaker
            with contextlib.suppress(KeyError):
                rid = ids.get(utt).strip() or utt
        yield {"id": rid, "sides": {lang: side}}
    for table in (segments, utt2spk, ids):
        if table is not None:
            table.drain()


# ------------------------------------------------------------------------------------------ writing

def write(records: Iterable[dict[str, Any]], path: PathLike, *, langs: Any = None, **options: Any) -> int:
    """Write a Kaldi data folder (atomically: every file is moved into place at the end)."""
    check_options(FORMAT, "writer", options)
    target = Path(path)
    with folder_output(target) as tmp:
        return _write(records, tmp, langs)


#: the table of lancang's own ids: ``<Kaldi utterance id> <record or segment id>``, written when the writer
#: had to prefix an utterance id with its speaker id (Kaldi tools ignore a table they do not know)
IDS_TABLE = "utt2lancang_id"
#: Kaldi's speaker genders (``utils/validate_data_dir.sh`` accepts nothing else in spk2gender)
GENDERS = ("m", "f")


def kaldi_id(utt: str, speaker: str) -> str:
    """The Kaldi utterance id of ``utt`` spoken by ``speaker``: the id itself when it begins with the speaker
    id (Kaldi's convention, so that sorting by utterance sorts by speaker too; always so without a speaker,
    whose id is the utterance's), else ``<speaker>-<utt>``.

    >>> kaldi_id("1272-135031-0000", "1272"), kaldi_id("r7", "spk2"), kaldi_id("u1", "u1")
    ('1272-135031-0000', 'spk2-r7', 'u1')
    """
    return utt if utt.startswith(speaker) else f"{speaker}-{utt}"


def _write(records: Iterable[dict[str, Any]], tmp: Path, langs: Any) -> int:
    # every utterance goes to a table on disk first (SpillFile), to be written sorted by utterance id in
    # byte order, as Kaldi's LC_ALL=C sort orders them: never a list of the whole corpus in memory
    spill = SpillFile("CREATE TABLE u (n INTEGER, kid TEXT, spk TEXT, orig TEXT, rid TEXT, text TEXT, reco TEXT, "
                      "t0 TEXT, t1 TEXT);", "lancang-kaldi-")
    pending: list[tuple[Any, ...]] = []
    recordings: dict[str, tuple[str, Any]] = {}
    genders: dict[str, str] = {}
    utts = DuplicateIndex()
    with_segments: bool | None = None
    renamed = False
    n = k = 0
    db = spill.db
    assert db is not None
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
                speaker = u.speaker or (u.side.get("meta") or {}).get("speaker") or u.id
                if any(c.isspace() for c in speaker):
                    raise InputError(f"{where}: speaker {speaker!r} cannot be a Kaldi key (it has spaces)")
                if timed and u.t1 <= u.t0:  # type: ignore[operator]
                    raise InputError(f"{where}: utterance {u.id!r} ends where it starts ({fmt_seconds(u.t0)} s); "
                                     "Kaldi's segments need an end after the start")  # type: ignore[arg-type]
                odd = next((c for c in u.text if c.isspace() and c != " "), None)
                if odd is not None:
                    raise InputError(f"{where}: the text of utterance {u.id!r} holds U+{ord(odd):04X}, a white space "
                                     "Kaldi's text does not allow (utils/validate_text.pl): only spaces")
                kid = kaldi_id(u.id, speaker)
                renamed = renamed or kid != u.id
                media = u.side.get("media") or {}
                reco = recording_id(u.side, rec["id"]) if timed else kid
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
                        recordings[reco] = (uri, media.get("duration"))
                    elif known[0] != uri:
                        raise InputError(f"{where}: recording {reco!r} is {known[0]!r} in an earlier record and "
                                         f"{uri!r} here")
                gender = (u.side.get("meta") or {}).get("speaker_gender")
                if gender and speaker != u.id and speaker not in genders:
                    if gender not in GENDERS:
                        raise InputError(f"{where}: speaker {speaker!r} has gender {gender!r}; Kaldi's spk2gender "
                                         "holds m or f")
                    genders[speaker] = gender
                pending.append((k, kid, speaker, u.id, rec["id"], u.text, reco,
                                fmt_seconds(u.t0) if timed else None,
                                fmt_seconds(u.t1) if timed else None))  # type: ignore[arg-type]
                if len(pending) >= 10_000:
                    db.executemany("INSERT INTO u VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", pending)
                    pending = []
            n += 1
        for utt, _first, _again, _tag in utts.late_duplicates():
            raise InputError(f"utterance {utt!r} was already written (utterance ids are unique in a Kaldi folder)")
        db.executemany("INSERT INTO u VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", pending)
        db.execute("CREATE INDEX u_kid ON u (kid)")
        if renamed:
            for kid, orig, rid in db.execute("SELECT kid, orig, rid FROM u WHERE kid IN "
                                             "(SELECT kid FROM u GROUP BY kid HAVING COUNT(*) > 1) ORDER BY n LIMIT 1"):
                raise InputError(f"record {rid!r}: utterance {orig!r} would be Kaldi utterance {kid!r}, which another "
                                 "utterance already is (ids are prefixed by their speaker id)")
        _tables(db, tmp, bool(with_segments), renamed, recordings, genders)
    finally:
        spill.close()
        utts.close()
    return n


def _tables(db: Any, tmp: Path, with_segments: bool, renamed: bool, recordings: dict[str, tuple[str, Any]],
            genders: dict[str, str]) -> None:
    """Write the tables of a data folder, each sorted by its key in byte order (``LC_ALL=C``), from the
    utterances in ``db``, and check what ``utils/validate_data_dir.sh`` checks across them."""
    def out(name: str) -> Any:
        return (tmp / name).open("w", encoding="utf-8", newline="\n")

    by_key = sorted(recordings, key=lambda r: r.encode("utf-8"))
    with out("text") as text, out("utt2spk") as utt2spk:
        segments = out("segments") if with_segments else None
        ids = out(IDS_TABLE) if renamed else None
        prev: tuple[bytes, bytes] | None = None
        prev_utt = ""
        try:
            for kid, spk, orig, body, reco, t0, t1 in db.execute(
                    "SELECT kid, spk, orig, text, reco, t0, t1 FROM u ORDER BY kid"):
                text.write(f"{kid} {body}\n" if body else f"{kid}\n")
                utt2spk.write(f"{kid} {spk}\n")
                if segments is not None:
                    segments.write(f"{kid} {reco} {t0} {t1}\n")
                if ids is not None:
                    ids.write(f"{kid} {orig}\n")
                key = (spk.encode("utf-8"), kid.encode("utf-8"))
                if prev is not None and key < prev:  # `sort -k2 utt2spk` would reorder the table
                    raise InputError(f"utterances {prev_utt!r} (speaker {prev[0].decode()!r}) and {kid!r} (speaker "
                                     f"{spk!r}) sort one way by utterance id and the other way by speaker id; Kaldi "
                                     "wants both orders alike (utils/validate_data_dir.sh): give speaker ids that are "
                                     "not the start of one another's")
                prev, prev_utt = key, kid
        finally:
            for f in (segments, ids):
                if f is not None:
                    f.close()
    with out("spk2utt") as f:
        # speakers in byte order of their UTF-8 (SQLite's BINARY collation: Kaldi's LC_ALL=C sort), each
        # speaker's utterances in the order of utt2spk
        for spk, rows in itertools.groupby(db.execute("SELECT spk, kid FROM u ORDER BY spk, kid"),
                                           key=operator.itemgetter(0)):
            f.write(f"{spk} {' '.join(r[1] for r in rows)}\n")
    if recordings:
        with out("wav.scp") as f:
            for reco in by_key:
                f.write(f"{reco} {recordings[reco][0]}\n")
    if any(recordings[r][1] is not None for r in by_key):
        missing = next(r for r in by_key if recordings[r][1] is None) if not all(
            recordings[r][1] is not None for r in by_key) else None
        if missing is not None:
            raise InputError(f"recording {missing!r} has no duration while others have one: Kaldi's reco2dur lists "
                             "every recording or none")
        with out("reco2dur") as f:
            for reco in by_key:
                f.write(f"{reco} {fmt_seconds(recordings[reco][1])}\n")
    if genders:
        with out("spk2gender") as f:
            for (spk,) in db.execute("SELECT DISTINCT spk FROM u ORDER BY spk"):
                if spk not in genders:
                    raise InputError(f"speaker {spk!r} has no gender (meta.speaker_gender) while others have one: "
                                     "Kaldi's spk2gender lists every speaker or none")
                f.write(f"{spk} {genders[spk]}\n")


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
