"""Phone numbers of China and the ASEAN regions as people write them, found by ``phonenumbers``
(Google's libphonenumber metadata, Apache-2.0)."""

from __future__ import annotations

import re
from typing import Any

from ...corpora.langs import LANG_REGIONS, primary, subtags
from . import context
from .base import DIGIT, Detector, DigestRng, Hit, compact, fold, reshape

#: The regions whose national formats the detector knows by default.
REGIONS = ("CN", "HK", "MO", "TW", "VN", "TH", "ID", "MY", "PH", "SG", "KH", "LA", "MM", "BN")
#: A digit run of at least 7 digits with single separators: where a phone number can be.
_CANDIDATE = re.compile(r"(?<![0-9])[0-9](?:[ \-.()/]{0,2}[0-9]){6,}")
#: Groups of exactly three after a first group of one to three: 1,299,000 or 15.000.000 is a quantity.
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*")


class Phones(Detector):
    name = "phone"
    description = ("Phone numbers of CN, HK, MO, TW, VN, TH, ID, MY, PH, SG, KH, LA, MM and BN, national or "
                   "international (+code, 00 prefix), with spaces, dashes, dots or parentheses, full-width or "
                   "native digits, Chinese or Thai text directly around them.")
    types = ("PHONE",)
    parameters = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "regions": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}, "default": [],
                        "description": "regions tried for a national number besides the side language's "
                                       "(all of the detector's regions for a language lancang does not know)"},
            "international": {"type": "boolean", "default": True,
                              "description": "a valid number written with +code or 00 of any country is a hit"},
            "leniency": {"enum": ["possible", "valid", "strict_grouping", "exact_grouping"], "default": "valid",
                         "description": "phonenumbers' leniency: 'valid' accepts any valid number however grouped"},
        },
    }
    notes = ("A national number is read in the side language's regions (zh: CN, HK, TW, MO, SG, MY; vi: VN; "
             "th: TH...; en: all), so a Thai mobile written nationally in a Vietnamese sentence is missed "
             "unless 'regions' adds TH; with +code or 00 any region is found. Numbers that read as prices "
             "(¥, Rp, 元, đồng, บาท next to them), years or thousands-grouped quantities (1.500.000) are "
             "skipped; a valid number with a currency word next to it is missed. Short numbers (service "
             "lines, 5-6 digits) are not looked for.")
    modules = ("phonenumbers",)
    extra = "privacy"
    trigger = rf"{DIGIT}(?:[\s\-.()/]{{0,2}}{DIGIT}){{6,}}"

    def __init__(self, **params: Any):
        super().__init__(**params)
        import phonenumbers

        self._pn = phonenumbers
        self._leniency = getattr(phonenumbers.Leniency, self.params["leniency"].upper())

    def regions(self, lang: str) -> list[str]:
        _, region = subtags(lang)
        out = [region] if region in REGIONS else []
        out += [r for r in LANG_REGIONS.get(primary(lang), REGIONS) if r not in out]
        out += [r for r in self.params["regions"] if r not in out]
        return out

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        folded = fold(text)
        candidates = [(m.start(), m.end()) for m in _CANDIDATE.finditer(folded)]
        if not candidates:
            return []
        hits: list[Hit] = []
        taken: list[tuple[int, int]] = []
        for region in self.regions(lang):
            for m in self._pn.PhoneNumberMatcher(folded, region, leniency=self._leniency):
                start, end = m.start, m.end
                if any(s < end and start < e for s, e in taken):
                    continue
                if not self._accept(m.number, region, folded, start, end):
                    continue
                taken.append((start, end))
                score = 1.0 if context.near(context.PHONE, folded, start, end) else 0.85
                hits.append(self.hit(start, end, "PHONE", score))
            if all(any(s <= cs and ce <= e + 1 for s, e in taken) for cs, ce in candidates):
                break
        hits.sort(key=lambda h: h.start)
        return hits

    def _accept(self, number: Any, region: str, text: str, start: int, end: int) -> bool:
        raw = text[start:end]
        international = raw.startswith(("+", "00"))
        if international and not self.params["international"]:
            if self._pn.region_code_for_number(number) not in REGIONS:
                return False
        if not international and _THOUSANDS.fullmatch(raw) and not context.near(context.PHONE, text, start, end):
            return False
        return not context.not_personal(text, start, end)

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        digits = compact(value)
        f = fold(value).lstrip()
        keep = 0
        if f.startswith("+") or f.startswith("00"):
            keep = (2 if f.startswith("00") else 0) + self._country_code_length(digits[2:] if f.startswith("00") else digits)
        keep += 3 if len(digits) - keep >= 8 else 2
        best = None
        for _ in range(32):
            cand = digits[:keep] + rng.digits(len(digits) - keep)
            if cand == digits:
                continue
            best = best or cand
            if self._valid_anywhere(reshape(value, cand)):
                best = cand
                break
        return reshape(value, best or digits)

    def _country_code_length(self, digits: str) -> int:
        for n in (1, 2, 3):
            if int(digits[:n] or 0) in self._pn.COUNTRY_CODE_TO_REGION_CODE:
                return n
        return 0

    def _valid_anywhere(self, value: str) -> bool:
        f = fold(value)
        for region in REGIONS:
            try:
                if self._pn.is_valid_number(self._pn.parse(f, region)):
                    return True
            except self._pn.NumberParseException:
                return False
        return False


__all__ = ["REGIONS", "Phones"]
