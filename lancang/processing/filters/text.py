"""Text measures shared by the cleaning filters: units of length per script, letters and digits,
and the things translation QA compares between sides (numbers, URLs, e-mail addresses,
placeholders, brackets, terminal punctuation). Each is one precompiled regular expression run
once over a text, so filters stay fast on sentences and linear on a 100k-character record.

Which language or script a side is written in is asked of :mod:`lancang.corpora.langs`
(:func:`~lancang.corpora.langs.unspaced`, :data:`~lancang.corpora.langs.UNMARKED_END_LANGS`).

>>> [sorted(v) for v in number_values("Pop. 1,000 vs 1 000, pi 3.14, ๒๕๖๔, ２０２１")]
[['1', '1000'], ['1000'], ['3.14'], ['2564'], ['2021']]
>>> [sorted(v) for v in number_values("二〇二一年有三百五十人，一起去；150万；六月十日；一個")]
[['150', '1500000'], ['2021'], ['350'], ['6'], ['10']]
>>> number_mismatch(number_values("$221bn in 2015"), number_values("2015年2210億"))
(0, 0)
>>> brackets_unbalanced("（a「b」c"), brackets_unbalanced("a) b)"), brackets_unbalanced('"x”（y)')
(1, 2, 0)
>>> end_class("สวัสดีครับ"), end_class("你好！」"), end_class("ខ្ញុំ។"), end_class("Wait...")
('none', 'exclamation', 'stop', 'ellipsis')
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from decimal import Decimal
from typing import Any

import regex

from ...corpora.langs import nonspace, units, unspaced, words  # noqa: F401 (re-exported for the filters)

# ------------------------------------------------------------------------------------ the pairs


def pairs(record: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(key ``"src|tgt"``, source tag, source text, target tag, target text) for the record's first
    side (in dict order) against each other side."""
    sides = record.get("sides") or {}
    if len(sides) < 2:
        return []
    it = iter(sides.items())
    src, sside = next(it)
    stext = sside.get("text", "")
    return [(f"{src}|{tag}", src, stext, tag, side.get("text", "")) for tag, side in it]


# ------------------------------------------------------------------------------ units of length


# nonspace, words and units live in lancang.corpora.langs (one unit table; the corpus statistics use it too)


_NON_LETTER = regex.compile(r"[^\p{L}\p{M}]+")
_NOT_WORDISH = regex.compile(r"[^\p{L}\p{M}\p{N}]+")


def letter_share(text: str, numbers: list[str] | None = None, chars: int | None = None) -> float | None:
    """Letters (with their marks) among the non-space characters, a number counting as one character
    (so "身份证号110101199003074514" is mostly letters and "----- *** 12" is not). ``numbers`` (the
    text's :data:`_NUMBER` matches) and ``chars`` (its :func:`nonspace`) when the caller has them."""
    if numbers is None:
        numbers = _NUMBER.findall(text)
    n = nonspace(text) if chars is None else chars
    if numbers:
        n += len(numbers) - sum(len(x) for x in numbers) - sum(x.count(" ") for x in numbers)
    if n <= 0:
        return None
    return len(_NON_LETTER.sub("", text)) / n


def number_share(tag: str, text: str, numbers: list[str] | None = None) -> float | None:
    """The share of numbers among a side's units, a number (``13800138000``, ``1,000.5``) counting as one
    unit like a word (a character in unspaced scripts): "请拨打13800138000联系我。" is 1 number in 8
    units, not 11 digits in 19 characters; "Tel 138 0013 8000" is mostly numbers. ``numbers``: the
    text's :data:`_NUMBER` matches, when the caller has them."""
    if numbers is None:
        numbers = _NUMBER.findall(text)
    if not numbers:
        return 0.0 if text.strip() else None
    rest = _NUMBER.sub(" ", text)
    if unspaced(tag, text):
        others = len(_NON_LETTER.sub("", rest))
    else:
        others = sum(1 for w in rest.split() if _NON_LETTER.sub("", w))
    return len(numbers) / (len(numbers) + others)


def number_strings(text: str) -> list[str]:
    """The runs of digits (with their separators) of a text, as :func:`letter_share` and
    :func:`number_share` count them: find them once, give them to both."""
    return _NUMBER.findall(text)


def normalised(text: str) -> str:
    """Case folded, with everything but letters, marks and digits removed (copy detection)."""
    return _NOT_WORDISH.sub("", text).casefold()


# ------------------------------------------------------------------------------------- numbers

# a run of digits of any script, joined by thousands/decimal separators: "1,000.5", "1.000", "1 000"
# (a plain space joins only a group of exactly three digits), "3'000", narrow and no-break spaces
_NUMBER = regex.compile(r"\p{Nd}+(?:(?:[.,'\u00a0\u202f\u2009\u066b\u066c，．]|\x20(?=\p{Nd}{3}(?!\p{Nd})))\p{Nd}+)*")
_CN_RUN = regex.compile(r"[〇零一二两兩三四五六七八九十百千万萬亿億]+")
_CN_DIGITS = "〇一二三四五六七八九"
_CN_VALUE = {c: i for i, c in enumerate(_CN_DIGITS)} | {"零": 0, "两": 2, "兩": 2}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_CN_DATE_AFTER = regex.compile(r"[年月日号號]")
#: after these a single numeral is a number: 六月十日, 十個, 四歲 (一 only in a date: 一個 is "a")
_CN_COUNTED = frozenset("年月日号號個个歲岁天次名位人本件條条張张隻只家種种倍層层部輛辆週周")
_CN_SINGLE = frozenset("〇一二两兩三四五六七八九十")


def _cn_positional(run: str) -> int | None:
    """The value of a positional Chinese numeral (三百五十, 十五, 一千零一, 两万), or None when the run
    is not one (万一, 千万, 一五一十 are words, not numbers)."""
    if (run[0] in _CN_SMALL_UNITS or run[0] in _CN_BIG_UNITS) and (run[0] != "十" or run[1] not in _CN_VALUE):
        return None  # 十五 is a number; 百万, 千万, 万一 are not unambiguous
    total = section = 0
    digit: int | None = None
    last_small = 10_000
    last_big = 10 ** 12
    seen_unit = False
    for c in run:
        if c in _CN_VALUE:
            if digit is not None and digit != 0 and _CN_VALUE[c] != 0:
                return None  # two digits in a row: 一五, not positional
            digit = _CN_VALUE[c]
        elif c in _CN_SMALL_UNITS:
            u = _CN_SMALL_UNITS[c]
            if u >= last_small:
                return None
            section += (1 if digit is None else digit) * u
            last_small, digit, seen_unit = u, None, True
        else:
            u = _CN_BIG_UNITS[c]
            if u >= last_big:
                return None
            total += (section + (digit or 0)) * u
            section, digit, last_small, last_big, seen_unit = 0, None, 10_000, u, True
    if not seen_unit:
        return None
    return total + section + (digit or 0)


def _cn_number(run: str, after: str) -> str | None:
    """The number a run of Chinese numeral characters writes, where that is unambiguous."""
    if len(run) == 1:
        if run in _CN_SINGLE and after in _CN_COUNTED and (run != "一" or _CN_DATE_AFTER.match(after)):
            return "10" if run == "十" else str(_CN_VALUE[run])
        return None
    if all(c in _CN_DIGITS or c == "零" for c in run):
        # digit by digit: 二〇二一; without 〇 only as a date (一九八四年), else words like 七七八八
        if "〇" in run or (len(run) >= 3 and _CN_DATE_AFTER.match(after)):
            return "".join(str(_CN_VALUE[c]) for c in run)
        return None
    value = _cn_positional(run)
    return None if value is None else str(value)


_SEP = regex.compile(r"[^0-9]")
_SCALE_AFTER = regex.compile(
    r"\s?(?:[万萬亿億千]|百万|百萬|พันล้าน|หมื่นล้าน|แสนล้าน|ล้าน|พัน|หมื่น|แสน)"  # unspaced scripts: no word boundary after
    r"|(?:\s?(?:million|mio|juta|triệu|billion|miliar|bilion|tỷ|tỉ|thousand|ribu|nghìn|ngàn|trillion|triliun)|bn|[mkb])"
    r"(?![\p{L}\p{M}])", regex.IGNORECASE)
#: powers of ten of the scale words
_SCALES = {"万": 4, "萬": 4, "亿": 8, "億": 8, "千": 3, "百万": 6, "百萬": 6, "million": 6, "mio": 6, "juta": 6,
           "triệu": 6, "ล้าน": 6, "billion": 9, "miliar": 9, "bilion": 9, "tỷ": 9, "tỉ": 9, "thousand": 3, "ribu": 3,
           "nghìn": 3, "ngàn": 3, "พัน": 3, "หมื่น": 4, "แสน": 5, "trillion": 12, "triliun": 12, "พันล้าน": 9,
           "หมื่นล้าน": 10, "แสนล้าน": 11, "bn": 9, "m": 6, "k": 3, "b": 9}


def _ascii_digits(raw: str) -> str:
    if raw.isascii():
        return raw
    return "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c for c in raw)


def _readings(raw: str) -> set[Decimal]:
    """The values a written number can have: every separator a thousands separator (1,000 1.000
    1 000), or the last one a decimal mark (3.14, 3,5, 1.000,5); a string no reading fits (1.2.3)
    has none."""
    groups = _SEP.split(raw)
    seps = _SEP.findall(raw)
    if not seps:
        return {Decimal(raw)}
    out = set()
    if all(len(g) == 3 for g in groups[1:]) and len(set(seps)) == 1 and len(groups[0]) <= 3:
        out.add(Decimal("".join(groups)))
    head, last = seps[:-1], seps[-1]
    if last in ".,\u066b，．" and all(len(g) == 3 for g in groups[1:-1]) and (not head or (len(set(head)) == 1
                                                                               and head[0] != last)):
        out.add(Decimal("".join(groups[:-1]) + "." + groups[-1]))
    return out


_NUMBERISH = regex.compile(f"(?P<digits>{_NUMBER.pattern})|(?P<cn>{_CN_RUN.pattern})")


def _canon(d: Decimal) -> str:
    return format(d.normalize(), "f")


def number_values(text: str) -> list[frozenset[str]]:
    """The numbers of a text, each as the set of values it may mean (canonical decimal strings):
    digits of every script read as ASCII, thousands and decimal separators read every way the
    number allows (1.000 is 1000 or 1), a scale word after it read both ways (150万 is 150 or
    1500000, $1.5 million is 1.5 or 1500000), and the Chinese numerals that are unambiguous
    (二〇二一, 三百五十, 十五). Digits joined in a way no reading fits (1.2.3) are each a number."""
    out: list[frozenset[str]] = []
    cn: list[frozenset[str]] = []
    for m in _NUMBERISH.finditer(text):
        if m.lastgroup == "cn":
            key = _cn_number(m.group(), text[m.end():m.end() + 1])
            if key is not None:
                cn.append(frozenset({key}))
            continue
        raw = _ascii_digits(m.group())
        if raw.isdigit() and not _SCALE_AFTER.match(text, m.end()):
            out.append(frozenset({raw.lstrip("0") or "0"}))
            continue
        values = _readings(raw)
        if not values:  # 1.2.3, 1，2，3: a list of numbers
            out.extend(frozenset({_canon(Decimal(g))}) for g in _SEP.split(raw))
            continue
        keys = {_canon(v) for v in values}
        scale = _SCALE_AFTER.match(text, m.end())
        if scale is not None:
            exp = _SCALES[scale.group().strip().lower()]
            keys.update(_canon(v.scaleb(exp)) for v in values)
        out.append(frozenset(keys))
    return out + cn if cn else out


#: numbers a side beyond which number_mismatch pairs greedily (a maximum matching is quadratic)
_MATCH_LIMIT = 200


def number_mismatch(a: list[frozenset[str]], b: list[frozenset[str]]) -> tuple[int, int]:
    """(substituted, unpaired) numbers between two sides: numbers left unmatched on both sides pair
    up as substitutions (a changed number); the rest are numbers one side writes that the other
    does not (often written out in words there: eight, 四月). The numbers are paired by a maximum
    matching over the values each may mean (20億 may pair with £2bn while 20 pairs with 20), so the
    counts depend neither on the order numbers are met in nor on the process's hash seed; past
    :data:`_MATCH_LIMIT` numbers a side, a greedy pass in a fixed order keeps the work linear."""
    if not a or not b:
        return 0, len(a) + len(b)
    if a == b:
        return 0, 0
    pool: dict[str, list[int]] = {}  # value -> numbers of b that may mean it, in b's order
    for j, y in enumerate(b):
        for v in y:
            pool.setdefault(v, []).append(j)
    if len(a) <= _MATCH_LIMIT and len(b) <= _MATCH_LIMIT:
        owner = [-1] * len(b)  # number of b -> the number of a it is paired with

        def augment(i: int, seen: set[int]) -> bool:
            for v in sorted(a[i]):
                for j in pool.get(v, ()):
                    if j not in seen:
                        seen.add(j)
                        if owner[j] < 0 or augment(owner[j], seen):
                            owner[j] = i
                            return True
            return False

        matched = sum(augment(i, set()) for i in range(len(a)))
    else:
        used: set[int] = set()
        matched = 0
        for x in a:
            for v in sorted(x):
                cands = pool.get(v)
                while cands and cands[-1] in used:
                    cands.pop()
                if cands:
                    used.add(cands.pop())
                    matched += 1
                    break
    ua, ub = len(a) - matched, len(b) - matched
    return min(ua, ub), abs(ua - ub)


# ----------------------------------------------------------------------- URLs, e-mail, variables

_URL = regex.compile(r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'“”‘’「」『』（）()\[\]{}，。、；！？]+", regex.IGNORECASE)
_EMAIL = regex.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PLACEHOLDER = regex.compile(
    r"\{\{\s*[\w.]+\s*\}\}"  # {{name}}
    r"|\$\{[\w.]+\}"  # ${x}
    r"|\{\d+(?:[,:][^{}]*)?\}|\{[A-Za-z_]\w*\}"  # {0}, {0:N2}, {name}
    r"|%\(\w+\)[-+#0]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"  # %(name)s
    r"|%(?:\d+\$)?[-+#0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn@](?![A-Za-z])"
    r"|(?<![\d%])%\d{1,2}(?![\d$%])")  # %1 (Qt, Windows)
_TRAILING = ".,;:!?)]}'\"»”’"


def urls(text: str) -> list[str]:
    if "://" not in text and "www." not in text and "WWW." not in text:
        return []
    return [u.rstrip(_TRAILING).rstrip("/").lower() for u in _URL.findall(text)]


def emails(text: str) -> list[str]:
    if "@" not in text:
        return []
    return [e.rstrip(".").lower() for e in _EMAIL.findall(text)]


def placeholders(text: str) -> list[str]:
    if "%" not in text and "{" not in text:
        return []
    return [regex.sub(r"\s+", "", p) if p.startswith("{{") else p for p in _PLACEHOLDER.findall(text)]


def mismatches(a: list[str], b: list[str]) -> int:
    """How many items one list has that the other lacks (multiset symmetric difference)."""
    if not a and not b:
        return 0
    if a == b:
        return 0
    ca, cb = Counter(a), Counter(b)
    return sum(((ca - cb) + (cb - ca)).values())


# --------------------------------------------------------------------------- brackets and quotes

_PAIRS = {")": "(", "]": "[", "}": "{", "）": "（", "］": "［", "｝": "｛", "」": "「", "』": "『", "》": "《",
          "〉": "〈", "】": "【", "〕": "〔", "〗": "〖", "»": "«"}
_OPENERS = frozenset(_PAIRS.values())
#: full-width brackets close their ASCII twins and back: writers mix them (（Target Return))
_TWINS = {"（": "(", "）": ")", "［": "[", "］": "]", "｛": "{", "｝": "}"}
#: double quotes, paired by count: writers mix straight and curly ones ("...” is common)
_STRAIGHT = frozenset({'"', "＂", "“", "”"})
_BRACKET = regex.compile("[" + regex.escape("".join(_PAIRS) + "".join(_OPENERS) + "".join(_STRAIGHT)) + "]")


def brackets_unbalanced(text: str) -> int:
    """Brackets and quotes of a text left without their partner: unmatched closers, unclosed
    openers, and an odd number of double quotes (straight and curly counted together, as writers
    mix them; a full-width bracket pairs with its ASCII twin). ‘’ are left out: ’ is also the apostrophe."""
    marks = _BRACKET.findall(text)
    if not marks:
        return 0
    stack: list[str] = []
    bad = straight = 0
    for c in marks:
        c = _TWINS.get(c, c)
        if c in _STRAIGHT:
            straight += 1
        elif c in _OPENERS:
            stack.append(c)
        elif stack and stack[-1] == _PAIRS[c]:
            stack.pop()
        else:
            bad += 1
    return bad + len(stack) + straight % 2


# -------------------------------------------------------------------------- terminal punctuation

_CLOSERS = "".join(_PAIRS) + "\"'’＂”" + " \t\n\r\u3000\u00a0"
_END = {".": "stop", "。": "stop", "．": "stop", "｡": "stop", "។": "stop", "៕": "stop", "။": "stop", "।": "stop",
        "?": "question", "？": "question", "!": "exclamation", "！": "exclamation", "…": "ellipsis",
        ":": "colon", "：": "colon", ";": "colon", "；": "colon", ",": "comma", "，": "comma", "、": "comma",
        "၊": "comma"}


def end_class(text: str) -> str:
    """How a text ends, by mark and not by script: ``stop`` (. 。 ។ ။), ``question`` (? ？),
    ``exclamation``, ``ellipsis`` (… ...), ``colon``, ``comma`` or ``none``; closing quotes and
    brackets after the mark are looked through."""
    t = text.rstrip(_CLOSERS)
    if not t:
        return "none"
    if t.endswith("..."):
        return "ellipsis"
    return _END.get(t[-1], "none")


__all__ = ["brackets_unbalanced", "emails", "end_class", "letter_share", "mismatches", "nonspace", "normalised",
           "number_mismatch", "number_share", "number_strings", "number_values", "pairs", "placeholders", "units",
           "urls", "words"]
