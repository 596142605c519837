"""What a PII detector is: spans of personal data in a side's text, and format-keeping surrogates.

A detector's :meth:`Detector.find` returns :class:`Hit` spans (code points into the side's text,
``[start, end)``) typed ``PHONE``, ``CN_RESIDENT_ID``, ``PERSON``...; :meth:`Detector.surrogate` turns
a found value into a stand-in of the same shape (length, grouping, separators, full-width or native
digits) that is itself *valid* where the format has a checksum, chosen from a keyed digest that the
masking runner supplies (the same value and key always give the same surrogate).

Text is matched after :func:`fold`: full-width ASCII forms (``１３８``, ``＋``, ``－``) and the decimal
digits of Thai, Lao, Khmer and Myanmar are mapped to ASCII one code point for one, so offsets found in
the folded text are offsets into the original. Each detector names a cheap :attr:`Detector.trigger`
(a regular expression a text must match for the detector to hit at all); :func:`find_all
<lancang.processing.detectors.find_all>` joins the triggers of a set into one pattern, so a sentence
with no long number, ``@`` or ``://`` costs one search.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..params import resolve_params

#: Zeros of the decimal digit sets folded to ASCII (ASCII, full-width, Thai, Lao, Khmer, Myanmar).
DIGIT_ZEROS = (0x30, 0xFF10, 0x0E50, 0x0ED0, 0x17E0, 0x1040)
#: A character class of every digit :func:`fold` maps to ASCII, for triggers run on unfolded text.
DIGIT = "[0-9\uff10-\uff19\u0e50-\u0e59\u0ed0-\u0ed9\u17e0-\u17e9\u1040-\u1049]"

_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
for _zero in DIGIT_ZEROS[2:]:
    _FOLD.update({_zero + i: 0x30 + i for i in range(10)})


@functools.lru_cache(maxsize=16)
def fold(text: str) -> str:
    """``text`` with full-width ASCII forms, the ideographic space and Thai/Lao/Khmer/Myanmar digits
    mapped to ASCII, one code point for one (same length: offsets hold)."""
    return text.translate(_FOLD)


def compact(value: str) -> str:
    """The ASCII letters and digits of a value, folded (``１１０１０１-…`` -> ``110101…``)."""
    return "".join(c for c in fold(value) if c.isascii() and c.isalnum())


#: No ASCII letter or digit right before / after a value (text of any other script may touch it).
START = r"(?<![0-9A-Za-z])"
END = r"(?![0-9A-Za-z])"


def birth_date(year: int, month: int, day: int, earliest: int = 1900) -> datetime.date | None:
    """The date if it exists and could be a living person's birth date (from ``earliest`` to today)."""
    try:
        d = datetime.date(year, month, day)
    except ValueError:
        return None
    return d if earliest <= year and d <= datetime.date.today() else None


def random_date(rng: DigestRng, first: int = 1950, last: int = 2005) -> datetime.date:
    """A date between 1 January ``first`` and 28 December ``last`` drawn from ``rng``."""
    return datetime.date(rng.between(first, last), rng.between(1, 12), rng.between(1, 28))


@dataclass(frozen=True)
class Hit:
    """A span of personal data in a side's text."""

    start: int
    end: int
    #: what it is (``PHONE``, ``EMAIL``, ``CN_RESIDENT_ID``, ``BANK_CARD``, ``PERSON``...)
    type: str
    #: the registry name of the detector that found it
    detector: str
    #: confidence 0..1 (context words raise it)
    score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "type": self.type, "detector": self.detector,
                "score": self.score}


class DigestRng:
    """A deterministic stream of choices drawn from a digest (SHA-256 in counter mode): the same
    digest gives the same choices on every machine and Python version."""

    def __init__(self, digest: bytes):
        self._seed = bytes(digest)
        self._counter = 0
        self._buf = b""

    def _bytes(self, n: int) -> bytes:
        while len(self._buf) < n:
            self._buf += hashlib.sha256(self._seed + self._counter.to_bytes(4, "big")).digest()
            self._counter += 1
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)``."""
        limit = 65536 - 65536 % n
        while True:
            x = int.from_bytes(self._bytes(2), "big")
            if x < limit:
                return x % n

    def between(self, lo: int, hi: int) -> int:
        """A uniform integer in ``[lo, hi]``."""
        return lo + self.below(hi - lo + 1)

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[self.below(len(seq))]

    def digits(self, n: int) -> str:
        return "".join(str(self.below(10)) for _ in range(n))


_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()
#: Characters common in Chinese given names and surnames: a Han surrogate stays a plausible name.
_HAN_NAME = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
             "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华文建国玉兰云峰志红梅晓宇浩然欣怡子轩佳琪")
#: Base consonants per script (combining marks of the original are kept where they are).
_SCRIPT_LETTERS = {
    "THAI": "กขคงจฉชซญดตถทธนบปผพฟมยรลวสหอฮ",
    "LAO": "ກຂຄງຈສຊຍດຕຖທນບປຜຝພຟມຢຣລວຫອຮ",
    "KHMER": "កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអ",
    "MYANMAR": "ကခဂဃငစဆဇဈညဋဌဍဎဏတထဒဓနပဖဗဘမယရလဝသဟဠအ",
    "HANGUL": "가나다라마바사아자차카타파하",
}


def scramble_char(c: str, rng: DigestRng) -> str:
    """A stand-in of the same kind: a digit in the same digit set, an ASCII letter of the same case and
    width (Latin letters with diacritics become plain letters), a Han name character, a base letter of
    the same script; anything else (separators, marks, punctuation) is kept."""
    o = ord(c)
    for zero in DIGIT_ZEROS:
        if zero <= o <= zero + 9:
            return chr(zero + rng.below(10))
    if 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
        return chr(ord(scramble_char(chr(o - 0xFEE0), rng)) + 0xFEE0)
    if c.isascii():
        if c.isupper():
            return rng.choice(_UPPER)
        if c.islower():
            return rng.choice(_LOWER)
        return c
    cat = unicodedata.category(c)
    if cat not in ("Lu", "Ll", "Lo", "Lt"):
        return c
    name = unicodedata.name(c, "")
    if name.startswith("CJK UNIFIED IDEOGRAPH"):
        return rng.choice(_HAN_NAME)
    if name.startswith("LATIN"):
        return rng.choice(_UPPER if cat == "Lu" else _LOWER)
    script = name.split(" ", 1)[0]
    pool = _SCRIPT_LETTERS.get(script)
    return rng.choice(pool) if pool and c in pool else c


def scramble(value: str, rng: DigestRng) -> str:
    """Every character of ``value`` through :func:`scramble_char` (the whole shape kept)."""
    return "".join(scramble_char(c, rng) for c in value)


def reshape(value: str, chars: str) -> str:
    """``value`` with its ASCII letters and digits (after :func:`fold`) replaced, in order, by
    ``chars``, each written in the form of the character it replaces: a digit in the same digit set
    (full-width, Thai...), a letter in the same width; separators and other characters stay.
    ``len(chars)`` must equal ``len(compact(value))``."""
    out: list[str] = []
    it = iter(chars)
    for orig, f in zip(value, fold(value)):
        if not (f.isascii() and f.isalnum()):
            out.append(orig)
            continue
        new = next(it)
        o = ord(orig)
        if f.isdigit() and new.isdigit():
            zero = o - (ord(f) - 0x30)
            out.append(chr(zero + ord(new) - 0x30))
        elif 0xFF01 <= o <= 0xFF5E:
            out.append(chr(ord(new) + 0xFEE0))
        else:
            out.append(new)
    return "".join(out)


def keyword_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive pattern for context words: Latin-script words match with no letter
    either side (``HP`` not inside ``CHIP``; digits may touch: ``50000đ``), words of scripts without
    spaces match anywhere."""
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        esc = re.escape(w)
        if w[0].isascii() or unicodedata.name(w[0], "").startswith("LATIN"):
            esc = rf"(?<![^\W\d_]){esc}(?![^\W\d_])"
        parts.append(esc)
    return re.compile("|".join(parts), re.IGNORECASE)


def near(pattern: re.Pattern[str], text: str, start: int, end: int, before: int = 24, after: int = 12) -> bool:
    """Whether ``pattern`` matches within ``before`` characters before ``start`` or ``after`` after ``end``."""
    return bool(pattern.search(text, max(0, start - before), start) or pattern.search(text, end, end + after))


class Detector:
    """Base class of PII detectors. Subclasses set the class attributes and override :meth:`find`,
    and :meth:`make_surrogate` where the format has a checksum or a structure to keep."""

    #: registry name (kebab-case)
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: primary language subtags whose writers use the format, ``("*",)`` for any
    languages: ClassVar[tuple[str, ...]] = ("*",)
    #: the hit types it emits
    types: ClassVar[tuple[str, ...]] = ()
    #: JSON Schema (an object with ``properties``, each with a ``default``; unknown keys are errors)
    parameters: ClassVar[Mapping[str, Any]] = {"type": "object", "properties": {}, "additionalProperties": False}
    #: precision notes: what it misses and what it may over-match
    notes: ClassVar[str] = ""
    #: modules it imports beyond lancang's core, and the extra that installs them
    modules: ClassVar[tuple[str, ...]] = ()
    extra: ClassVar[str | None] = None
    #: on in ``lancang mask`` unless configured off
    default: ClassVar[bool] = True
    #: a regular expression (on unfolded text) that matches wherever the detector could hit; None: always run
    trigger: ClassVar[str | None] = None

    def __init__(self, **params: Any):
        self.params = resolve_params("detector", self.name, self.parameters, params)
        #: the types :func:`find_all` keeps from this detector (narrowed by ``build_detectors(types=...)``)
        self.emit: frozenset[str] = frozenset(self.types)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {"name": cls.name, "description": cls.description, "languages": list(cls.languages),
                "types": list(cls.types), "parameters": dict(cls.parameters), "notes": cls.notes,
                "default": cls.default, "extra": cls.extra}

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        """Hits in ``text`` (a side's text in language ``lang``; ``side`` for detectors that read layers)."""
        raise NotImplementedError

    def hit(self, start: int, end: int, type_: str, score: float = 1.0) -> Hit:
        return Hit(start, end, type_, self.name, round(min(1.0, score), 3))

    def surrogate(self, value: str, hit_type: str, digest: bytes) -> str:
        """A stand-in for ``value`` chosen from ``digest``: same shape, valid where the format has a
        checksum, never equal to ``value``; the same digest always gives the same surrogate."""
        rng = DigestRng(digest)
        out = value
        for _ in range(64):
            out = self.make_surrogate(value, hit_type, rng)
            if out != value:
                return out
        return out  # a value with no letter or digit has no other shape

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        """One candidate surrogate (:meth:`surrogate` draws again while it equals the value);
        by default every letter and digit is replaced by one of the same kind."""
        return scramble(value, rng)


__all__ = ["DIGIT", "DIGIT_ZEROS", "END", "START", "Detector", "DigestRng", "Hit", "birth_date", "compact", "fold",
           "keyword_pattern", "near",
           "random_date", "reshape", "scramble", "scramble_char"]
