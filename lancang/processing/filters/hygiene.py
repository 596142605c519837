"""``hygiene``: repairs that change no meaning, and rejects for what cannot be repaired.

Repairs, each switchable, in this order on every side (each applied through
:func:`lancang.corpora.edits.apply_edits`, so tokens, sentences, entities and codes follow the text):

1. ``mojibake``: UTF-8 read as Latin-1/cp1252 (``cafÃ©``, ``à¸ªà¸§à¸±à¸ªà¸”à¸µ``) decoded again with
   ftfy's encoding fixer only (no quote uncurling, width folding, ligature or line-break changes);
   ftfy runs only on a text its own badness test flags, and changes nothing on clean text of the ten
   languages (a test holds it to that on real sentences);
2. ``markup``: HTML/XML tags (``<b>``, ``</b>``, ``<br/>``, ``<a href="...">``, XLIFF/TMX inline tags,
   comments) removed -- a block tag between two words becomes a space -- and character entities
   (``&amp;``, ``&#3585;``, ``&#x0E01;``, ``&nbsp;``) decoded, up to three rounds for double escapes;
3. ``controls``: C0/C1 control characters removed (tab and newline kept; CRLF and a lone CR become a
   newline; the white-space controls VT, FF, NEL become a space between two words), stray BOMs
   (U+FEFF anywhere) removed, invisible junk removed: soft hyphens, U+FFFC, invisible operators,
   bidi controls in a text with no right-to-left letters, a zero-width space not touching a
   Thai/Lao/Khmer/Myanmar letter (there it is a word-break hint and stays), ZWJ/ZWNJ touching
   neither a letter of a script that shapes with them (Khmer, Myanmar, Arabic, Indic...) nor an emoji;
4. ``nfc``: Unicode NFC (offset-exact through :func:`lancang.corpora.offsets.nfc_map`).

An edit that would empty a span of a layer (a token that is only a control character) is not made:
the character stays and is scored. A repair whose edits would leave the side's layers invalid is
not made either (the side is kept as it was and scored).

Scores, per side: ``replacement`` (U+FFFD characters: the bytes are lost), ``mojibake`` (1 when
ftfy's badness test still flags the text), ``markup`` (tags, entities or a tag truncated at the end,
left after repair), ``controls`` (control or junk characters left). A side whose count exceeds the
check's ``max_*`` parameter is rejected (``null`` turns a check off).
"""

from __future__ import annotations

import bisect
import difflib
import html
import re
import unicodedata
from collections import Counter
from typing import Any

import regex

from ...corpora.edits import apply_edits
from ...corpora.invariants import check_invariants
from ...corpora.offsets import nfc_map
from ...errors import UsageError
from .base import Filter, Reason, Repair, Scores

# ------------------------------------------------------------------------------------- markup

_INLINE = ("a|abbr|b|big|cite|code|del|em|font|i|img|ins|kbd|mark|nobr|q|s|samp|small|span|strike|strong|sub|sup|"
           "tt|u|var|wbr|label|button|input|meta|link|script|style|iframe|"
           "g|x|bx|ex|ph|bpt|ept|it|hi|mrk|pc|sc|ec|sm|ut")
_BLOCK = ("br|p|div|li|tr|td|th|h[1-6]|hr|ul|ol|dl|dd|dt|table|tbody|thead|tfoot|blockquote|pre|section|article|"
          "header|footer|nav|figure|figcaption|title|body|html|head|option|select|textarea|form|center")
_TAG = regex.compile(
    r"<!--.*?-->"
    rf"|(?P<block></?(?:{_BLOCK})(?=[\s/>])(?:\s[^<>]*)?/?>)"
    rf"|</?(?:{_INLINE})(?=[\s/>])(?:\s[^<>]*)?/?>"
    r"|</?[A-Za-z][\w.:-]*(?:\s+[\w.:-]+\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'))+\s*/?>",
    regex.IGNORECASE | regex.DOTALL)
_ENTITY = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MARKUP_LEFT = regex.compile(_TAG.pattern + r"|" + _ENTITY.pattern + r"|<[A-Za-z/!][^<>]{0,100}$",
                             regex.IGNORECASE | regex.DOTALL)

# ------------------------------------------------------------------------------ invisible junk

_BREAK_HINT = r"[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]"
_JOINS = (r"(?:[[\p{L}\p{M}]--[\p{Script=Latin}\p{Script=Han}\p{Script=Common}\p{Script=Inherited}"
          r"\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]]|[\p{So}\p{Sk}\p{Emoji_Modifier}\ufe0f])")
_JUNK = regex.compile(
    r"(?V1)(?P<cr>\r\n?)"
    r"|(?P<ws>[\x0b\x0c\x1c-\x1f\x85])"
    r"|(?P<ctl>[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f])"
    r"|(?P<bom>\ufeff)"
    r"|(?P<bidi>[\u200e\u200f\u202a-\u202e\u2066-\u2069])"
    rf"|(?P<inv>[\u00ad\u2061-\u2064\ufffc]|(?<!{_BREAK_HINT})\u200b(?!{_BREAK_HINT})|(?<!{_JOINS})[\u200c\u200d](?!{_JOINS}))")
_RTL = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}]")
#: every character :data:`_JUNK` can match: most texts have none, and this test is ten times cheaper
_JUNK_GATE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u2069\ufffc]")

_FTFY_SETTINGS = {"unescape_html": False, "remove_terminal_escapes": False, "fix_encoding": True,
                  "restore_byte_a0": True, "replace_lossy_sequences": True, "decode_inconsistent_utf8": True,
                  "fix_c1_controls": True, "fix_latin_ligatures": False, "fix_character_width": False,
                  "uncurl_quotes": False, "fix_line_breaks": False, "fix_surrogates": True,
                  "remove_control_chars": False, "normalization": None, "explain": False}
#: a changed stretch longer than this is replaced as one edit rather than diffed
_DIFF_LIMIT = 1000

Edits = list[tuple[int, int, str]]
#: an edit and the kind of repair it is
KindEdits = list[tuple[int, int, str, str]]


_HAN_EDGE = regex.compile(r"[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]")


def mojibake_test(badness: Any) -> Any:
    """ftfy's ``is_bad`` behind a gate: every pattern of its badness expression needs one of the
    characters it names (C1 controls, accented Latin, box drawing, currency...), and a text with none
    of them (most Chinese, Thai, Khmer, Lao and Burmese text) is not searched further."""
    chars = "".join(badness.MOJIBAKE_CATEGORIES.values())
    chars += "".join(re.escape(c) for c in sorted(set(badness.BADNESS_RE.pattern)) if not c.isascii())
    gate = re.compile(f"[{chars}]")
    search = badness.BADNESS_RE.search

    def is_bad(text: str) -> bool:
        return not text.isascii() and gate.search(text) is not None and search(text) is not None

    return is_bad


def _space_or_nothing(text: str, start: int, end: int) -> str:
    """A space where a removed stretch sat between two non-space characters (not both Chinese or
    Japanese, which separate nothing with spaces), else nothing."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isspace() or after.isspace() or (_HAN_EDGE.match(before) and _HAN_EDGE.match(after)):
        return ""
    return " "


def markup_edits(text: str) -> KindEdits:
    """Tag removals (kind ``markup``) and entity decodings (``entities``) for one round over ``text``."""
    tags: KindEdits = []
    ents: KindEdits = []
    if "<" in text:
        runs: list[list[Any]] = []  # adjacent tags (</p><p>) are removed as one stretch
        for m in _TAG.finditer(text):
            s, e = m.span()
            if runs and runs[-1][1] == s:
                runs[-1][1] = e
                runs[-1][2] = runs[-1][2] or bool(m.group("block"))
            else:
                runs.append([s, e, bool(m.group("block"))])
        tags = [(s, e, _space_or_nothing(text, s, e) if block else "", "markup") for s, e, block in runs]
    if "&" in text:
        starts = [t[0] for t in tags]
        for m in _ENTITY.finditer(text):
            value = html.unescape(m.group())
            k = bisect.bisect_right(starts, m.start()) - 1  # the tag that may hold it (an href's &amp;)
            if value != m.group() and (k < 0 or tags[k][1] <= m.start()):
                ents.append((m.start(), m.end(), value, "entities"))
    return sorted(tags + ents) if tags and ents else tags or ents


def junk_edits(text: str) -> KindEdits:
    """(start, end, replacement, kind) for every control or invisible junk character of ``text``."""
    out: KindEdits = []
    if not _JUNK_GATE.search(text):
        return out
    rtl: bool | None = None
    for m in _JUNK.finditer(text):
        kind = m.lastgroup
        s, e = m.span()
        if kind == "cr":
            out.append((s, e, "\n", "controls"))
        elif kind == "ws":
            out.append((s, e, _space_or_nothing(text, s, e), "controls"))
        elif kind == "ctl":
            out.append((s, e, "", "controls"))
        elif kind == "bom":
            out.append((s, e, "", "bom"))
        elif kind == "bidi":
            if rtl is None:
                rtl = bool(_RTL.search(text))
            if not rtl:
                out.append((s, e, "", "invisible"))
        else:
            out.append((s, e, "", "invisible"))
    return out


_ASCII_RUN = regex.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def _piece_edits(start: int, garbled: str, fixed: str) -> Edits:
    """Edits for one non-ASCII run that ftfy fixed: one per character when the run is the character's
    UTF-8 bytes read one byte a character (Latin-1, cp1252), so a token boundary between two garbled
    characters has an exact image; else one edit for the run."""
    widths = [len(c.encode("utf-8")) for c in fixed]
    if sum(widths) != len(garbled):
        return [(start, start + len(garbled), fixed)]
    out: Edits = []
    pos = start
    for c, w in zip(fixed, widths):
        out.append((pos, pos + w, c))
        pos += w
    return out


def diff_edits(old: str, new: str) -> Edits:
    """The edits that turn ``old`` into ``new``: in linear time when the ASCII of the two texts is the
    same (mojibake garbles only what is not ASCII), else by a character diff of the changed middle
    (one edit when that is long)."""
    runs_a, runs_b = _ASCII_RUN.findall(old), _ASCII_RUN.findall(new)
    if len(runs_a) == len(runs_b) and all(x == y or (x[0] > "\x7f" and y[0] > "\x7f") for x, y in zip(runs_a, runs_b)):
        out: Edits = []
        pos = 0
        for x, y in zip(runs_a, runs_b):
            if x != y:
                out.extend(e for e in _piece_edits(pos, x, y) if old[e[0]:e[1]] != e[2])
            pos += len(x)
        return out
    p = 0
    n = min(len(old), len(new))
    while p < n and old[p] == new[p]:
        p += 1
    q = 0
    while q < n - p and old[-1 - q] == new[-1 - q]:
        q += 1
    a, b = old[p:len(old) - q], new[p:len(new) - q]
    if len(a) + len(b) > _DIFF_LIMIT:
        return [(p, p + len(a), b)]
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append((p + i1, p + i2, b[j1:j2]))
    return out


def _span_bounds(layers: dict[str, Any]) -> list[tuple[int, int]]:
    out = []
    for lay in layers.values():
        if not isinstance(lay, dict):
            continue
        for sp in lay.get("spans", ()) or ():
            out.append((sp[0], sp[1]))
        for it in lay.get("items", ()) or ():
            if isinstance(it, dict) and isinstance(it.get("start"), int):
                out.append((it["start"], it.get("end", it["start"])))
                out.extend((f[0], f[1]) for f in it.get("fragments", ()))
    return out


def _keep_spans(side: dict[str, Any], edits: KindEdits) -> KindEdits:
    """``edits`` without the deletions that would leave a span of a layer empty."""
    layers = side.get("layers")
    if not layers:
        return edits
    if all(x[2] for x in edits):
        return edits
    spans = sorted((a, b) for a, b in _span_bounds(layers) if a < b)
    if not spans:
        return edits
    starts = [a for a, _ in spans]

    def empties(s: int, e: int) -> bool:  # a span inside [s, e)?
        i = bisect.bisect_left(starts, s)
        while i < len(spans) and starts[i] < e:
            if spans[i][1] <= e:
                return True
            i += 1
        return False

    return [x for x in edits if x[2] or not empties(x[0], x[1])]


def _apply(tag: str, side: dict[str, Any], edits: Edits) -> dict[str, Any] | None:
    """The side with ``edits`` made, or None when they would leave its layers invalid."""
    result = apply_edits(side, edits)
    if result.cuts:
        issues = check_invariants({"id": "-", "sides": {tag: result.side}})
        if any(rule != "text-not-nfc" for rule, *_ in issues):
            return None
    return result.side


class Hygiene(Filter):
    name = "hygiene"
    description = ("Meaning-preserving repairs (mojibake, HTML/XML markup and entities, control and invisible "
                   "characters, NFC) with layers kept in step; rejects what cannot be repaired (U+FFFD, "
                   "mojibake, broken markup, junk left)")
    repairs = True
    modules = ("ftfy",)
    extra = "clean"
    CHECKS = ("replacement", "mojibake", "markup", "controls")
    parameters = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "mojibake": {"type": "boolean", "default": True, "description": "repair mojibake with ftfy"},
            "markup": {"type": "boolean", "default": True, "description": "remove tags, decode entities"},
            "controls": {"type": "boolean", "default": True,
                         "description": "remove control characters, stray BOMs and invisible junk"},
            "nfc": {"type": "boolean", "default": True, "description": "normalise to NFC"},
            **{f"max_{c}": {"type": ["integer", "null"], "minimum": 0, "default": 0,
                            "description": f"reject a side with more {c} left than this (null: never)"}
               for c in CHECKS},
        },
    }
    direction = dict.fromkeys(CHECKS, "lower")

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._ftfy: Any = None
        self._is_bad: Any = None
        try:
            import ftfy
            import ftfy.badness
        except ImportError:
            if self.params["mojibake"]:
                raise UsageError('filter \'hygiene\': mojibake repair needs ftfy: pip install "lancang[clean]" '
                                 "(or set hygiene.mojibake=false)") from None
        else:
            self._ftfy = ftfy
            self._cfg = ftfy.TextFixerConfig(**_FTFY_SETTINGS)
            self._is_bad = mojibake_test(ftfy.badness)

    # ------------------------------------------------------------------------------ repairs
    def repair(self, record: dict[str, Any]) -> tuple[dict[str, Any], list[Repair]]:
        sides = record.get("sides") or {}
        new_sides: dict[str, Any] | None = None
        repairs: list[Repair] = []
        for tag, side in sides.items():
            fixed, counts = self.repair_side(tag, side)
            if fixed is not side:
                if new_sides is None:
                    new_sides = dict(sides)
                new_sides[tag] = fixed
                repairs.extend(Repair(self.name, kind, tag, n) for kind, n in counts.items())
        if new_sides is None:
            return record, []
        return {**record, "sides": new_sides}, repairs

    def repair_side(self, tag: str, side: dict[str, Any]) -> tuple[dict[str, Any], Counter[str]]:
        """The side repaired (the same object when nothing changed) and how many edits of each kind."""
        counts: Counter[str] = Counter()
        p = self.params
        text = side.get("text", "")
        if not text:
            return side, counts
        if p["mojibake"] and self._is_bad is not None and self._is_bad(text):
            fixed = self._ftfy.fix_text(text, self._cfg)
            if fixed != text:
                side = self._stage(tag, side, [(*x, "mojibake") for x in diff_edits(text, fixed)], counts)
        if p["markup"]:
            for _ in range(3):  # &amp;lt;b&amp;gt; is decoded twice, then removed
                edits = markup_edits(side["text"])
                before = side
                if edits:
                    side = self._stage(tag, side, edits, counts)
                if side is before:
                    break
        if p["controls"]:
            side = self._stage(tag, side, junk_edits(side["text"]), counts)
        if p["nfc"] and not unicodedata.is_normalized("NFC", side["text"]):
            norm, omap = nfc_map(side["text"])
            side = self._stage(tag, side, [(e.src_start, e.src_end, norm[e.dst_start:e.dst_end], "nfc")
                                           for e in omap.edits], counts)
        return side, counts

    @staticmethod
    def _stage(tag: str, side: dict[str, Any], edits: KindEdits, counts: Counter[str]) -> dict[str, Any]:
        """One stage of repairs made on a side (or none, when they would leave its layers invalid)."""
        edits = _keep_spans(side, edits)
        if not edits:
            return side
        new = _apply(tag, side, [(s, e, r) for s, e, r, _ in edits])
        if new is None:
            return side
        counts.update(k for _, _, _, k in edits)
        return new

    # ------------------------------------------------------------------------------ scores
    def score(self, record: dict[str, Any]) -> Scores:
        out: Scores = {c: {} for c in self.CHECKS}
        is_bad = self._is_bad
        for tag, side in (record.get("sides") or {}).items():
            text = side.get("text", "")
            lost = out["replacement"][tag] = text.count("\ufffd")
            if lost:  # counted once, as lost bytes, not again as mojibake
                text = text.replace("\ufffd", "")
            out["mojibake"][tag] = None if is_bad is None else int(is_bad(text))
            out["markup"][tag] = len(_MARKUP_LEFT.findall(text)) if ("<" in text or "&" in text) else 0
            out["controls"][tag] = len(junk_edits(text))
        return out

    def decide(self, scores: Scores) -> list[Reason]:
        reasons = []
        for check in self.CHECKS:
            limit = self.params[f"max_{check}"]
            if limit is None:
                continue
            for tag, n in (scores.get(check) or {}).items():
                if n is not None and n > limit:
                    reasons.append(Reason(self.name, check, n, limit, f"{n} {check} left in the text", tag))
        return reasons
