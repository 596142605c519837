"""Chinese resident identity numbers (公民身份号码, GB 11643-1999): 18 digits with an ISO 7064
MOD 11-2 check digit, and the 15-digit numbers issued before 1999."""

from __future__ import annotations

import re
from typing import Any

from . import context
from .base import DIGIT, END, START, Detector, DigestRng, Hit, birth_date, compact, fold, random_date, reshape

# 6 address digits, 8 birth-date digits, 3 sequence digits, the check digit; written plain or as
# 6-8-4 with one kind of separator.
_ID18 = re.compile(START + r"[1-9][0-9]{5}([ -]?)(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9]\1[0-9]{3}[0-9Xx]" + END)
_ID15 = re.compile(START + r"[1-9][0-9]{5}([ -]?)[0-9]{2}[01][0-9][0-3][0-9]\1[0-9]{3}" + END)


def check_digit(first17: str) -> str:
    """The GB 11643 check digit (ISO 7064 MOD 11-2) of the first 17 digits."""
    from stdnum.cn import ric

    return ric.calc_check_digit(first17 + "0")


class ChineseResidentId(Detector):
    name = "cn-resident-id"
    description = ("Chinese resident identity numbers: 18 digits (the last may be X) with a valid birth date and "
                   "GB 11643 check digit; 15-digit legacy numbers with a valid 19YY birth date. Full-width digits "
                   "and 6-8-4 grouping too.")
    languages = ("zh", "*")
    types = ("CN_RESIDENT_ID",)
    parameters = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "legacy": {"enum": ["never", "context", "always"], "default": "context",
                       "description": "15-digit numbers (no check digit): never, only near an identity word "
                                      "(身份证, ID...), or always when the date is valid"},
        },
    }
    notes = ("Judged by structure, birth date (not in the future, not before 1900) and check digit, not by a table "
             "of address codes, so a number with a retired or invented address code still counts (about one "
             "random 18-digit number with a plausible date in eleven passes the check). A 15-digit number has no "
             "check digit: by default only near an identity word.")
    modules = ("stdnum",)
    extra = "privacy"
    trigger = rf"{DIGIT}(?:[ \-]?{DIGIT}){{14,}}"

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        folded = fold(text)
        hits: list[Hit] = []
        for m in _ID18.finditer(folded):
            d = compact(m.group())
            if birth_date(int(d[6:10]), int(d[10:12]), int(d[12:14])) and check_digit(d[:17]) == d[17].upper():
                hits.append(self.hit(m.start(), m.end(), "CN_RESIDENT_ID", 1.0))
        legacy = self.params["legacy"]
        if legacy != "never":
            for m in _ID15.finditer(folded):
                d = compact(m.group())
                if not birth_date(1900 + int(d[6:8]), int(d[8:10]), int(d[10:12])):
                    continue
                near = context.near(context.IDENTITY, folded, m.start(), m.end())
                if near or legacy == "always":
                    hits.append(self.hit(m.start(), m.end(), "CN_RESIDENT_ID", 0.95 if near else 0.6))
        return hits

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        d = compact(value)
        # the province (first two digits) stays: an address code of the same region, not the person's
        area = d[:2] + rng.digits(4)
        if len(d) == 15:
            born = random_date(rng, 1930, 1998)
            return reshape(value, area + born.strftime("%y%m%d") + rng.digits(3))
        born = random_date(rng)
        # the sequence number is chosen so that the check digit is an X exactly when the value's is
        # (a digit stays a digit, an X an X: the same shape)
        start = rng.below(1000)
        for i in range(1000):
            first17 = area + born.strftime("%Y%m%d") + f"{(start + i) % 1000:03d}"
            check = check_digit(first17)
            if (check == "X") == (d[17] in "Xx"):
                break
        return reshape(value, first17 + (check.lower() if d[17] == "x" else check))


__all__ = ["ChineseResidentId", "check_digit"]
