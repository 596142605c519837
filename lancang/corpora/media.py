"""Facts about a media file, read without decoding speech: duration, sample rate, channels, sha256.

lancang does not recognise speech; it reads audio only for the facts a corpus states about it
(issue 18). WAV is read with the standard library's :mod:`wave` (PCM; the header alone, the samples
are never decoded); FLAC, OGG/Vorbis/Opus, MP3 and WAV encodings :mod:`wave` does not know (float,
A-law...) with ``soundfile`` (``pip install "lancang[speech]"``), which also reads only the header.
The sha256 is of the file's bytes, streamed in 1 MiB blocks, so memory stays flat for hours of audio.

A side's ``media.uri`` is written as the source format wrote it: a relative path (resolved against
the media root, ``--media-root`` / the reader option ``media_root``, else against the folder of the
transcript file), an absolute path, or a ``file:`` URI. Other URIs (``http:``, ``s3:``...) are not
fetched: :func:`resolve_media` gives None for them and :func:`verify_media` says so.
"""

from __future__ import annotations

import functools
import hashlib
import wave
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import InputError
from .invariants import TIME_TOLERANCE, Issue

#: file extensions lancang treats as audio (a TextGrid's media is the audio file of the same stem)
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".opus", ".mp3", ".aiff", ".aif", ".au")
_INSTALL = 'pip install "lancang[speech]"'


@dataclass(frozen=True)
class MediaFacts:
    """What lancang knows about a media file: the keys of a side's ``media`` (less ``uri``)."""

    duration: float
    sample_rate: int
    channels: int
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def sha256_file(path: str | Path) -> str:
    """The sha256 of a file's bytes (streamed), lowercase hex."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the media file ({exc.strerror or exc})") from None


def _wave_facts(path: Path) -> MediaFacts | None:
    """Facts from a WAV header by :mod:`wave`, or None when wave cannot read the encoding."""
    try:
        with wave.open(str(path), "rb") as w:
            rate, frames, channels = w.getframerate(), w.getnframes(), w.getnchannels()
    except wave.Error as exc:
        if "unknown format" in str(exc):
            return None  # a WAV that is not PCM: soundfile reads it
        raise InputError(f"{path}: not a readable WAV file ({exc})") from None
    except EOFError:
        raise InputError(f"{path}: not a readable WAV file (the header ends early)") from None
    if rate <= 0 or channels <= 0:
        raise InputError(f"{path}: the WAV header gives {rate} Hz and {channels} channels")
    return MediaFacts(frames / rate, rate, channels)


def _soundfile_facts(path: Path) -> MediaFacts:
    try:
        import soundfile
    except ImportError:
        raise InputError(f"{path}: reading the facts of a {path.suffix or 'non-WAV'} file needs soundfile: "
                         f"{_INSTALL}") from None
    try:
        info = soundfile.info(str(path))
    except RuntimeError as exc:  # soundfile.LibsndfileError is one
        raise InputError(f"{path}: not a readable audio file ({str(exc).splitlines()[0] if str(exc) else exc})") \
            from None
    if info.samplerate <= 0 or info.channels <= 0:
        raise InputError(f"{path}: the audio header gives {info.samplerate} Hz and {info.channels} channels")
    return MediaFacts(info.frames / info.samplerate, int(info.samplerate), int(info.channels))


def media_facts(path: str | Path, sha256: bool = True) -> MediaFacts:
    """Duration (seconds, frames / rate, never rounded), sample rate, channels and (``sha256=True``) the
    file's sha256. A missing file or an unreadable header is an :class:`~lancang.errors.InputError`.
    Remembered per file (path, size, modification time): the utterances of one recording are checked
    against one reading of it."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: media file not found" if not p.exists() else f"{p}: not a file")
    st = p.stat()
    return _facts(str(p), st.st_size, st.st_mtime_ns, sha256)


@functools.lru_cache(maxsize=64)
def _facts(path: str, _size: int, _mtime: int, sha256: bool) -> MediaFacts:
    p = Path(path)
    facts = None
    with open(p, "rb") as f:
        head = f.read(12)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        facts = _wave_facts(p)
    if facts is None:
        facts = _soundfile_facts(p)
    if sha256:
        facts = MediaFacts(facts.duration, facts.sample_rate, facts.channels, sha256_file(p))
    return facts


def resolve_media(uri: str, root: str | Path | None = None, base: str | Path | None = None) -> Path | None:
    """The local file a media URI names: a ``file:`` URI or an absolute path as is; a relative path
    against ``root`` (the media root) if given, else against ``base`` (the transcript's folder), else
    the working directory. None for a URI of another scheme (``http:``, ``s3:``...), never fetched."""
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if len(parts.scheme) > 1:  # a Windows drive letter ("C:") is one letter: a path
        return None
    p = Path(uri)
    if p.is_absolute():
        return p
    if root is not None:
        return Path(root) / p
    if base is not None:
        return Path(base) / p
    return p


def describe(uri: str, root: str | Path | None = None, base: str | Path | None = None,
             sha256: bool = True) -> dict[str, Any]:
    """A side's ``media`` dict: ``uri`` as given and the facts of the file it resolves to."""
    path = resolve_media(uri, root, base)
    if path is None:
        raise InputError(f"{uri}: only local media files are read (not fetched)")
    return {"uri": uri, **media_facts(path, sha256).to_dict()}


def media_of(uri: str, root: str | Path | None = None, base: str | Path | None = None,
             facts: bool = True) -> dict[str, Any]:
    """A side's ``media`` for a URI a transcript names (an EAF's media descriptor, ``-I media=PATH``):
    with ``facts``, :func:`describe` when it resolves to an existing local file; else the ``uri`` alone
    (a missing file or a remote URI is the validator's ``media-missing`` / ``media-unreadable`` to
    report, not a reading error). A file that exists but cannot be read is an InputError."""
    if facts:
        path = resolve_media(uri, root, base)
        if path is not None and path.exists():
            return {"uri": uri, **media_facts(path).to_dict()}
    return {"uri": uri}


def media_option(option: Any, transcript: str | Path, root: str | Path | None = None,
                 facts: bool = True) -> dict[str, Any] | None:
    """The reader option ``-I media=auto|PATH`` of the formats that do not name their audio (TextGrid,
    WebVTT, SRT), one rule for them all: None when the option is not given; ``auto`` is the audio file
    of the transcript's stem (any of :data:`AUDIO_EXTENSIONS`, lower or upper case) under ``root`` if
    given, else beside the transcript, with its URI the file's name (None when there is none); any
    other value is a path or URI in which ``{stem}`` is the transcript's stem, resolved against
    ``root``, else the transcript's folder (:func:`media_of`). ``facts=False`` gives the URI alone."""
    if option in (None, ""):
        return None
    path = Path(transcript)
    if option == "auto":
        folder = Path(root) if root else path.parent
        for ext in AUDIO_EXTENSIONS:
            for cand in (folder / (path.stem + ext), folder / (path.stem + ext.upper())):
                if cand.is_file():
                    return media_of(cand.name, folder, facts=facts)
        return None
    return media_of(str(option).replace("{stem}", path.stem), root, path.parent, facts)


def verify_media(side: Any, root: str | Path | None = None, base: str | Path | None = None,
                 sha256: bool = True) -> list[Issue]:
    """Check a side's media against the file: findings ``(rule, severity, pointer, message)`` with the
    pointer relative to the side (``/media/...``), the rule ids of the validator:

    ``media-missing`` (the file does not exist), ``media-unreadable`` (its header cannot be read, or
    the URI is not a local file), ``media-hash-differs``, ``media-duration-differs`` (by more than
    1 ms), ``media-format-differs`` (sample rate or channels), ``media-channel-out-of-range``.
    ``side`` is a side dict or a :class:`~lancang.corpora.model.Side`; a side without media has none.
    """
    data = side.data if hasattr(side, "data") else side
    media = data.get("media") if isinstance(data, Mapping) else None
    if not media:
        return []
    uri = media["uri"]
    path = resolve_media(uri, root, base)
    if path is None:
        return [("media-unreadable", "warning", "/media/uri", f"media {uri!r} is not a local file; not checked")]
    if not path.exists():
        return [("media-missing", "error", "/media/uri", f"media file {path} does not exist")]
    want_hash = sha256 and "sha256" in media
    try:
        facts = media_facts(path, sha256=want_hash)
    except InputError as exc:
        return [("media-unreadable", "error", "/media/uri", str(exc))]
    out: list[Issue] = []
    if want_hash and facts.sha256 != media["sha256"]:
        out.append(("media-hash-differs", "error", "/media/sha256",
                    f"{path} has sha256 {facts.sha256}, the record says {media['sha256']}"))
    dur = media.get("duration")
    if dur is not None and abs(dur - facts.duration) > TIME_TOLERANCE:
        out.append(("media-duration-differs", "error", "/media/duration",
                    f"{path} lasts {facts.duration:g} s, the record says {dur:g} s"))
    for key, real in (("sample_rate", facts.sample_rate), ("channels", facts.channels)):
        if media.get(key) is not None and media[key] != real:
            out.append(("media-format-differs", "error", f"/media/{key}",
                        f"{path} has {key.replace('_', ' ')} {real}, the record says {media[key]}"))
    channel = media.get("channel")
    if channel is not None and channel > facts.channels:
        out.append(("media-channel-out-of-range", "error", "/media/channel",
                    f"channel {channel} of {path}, which has {facts.channels}"))
    return out
