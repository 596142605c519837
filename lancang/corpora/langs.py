"""Language knowledge in one place: BCP 47 tags, aliases, scripts, and matching tags against ranges.

Every part of lancang that reasons about a language asks this module: the record and manifest
schemas (their ``bcp47`` pattern is :data:`BCP47_PATTERN`, a test keeps them equal), the formats
(well-formed, canonical-case side keys), the annotators (which language a side is, from its tag or
its script) and the standards' rules (allowed languages, the script a language is written in).

* :func:`check_tag` / :func:`is_tag` -- well-formed BCP 47 (RFC 5646) syntax;
  :func:`canonical_tag` -- canonical case (``EN-us`` -> ``en-US``, ``zh-hans`` -> ``zh-Hans``).
* :func:`language` (:func:`primary` for any string) -- the primary language with aliases folded:
  ISO 639-2/3 codes and members of a macrolanguage that lancang serves under another code (``tl``,
  ``tgl`` -> ``fil``; ``zsm``, ``msa`` -> ``ms``; ``cmn`` -> ``zh``...). ``tl`` and ``fil`` are one
  language everywhere.
* :func:`tag_matches` -- a tag is in a list of language ranges by subtag prefix, aliases folded
  (``zh-Hans-CN`` is in ``zh`` and in ``zh-Hans``; ``tl`` is in ``fil``).
* :func:`expected_script` -- the script a tag's text is written in: its script subtag, else its
  language's usual script; :func:`script_share` -- the share of a text's letters in a script;
  :func:`script_language` -- the language whose own script holds most letters of a text.

>>> language("zh-Hant-TW"), language("fil"), language("tl"), language("zsm"), language("tgl")
('zh', 'fil', 'fil', 'ms', 'fil')
>>> tag_matches("tl-PH", ["fil"]), tag_matches("zh-Hans-CN", ["zh-Hans"]), tag_matches("zh-Hant", ["zh-Hans"])
(True, True, False)
>>> is_traditional("zh-Hant"), is_traditional("zh-TW"), is_traditional("zh-Hans-TW"), is_traditional("zh")
(True, True, False, False)
>>> expected_script("tl"), expected_script("zh-Hant"), expected_script("sr-Latn"), expected_script("xx")
('Latin', 'Han', 'Latin', None)
>>> script_language("ខ្ញុំទៅសាលារៀន abc"), canonical_tag("zh_hans_cn")
('km', 'zh-Hans-CN')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import regex

from ..errors import UsageError

#: Well-formed BCP 47 (RFC 5646 ``Language-Tag``, grandfathered tags aside); the record and manifest
#: schemas carry this exact pattern as ``$defs/bcp47/pattern``.
BCP47_PATTERN = (
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?|[Xx](?:-[A-Za-z0-9]{1,8})+)$")
_BCP47 = re.compile(BCP47_PATTERN)

#: ISO 639-2/3 codes and macrolanguage members that mean a language lancang knows by another code.
ALIASES = {
    "zho": "zh", "chi": "zh", "cmn": "zh", "tha": "th", "vie": "vi", "ind": "id", "in": "id",
    "msa": "ms", "may": "ms", "zsm": "ms", "tl": "fil", "tgl": "fil", "khm": "km", "lao": "lo",
    "mya": "my", "bur": "my", "eng": "en",
}

#: ISO 639-1 codes of languages lancang folds to another code: what NLP libraries (spaCy, Stanza) call them.
ISO_639_1 = {"fil": "tl"}

#: The script a language is written in unless its tag names another (keys are folded languages).
LANG_SCRIPTS = {"zh": "Han", "ja": "Han", "th": "Thai", "km": "Khmer", "lo": "Lao", "my": "Myanmar",
                "vi": "Latin", "id": "Latin", "ms": "Latin", "fil": "Latin", "en": "Latin", "ko": "Hangul"}
#: ISO 15924 script subtags lancang knows, by the Unicode script name of their letters.
SUBTAG_SCRIPTS = {"hans": "Han", "hant": "Han", "latn": "Latin", "arab": "Arabic", "thai": "Thai", "khmr": "Khmer",
                  "laoo": "Lao", "mymr": "Myanmar", "hang": "Hangul"}
#: Scripts written by exactly one language lancang serves: a text in one of them names its language.
SCRIPT_LANGS = {"Han": "zh", "Thai": "th", "Lao": "lo", "Khmer": "km", "Myanmar": "my"}

#: Scripts written without spaces between words: their text is measured in characters, not words.
UNSPACED_SCRIPTS = frozenset({"Han", "Thai", "Khmer", "Lao", "Myanmar"})
#: Languages written without spaces between words (their words are told apart by a segmenter, and
#: their lengths and shingles are counted in characters): zh, ja, th, km, lo, my
UNSPACED = frozenset(lang for lang, script in LANG_SCRIPTS.items() if script in UNSPACED_SCRIPTS)

#: Languages so close that a sentence is often written the same in both (Indonesian and Malay): a
#: statistical identifier mixes them up on short text, and an identical pair is a translation, not a copy.
CLOSE_LANGUAGES = (frozenset({"id", "ms"}),)


def are_close(a: str, b: str) -> bool:
    """Whether two tags are one language or close languages (:data:`CLOSE_LANGUAGES`).

    >>> are_close("id", "ms"), are_close("zsm", "id-ID"), are_close("id", "en"), are_close("tl", "fil")
    (True, True, False, True)
    """
    la, lb = language(a), language(b)
    return la == lb or any(la in g and lb in g for g in CLOSE_LANGUAGES)
#: Languages whose sentences may end with no mark: Thai and Lao end a sentence with a space; Khmer
#: (។) and Burmese (။) have marks that writers often leave out.
UNMARKED_END_LANGS = frozenset({"th", "lo", "km", "my"})

#: The regions (ISO 3166-1) where a language is written, most likely first: where its phone numbers
#: and identifiers come from when a text does not say (``+84`` says; ``0912 345 678`` in Vietnamese
#: does not). English is read as the lingua franca of the ASEAN regions lancang serves.
LANG_REGIONS = {"zh": ("CN", "HK", "TW", "MO", "SG", "MY"), "vi": ("VN",), "th": ("TH",), "id": ("ID",),
                "ms": ("MY", "SG", "BN"), "fil": ("PH",), "km": ("KH",), "lo": ("LA",), "my": ("MM",),
                "en": ("SG", "MY", "PH", "HK", "BN", "CN", "VN", "TH", "ID", "TW", "MO", "KH", "LA", "MM")}

_TRADITIONAL_REGIONS = {"TW", "HK", "MO"}
#: runs of letters and their combining marks, marks that take the script of their base (Inherited) left
#: out (counted as the runs' total length: a run per word is far cheaper to match than a string per letter)
_LETTER = regex.compile(r"(?V1)[[\p{L}\p{M}]--[\p{Script=Inherited}\p{Script=Common}]]+")


def is_tag(tag: str) -> bool:
    """Whether ``tag`` is a well-formed BCP 47 language tag."""
    return bool(_BCP47.match(tag))


@functools.lru_cache(maxsize=1024)
def check_tag(tag: str) -> str:
    """``tag`` itself if it is a well-formed BCP 47 tag, else a :class:`~lancang.errors.UsageError`."""
    if not is_tag(tag):
        raise UsageError(f"{tag!r} is not a BCP 47 language tag")
    return tag


def canonical_tag(tag: str) -> str:
    """BCP 47 canonical case (``EN-us`` -> ``en-US``, ``zh-hans-cn`` -> ``zh-Hans-CN``); ``_`` -> ``-``."""
    parts = tag.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    ext = False
    for p in parts[1:]:
        if ext or len(p) == 1:
            ext = True
            out.append(p.lower())
        elif len(p) == 2 and p.isalpha():
            out.append(p.upper())
        elif len(p) == 4 and p.isalpha():
            out.append(p.title())
        else:
            out.append(p.lower())
    return "-".join(out)


def _fold(tag: str) -> list[str]:
    """The lower-cased subtags of a tag with its primary language folded through :data:`ALIASES`."""
    parts = tag.replace("_", "-").lower().split("-")
    parts[0] = ALIASES.get(parts[0], parts[0])
    return parts


def primary(tag: str) -> str:
    """The primary language subtag, lower-cased, aliases folded; any string (see :func:`language`)."""
    return _fold(tag)[0]


@functools.lru_cache(maxsize=1024)
def language(tag: str) -> str:
    """The primary language of a well-formed tag, lower-cased, with aliases folded (``tl`` and ``fil`` are one)."""
    return primary(check_tag(tag))


def iso639_1(lang: str) -> str:
    """The code NLP libraries know a lancang language by (``fil`` -> ``tl``; others as they are)."""
    return ISO_639_1.get(lang, lang)


def tag_matches(tag: str, ranges: Iterable[str]) -> bool:
    """Whether ``tag`` falls under one of the language ``ranges`` by subtag prefix, case-insensitive,
    aliases folded: ``zh-Hans-CN`` is under ``zh`` and ``zh-Hans``, ``tl`` under ``fil``."""
    parts = _fold(tag)
    for r in ranges:
        want = _fold(r)
        if parts[:len(want)] == want:
            return True
    return False


def subtags(tag: str) -> tuple[str | None, str | None]:
    """(script, region) of a tag, e.g. ("Hant", "TW")."""
    script = region = None
    for part in tag.split("-")[1:]:
        if len(part) == 1:
            break  # extensions and private use follow
        if len(part) == 4 and part.isalpha() and script is None and region is None:
            script = part.title()
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            region = part.upper()
    return script, region


@functools.lru_cache(maxsize=1024)
def is_traditional(tag: str) -> bool:
    """Chinese written in Traditional characters: ``zh-Hant*``, or a TW/HK/MO region with no script."""
    if language(tag) != "zh":
        return False
    script, region = subtags(tag)
    if script:
        return script == "Hant"
    return region in _TRADITIONAL_REGIONS


def expected_script(tag: str) -> str | None:
    """The Unicode script a side tagged ``tag`` is written in: its script subtag, else its language's
    usual script (None when lancang does not know)."""
    script, _ = subtags(tag)
    if script and script.lower() in SUBTAG_SCRIPTS:
        return SUBTAG_SCRIPTS[script.lower()]
    return LANG_SCRIPTS.get(primary(tag))


@functools.lru_cache(maxsize=64)
def _script_letter(script: str) -> regex.Pattern[str]:
    return regex.compile(rf"(?V1)[[\p{{L}}\p{{M}}]&&\p{{Script={script}}}]+")  # runs: see _LETTER


def letters(text: str) -> int:
    """How many letters the text holds, with their combining marks (abugidas such as Thai, Khmer or
    Burmese write many vowels as marks: counted, they weigh a word by its length in every script)."""
    return sum(map(len, _LETTER.findall(text)))


def script_share(text: str, script: str) -> tuple[int, int]:
    """(letters of ``text`` in ``script``, all its letters)."""
    return sum(map(len, _script_letter(script).findall(text))), letters(text)


@functools.lru_cache(maxsize=1024)
def _tag_unspaced(tag: str) -> bool | None:
    script = expected_script(tag)
    return None if script is None else script in UNSPACED_SCRIPTS


def unspaced(tag: str, text: str = "") -> bool:
    """Whether a side tagged ``tag`` is written without spaces between words (zh, ja, th, km, lo, my,
    or a script subtag naming such a script); for a tag lancang does not know, the script of ``text``.

    >>> unspaced("zh-Hant"), unspaced("vi"), unspaced("x-foo", "ภาษาไทย"), unspaced("x-foo", "abc")
    (True, False, True, False)
    """
    known = _tag_unspaced(tag)
    if known is not None:
        return known
    lang = script_language(text)
    return lang is not None and LANG_SCRIPTS.get(lang) in UNSPACED_SCRIPTS


def nonspace(text: str) -> int:
    """Characters that are not white space (the unit of unspaced scripts)."""
    return len("".join(text.split()))


def words(text: str) -> int:
    """White-space separated words."""
    return len(text.split())


def units(tag: str, text: str) -> tuple[int, str]:
    """(length, unit) of a side: non-space characters for an unspaced script (zh, ja, th, km, lo, my,
    or an unknown tag whose text is in such a script), words elsewhere. The one unit table: cleaning's
    length filters and the corpus statistics (speech rate) measure with it."""
    if unspaced(tag, text):
        return nonspace(text), "char"
    return words(text), "word"


def script_language(text: str, sample: int = 2000) -> str | None:
    """The language whose own script (:data:`SCRIPT_LANGS`) holds most letters of the first ``sample``
    characters, if it holds at least half of them."""
    head = text[:sample]
    best, best_n = None, 0
    for script, lang in SCRIPT_LANGS.items():
        k = sum(map(len, _script_letter(script).findall(head)))
        if k > best_n:
            best, best_n = lang, k
    return best if best_n and best_n * 2 >= letters(head) else None


__all__ = ["ALIASES", "BCP47_PATTERN", "CLOSE_LANGUAGES", "ISO_639_1", "LANG_REGIONS", "LANG_SCRIPTS",
           "SCRIPT_LANGS", "SUBTAG_SCRIPTS", "UNMARKED_END_LANGS", "UNSPACED", "UNSPACED_SCRIPTS", "are_close",
           "canonical_tag", "check_tag", "expected_script", "is_tag", "is_traditional", "iso639_1", "language",
           "letters", "primary", "script_language", "script_share", "subtags", "tag_matches", "unspaced"]
