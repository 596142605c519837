"""Numbers of documents other than national IDs: passport numbers near a passport word, Chinese
vehicle plates (机动车号牌, GA 36-2018, new-energy plates included)."""

from __future__ import annotations

import re
from typing import Any

from . import context
from .base import END, START, Detector, DigestRng, Hit, compact, fold, reshape

# Chinese ordinary passports: E + 8 digits, or E + a letter (not I, O) + 7 digits (from 2019);
# G + 8 digits (older); any passport: one or two letters, 6-9 digits, an optional trailing letter.
_CN_PASSPORT = re.compile(START + r"(?:[EGeg][0-9]{8}|[Ee][A-HJ-NP-Za-hj-np-z][0-9]{7})" + END)
_ANY_PASSPORT = re.compile(START + r"[A-Za-z]{1,2}[0-9]{6,9}[A-Za-z]?" + END)

#: One-character abbreviations of the provinces, regions and municipalities on plates.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_PLATE = re.compile(
    rf"(?<![{PROVINCES}])[{PROVINCES}][{_PLATE_LETTER}][ ·•・.\-]?"
    rf"(?:[DF][{_PLATE_LETTER}0-9][0-9]{{4}}|[0-9]{{5}}[DF]|[{_PLATE_LETTER}0-9]{{4}}[{_PLATE_LETTER}0-9挂学警港澳])"
    + END)


class Passports(Detector):
    name = "passport"
    description = ("Passport numbers within a few characters after a passport word (护照, hộ chiếu, หนังสือเดินทาง, "
                   "paspor, pasport, passport...): Chinese E/G formats and any one or two letters with 6-9 digits.")
    types = ("PASSPORT",)
    parameters = {"type": "object", "additionalProperties": False,
                  "properties": {"window": {"type": "integer", "minimum": 1, "maximum": 200, "default": 30,
                                            "description": "how many characters after the passport word the "
                                                           "number may start"}}}
    notes = ("Only near a passport word: letters and digits alone are too common (product codes, flight "
             "numbers). A passport number written before its word ('E12345678 là số hộ chiếu') is missed "
             "unless the word follows within 12 characters. Purely numeric passports (older Thai, Lao) are missed.")
    trigger = "(?i:" + "|".join(re.escape(w) for w in context.PASSPORT_WORDS) + ")"

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        folded = fold(text)
        window = self.params["window"]
        hits: list[Hit] = []
        seen: set[int] = set()
        for pattern, score in ((_CN_PASSPORT, 1.0), (_ANY_PASSPORT, 0.9)):
            for m in pattern.finditer(folded):
                if m.start() in seen:
                    continue
                if context.near(context.PASSPORT, folded, m.start(), m.end(), before=window, after=12):
                    seen.add(m.start())
                    hits.append(self.hit(m.start(), m.end(), "PASSPORT", score))
        return hits

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        # the letters (the series: E, G, EA, P...) stay, the digits change
        return reshape(value, "".join(rng.digits(1) if c.isdigit() else c for c in compact(value)))


class ChinesePlates(Detector):
    name = "cn-plate"
    description = ("Chinese vehicle plates: a province abbreviation, the authority letter and five characters "
                   "(at least three digits), or six for new-energy plates (D/F + 5, 5 + D/F); 粤B·12345 forms too.")
    languages = ("zh", "*")
    types = ("CN_PLATE",)
    notes = ("Ordinary plates need at least three digits among their five characters, so '苏AAAAA' is not a "
             "hit; plates of Hong Kong, Macao and Taiwan, military and embassy plates are not looked for.")
    trigger = rf"[{PROVINCES}][A-Z]"

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        folded = fold(text)
        hits: list[Hit] = []
        for m in _PLATE.finditer(folded):
            tail = compact(m.group())[1:]
            if sum(c.isdigit() for c in tail) >= 3:
                hits.append(self.hit(m.start(), m.end(), "CN_PLATE", 0.95))
        return hits

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        d = compact(value)
        head, tail = d[:1], d[1:]
        energy = len(tail) == 6
        out = []
        for i, c in enumerate(tail):
            if not c.isalnum() or (energy and c in "DF" and i in (0, 5)):
                out.append(c)
            elif c.isdigit():
                out.append(rng.digits(1))
            else:
                out.append(rng.choice(_PLATE_LETTER))
        return reshape(value, head + "".join(out))


__all__ = ["PROVINCES", "ChinesePlates", "Passports"]
