"""National identity numbers of the ASEAN countries: Thailand (13 digits, mod 11), Malaysia (MyKad
YYMMDD-PB-###G), Singapore (NRIC/FIN check letter), Indonesia (NIK), Viet Nam (CCCD), the Philippines
(PhilSys, TIN, SSS, UMID, PhilHealth).

Each is a :class:`NumberDetector`: a pattern, a structural check (checksum, date, place code) and a
context rule. Where the structure alone is weak (no checksum, few fixed digits) a hit needs an
identity word nearby (``require_context``, on by default there) and the ``notes`` say so.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar

from . import context
from .base import DIGIT, END, START, Detector, DigestRng, Hit, birth_date, compact, fold, random_date, reshape


def _context_param(default: bool) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "properties": {"require_context": {
                "type": "boolean", "default": default,
                "description": "a hit needs an identity word (ID, 身份证, CCCD, NIK, IC...) within a few characters"}}}


class NumberDetector(Detector):
    """A number found by :attr:`pattern` (on folded text), kept when :meth:`valid` holds for its compact
    form, scored :attr:`base_score` (1.0 next to an identity word, :attr:`context` by default)."""

    pattern: ClassVar[re.Pattern[str]]
    hit_type: ClassVar[str] = ""
    base_score: ClassVar[float] = 0.8
    context: ClassVar[re.Pattern[str]] = context.IDENTITY

    def valid(self, value: str) -> bool:
        raise NotImplementedError

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        folded = fold(text)
        hits: list[Hit] = []
        need = self.params.get("require_context", False)
        for m in self.pattern.finditer(folded):
            if not self.valid(compact(m.group())):
                continue
            near = context.near(self.context, folded, m.start(), m.end())
            if near or not need:
                hits.append(self.hit(m.start(), m.end(), self.hit_type, 1.0 if near else self.base_score))
        return hits


class ThaiId(NumberDetector):
    name = "th-id"
    description = "Thai national identification numbers: 13 digits (first 1-8), mod-11 check digit, plain or 1-4-5-2-1."
    languages = ("th", "*")
    types = ("TH_NATIONAL_ID",)
    hit_type = "TH_NATIONAL_ID"
    pattern = re.compile(START + r"[1-8]([ -]?)[0-9]{4}\1[0-9]{5}\1[0-9]{2}\1[0-9]" + END)
    notes = ("Mod-11 check digit: one random 13-digit number in ten starting 1-8 passes, e.g. some EAN-13 "
             "barcodes (Thai products start 885); scored 0.8 unless an identity word is near.")
    modules = ("stdnum",)
    extra = "privacy"
    trigger = rf"{DIGIT}(?:[ \-]?{DIGIT}){{12}}"

    def valid(self, value: str) -> bool:
        from stdnum.th import pin

        return pin.is_valid(value)

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        from stdnum.th import pin

        body = compact(value)[0] + rng.digits(11)
        return reshape(value, body + pin.calc_check_digit(body))


class MyKad(NumberDetector):
    name = "my-nric"
    description = ("Malaysian MyKad/NRIC numbers YYMMDD-PB-###G: a valid birth date and a place-of-birth code "
                   "(states 01-16, 21-59, countries 60-99 as the registry assigns them).")
    languages = ("ms", "en", "zh", "*")
    types = ("MY_NRIC",)
    hit_type = "MY_NRIC"
    pattern = re.compile(START + r"[0-9]{2}[01][0-9][0-3][0-9]([ -]?)[0-9]{2}\1[0-9]{4}" + END)
    parameters = {"type": "object", "additionalProperties": False,
                  "properties": {"plain": {"enum": ["never", "context", "always"], "default": "context",
                                           "description": "12 digits written without the dashes: never, near an "
                                                          "identity word (IC, MyKad, kad pengenalan...), always"}}}
    notes = ("No check digit: the date and the place-of-birth code (python-stdnum's list) are the structure, so "
             "about one random 12-digit number in thirty passes. Written YYMMDD-PB-#### it is a hit; written "
             "as 12 plain digits only near an identity word by default (Vietnamese CCCD numbers are also 12).")
    modules = ("stdnum",)
    extra = "privacy"
    trigger = rf"{DIGIT}{{6}}[ \-]?{DIGIT}{{2}}[ \-]?{DIGIT}{{4}}"

    def valid(self, value: str) -> bool:
        from stdnum.my import nric

        return nric.is_valid(value)

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        plain = self.params["plain"]
        out = []
        for h in super().find(text, lang, side):
            grouped = h.end - h.start > 12
            if grouped:
                out.append(h if h.score == 1.0 else self.hit(h.start, h.end, h.type, 0.9))
            elif plain == "always" or (plain == "context" and h.score == 1.0):
                out.append(h if h.score == 1.0 else self.hit(h.start, h.end, h.type, 0.6))
        return out

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        d = compact(value)
        # the place-of-birth code stays (a state, not the person); the date and serial change
        return reshape(value, random_date(rng).strftime("%y%m%d") + d[6:8] + rng.digits(4))


_SG_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_SG_LETTERS = {"S": (0, "JZIHGFEDCBA"), "T": (4, "JZIHGFEDCBA"), "F": (0, "XWUTRQPNMLK"),
               "G": (4, "XWUTRQPNMLK"), "M": (3, "XWUTRQPNJLK")}


def sg_check_letter(prefix: str, digits: str) -> str:
    """The check letter of a Singapore NRIC/FIN (S, T, F, G; M series from 2022)."""
    offset, letters = _SG_LETTERS[prefix.upper()]
    return letters[(offset + sum(int(c) * w for c, w in zip(digits, _SG_WEIGHTS))) % 11]


class SingaporeNric(NumberDetector):
    name = "sg-nric"
    description = "Singapore NRIC/FIN numbers: S, T, F, G or M, seven digits and the check letter."
    languages = ("en", "zh", "ms", "*")
    types = ("SG_NRIC",)
    hit_type = "SG_NRIC"
    base_score = 0.95
    pattern = re.compile(START + r"[STFGMstfgm][0-9]{7}[A-Za-z]" + END)
    notes = "A check letter over seven digits and a series letter: strong; lower-case forms are accepted too."
    trigger = rf"[STFGMstfgm]{DIGIT}{{7}}"

    def valid(self, value: str) -> bool:
        return sg_check_letter(value[0], value[1:8]) == value[8].upper()

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        d = compact(value)
        digits = rng.digits(7)
        letter = sg_check_letter(d[0], digits)
        return reshape(value, d[0] + digits + (letter if d[8].isupper() else letter.lower()))


class IndonesianNik(NumberDetector):
    name = "id-nik"
    description = ("Indonesian NIK (KTP number): 16 digits, province 11-94, district and sub-district, birth date "
                   "DDMMYY (day + 40 for women), four-digit serial.")
    languages = ("id", "*")
    types = ("ID_NIK",)
    hit_type = "ID_NIK"
    base_score = 0.75
    # plain, 4-4-4-4 or 6-6-4 (region, birth date, serial)
    pattern = re.compile(START + r"(?:[1-9][0-9]{15}|[1-9][0-9]{3}([ .-])[0-9]{4}\1[0-9]{4}\1[0-9]{4}"
                         r"|[1-9][0-9]{5}([ .-])[0-9]{6}\2[0-9]{4})" + END)
    notes = ("No check digit: province 11-94, a valid birth date (day or day+40) and a non-zero serial pass about "
             "one random 16-digit number in twenty; a Luhn-valid card number of the same 16 digits is reported as "
             "BANK_CARD unless an identity word (NIK, KTP...) is near. The province is not checked against a list.")
    trigger = rf"{DIGIT}(?:[ .\-]?{DIGIT}){{15}}"

    def valid(self, value: str) -> bool:
        prov, day, month, year = int(value[:2]), int(value[6:8]), int(value[8:10]), int(value[10:12])
        if not 11 <= prov <= 94 or value[12:] == "0000":
            return False
        day = day - 40 if day > 40 else day
        this = datetime.date.today().year % 100
        return bool(birth_date((2000 if year <= this else 1900) + year, month, day))

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        d = compact(value)
        born = random_date(rng)
        day = born.day + (40 if int(d[6:8]) > 40 else 0)
        return reshape(value, d[:2] + f"{rng.between(1, 79):02d}{rng.between(1, 49):02d}{day:02d}{born:%m%y}"
                              f"{rng.between(1, 9999):04d}")


class VietnameseCccd(NumberDetector):
    name = "vn-cccd"
    description = ("Vietnamese citizen identity numbers (CCCD, số định danh cá nhân): 12 digits, province code "
                   "001-096, century-and-sex digit, two year digits, six serial digits.")
    languages = ("vi", "*")
    types = ("VN_CCCD",)
    hit_type = "VN_CCCD"
    base_score = 0.6
    pattern = re.compile(START + r"0[0-9]{2}([ .-]?)[0-3][0-9]{2}\1?[0-9]{3}\1?[0-9]{3}" + END)
    parameters = _context_param(True)
    notes = ("No check digit and only the province and century digits fixed: about one random 12-digit number in "
             "thirty passes, so by default a hit needs an identity word (CCCD, căn cước, CMND, định danh, ID...) "
             "nearby. Old 9-digit CMND numbers are not looked for.")
    trigger = rf"{DIGIT}(?:[ .\-]?{DIGIT}){{11}}"

    def valid(self, value: str) -> bool:
        province, century = int(value[:3]), int(value[3])
        year = (1900 + 100 * (century // 2)) + int(value[4:6])
        return 1 <= province <= 96 and year <= datetime.date.today().year

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        d = compact(value)
        last = datetime.date.today().year % 100 if d[3] in "23" else 99
        return reshape(value, d[:4] + f"{rng.between(0, last):02d}" + rng.digits(6))


#: Philippine numbers: (type, pattern, words). None has a published check digit: each needs its word.
_PH = (
    ("PH_PSN", re.compile(START + r"[0-9]{4}([ -]?)[0-9]{4}\1[0-9]{4}\1[0-9]{4}" + END),
     ("philsys", "psn", "pcn", "national id", "philid", "pambansang pagkakakilanlan")),
    ("PH_TIN", re.compile(START + r"[0-9]{3}-[0-9]{3}-[0-9]{3}(?:-[0-9]{3,5})?" + END), ("tin", "bir")),
    ("PH_SSS", re.compile(START + r"[0-9]{2}-?[0-9]{7}-?[0-9]" + END), ("sss",)),
    ("PH_UMID", re.compile(START + r"[0-9]{4}-?[0-9]{7}-?[0-9]" + END), ("umid", "crn")),
    ("PH_PHILHEALTH", re.compile(START + r"[0-9]{2}-?[0-9]{9}-?[0-9]" + END), ("philhealth", "pin")),
)


class PhilippineIds(Detector):
    name = "ph-id"
    description = ("Philippine identity numbers next to their name: PhilSys (PSN/PCN, 16 digits), TIN "
                   "(###-###-###[-###]), SSS (##-#######-#), UMID CRN (####-#######-#), PhilHealth (##-#########-#).")
    languages = ("fil", "en", "*")
    types = tuple(t for t, _, _ in _PH)
    notes = ("None of these numbers has a published check digit, so each is a hit only with its own word (TIN, "
             "SSS, UMID/CRN, PhilHealth/PIN, PhilSys/PSN/PCN) within a few characters before it; a number written "
             "without its word is missed.")
    trigger = rf"{DIGIT}(?:[ \-]?{DIGIT}){{8,}}"

    def __init__(self, **params: Any):
        super().__init__(**params)
        from .base import keyword_pattern

        self._rules = [(t, p, keyword_pattern(words)) for t, p, words in _PH]

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        folded = fold(text)
        hits: list[Hit] = []
        for type_, pattern, words in self._rules:
            for m in pattern.finditer(folded):
                if words.search(folded, max(0, m.start() - 24), m.start()):
                    hits.append(self.hit(m.start(), m.end(), type_, 0.95))
        return hits

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        return reshape(value, rng.digits(len(compact(value))))


__all__ = ["IndonesianNik", "MyKad", "NumberDetector", "PhilippineIds", "SingaporeNric", "ThaiId", "VietnameseCccd",
           "sg_check_letter"]
