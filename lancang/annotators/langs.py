"""From a side's BCP 47 tag (or its script) to the language an annotator serves.

>>> language("zh-Hant-TW"), language("fil"), language("zsm"), language("tgl")
('zh', 'fil', 'ms', 'fil')
>>> is_traditional("zh-Hant"), is_traditional("zh-TW"), is_traditional("zh-Hans-TW"), is_traditional("zh")
(True, True, False, False)
>>> script_language("ខ្ញុំទៅសាលារៀន abc")
'km'
"""

from __future__ import annotations

import functools
import re

from ..errors import UsageError

_BCP47 = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?|[Xx](?:-[A-Za-z0-9]{1,8})+)$")

#: ISO 639-2/3 codes and macrolanguage members that mean a language lancang knows by another code.
ALIASES = {
    "zho": "zh", "chi": "zh", "cmn": "zh", "tha": "th", "vie": "vi", "ind": "id", "in": "id",
    "msa": "ms", "may": "ms", "zsm": "ms", "tl": "fil", "tgl": "fil", "khm": "km", "lao": "lo",
    "mya": "my", "bur": "my", "eng": "en",
}

_TRADITIONAL_REGIONS = {"TW", "HK", "MO"}


@functools.lru_cache(maxsize=1024)
def check_tag(tag: str) -> str:
    if not _BCP47.match(tag):
        raise UsageError(f"{tag!r} is not a BCP 47 language tag")
    return tag


@functools.lru_cache(maxsize=1024)
def language(tag: str) -> str:
    """The primary language of a tag, lower-cased, with aliases folded (``tl`` and ``fil`` are one)."""
    primary = check_tag(tag).split("-", 1)[0].lower()
    return ALIASES.get(primary, primary)


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


# Scripts used by exactly one language lancang serves (for --lang-from script).
_SCRIPT_LANGS = [
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("lo", re.compile(r"[\u0e80-\u0eff]")),
    ("km", re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")),
    ("my", re.compile(r"[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")),
]
_LETTER = re.compile(r"[^\W\d_]")


def script_language(text: str, sample: int = 2000) -> str | None:
    """The language whose script holds most letters of the text, if it is one of zh/th/lo/km/my."""
    head = text[:sample]
    best, best_n = None, 0
    for lang, rx in _SCRIPT_LANGS:
        k = len(rx.findall(head))
        if k > best_n:
            best, best_n = lang, k
    letters = len(_LETTER.findall(head))
    return best if best_n and best_n * 2 >= letters else None
