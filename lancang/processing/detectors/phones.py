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


#: A date written with dots, slashes or dashes: day.month.year, year-month-day.
_DATE = re.compile(r"(?:[0-9]{1,2}([./-])[0-9]{1,2}\1(?:[0-9]{4}|[0-9]{2})|[0-9]{4}([./-])[0-9]{1,2}\2[0-9]{1,2})")
#: An ungrouped national number this short needs a phone word next to it (a count, an amount otherwise).
_UNGROUPED_MAX = 8
#: characters kept before and after a digit run for the matcher: "+86 " / "(+62) " / "ext. 12"
_LEAD, _TRAIL = 8, 8


class _Shifted:
    """A phonenumbers match found in a window, with offsets into the whole text."""

    __slots__ = ("start", "end", "number", "raw_string")

    def __init__(self, m: Any, shift: int):
        self.start, self.end, self.number, self.raw_string = m.start + shift, m.end + shift, m.number, m.raw_string


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
             "th: TH...; en: all) and in the other regions only next to a phone word, so a Thai mobile written "
             "nationally in a Vietnamese sentence without one is missed unless 'regions' adds TH; with +code "
             "or 00 any region is found. Numbers that read as prices "
             "(¥, Rp, 元, đồng, บาท next to them), years or thousands-grouped quantities (1.500.000) are "
             "skipped; a valid number with a currency word next to it is missed. Short numbers (service "
             "lines, 5-6 digits) are not looked for.")
    modules = ("phonenumbers",)
    extra = "privacy"
    trigger = rf"{DIGIT}(?:[\s\-.()/]{{0,2}}{DIGIT}){{6,}}"

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._leniency = getattr(self._pn.Leniency, self.params["leniency"].upper())

    @property
    def _pn(self) -> Any:
        """phonenumbers, imported on first use (a module is not kept on the instance: detectors pickle)."""
        import phonenumbers

        return phonenumbers

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
        own = self.regions(lang)
        # the side language's regions first; then, for a number none of them reads and only next to a
        # phone word, the other regions (a Thai mobile written nationally in the Chinese side of a
        # zh-th pair): recall across sides without reading every long number in fourteen ways
        others = [r for r in (*REGIONS, *self.params["regions"]) if r not in own]
        for i, region in enumerate(own + others):
            foreign = i >= len(own)
            if foreign and not any(context.near(context.PHONE, folded, cs, ce) for cs, ce in candidates
                                   if not any(s <= cs and ce <= e + 1 for s, e in taken)):
                break
            for m in self._matches(folded, candidates, region):
                start, end = m.start, m.end
                if any(s < end and start < e for s, e in taken):
                    continue
                near = context.near(context.PHONE, folded, start, end)
                if (foreign and not near) or not self._accept(m.number, region, folded, start, end):
                    continue
                taken.append((start, end))
                hits.append(self.hit(start, end, "PHONE", 1.0 if near else 0.85))
            if all(any(s <= cs and ce <= e + 1 for s, e in taken) for cs, ce in candidates):
                break
        hits.sort(key=lambda h: h.start)
        return hits

    def _matches(self, text: str, candidates: list[tuple[int, int]], region: str) -> Any:
        """phonenumbers' matches in windows around the digit runs only (a +code, a trunk prefix or an
        opening parenthesis just before a run belongs to it), not over the whole text: the matcher's
        scan of a long sentence cost more than reading the numbers. Offsets are the text's."""
        windows: list[tuple[int, int]] = []
        for cs, ce in candidates:
            ws, we = max(0, cs - _LEAD), min(len(text), ce + _TRAIL)
            if windows and ws <= windows[-1][1]:
                windows[-1] = (windows[-1][0], we)
            else:
                windows.append((ws, we))
        for ws, we in windows:
            for m in self._pn.PhoneNumberMatcher(text[ws:we], region, leniency=self._leniency):
                yield _Shifted(m, ws)

    def _accept(self, number: Any, region: str, text: str, start: int, end: int) -> bool:
        raw = text[start:end]
        international = raw.startswith(("+", "00"))
        if (international and not self.params["international"]
                and self._pn.region_code_for_number(number) not in REGIONS):
            return False
        if not international and not context.near(context.PHONE, text, start, end):
            # without a phone word: a thousands-grouped quantity (1.500.000), a date (25.7.2018,
            # 2022-11-27) or a short number written in one piece ("7818974 people") is not a phone
            if _THOUSANDS.fullmatch(raw) or _DATE.fullmatch(raw):
                return False
            if raw.isdigit() and len(raw) <= _UNGROUPED_MAX:
                return False
        return not context.not_personal(text, start, end)

    def _number(self, value: str) -> Any:
        """The number parsed in the first region where it is valid (None when in none)."""
        f = fold(value)
        for region in (*REGIONS, *self.params["regions"]):
            try:
                num = self._pn.parse(f, region)
            except self._pn.NumberParseException:
                return None
            if self._pn.is_valid_number(num):
                return num
        return None

    def normalise(self, value: str, hit_type: str) -> str:
        """The form a surrogate is keyed on: the national significant number (``13800138000``), so
        ``138 0013 8000``, ``+86 138-0013-8000`` and ``0086 13800138000`` get one surrogate, and so do
        ``0912 345 678`` and ``+84 912 345 678``, which a national number alone cannot tell from Taiwan's."""
        num = self._number(value)
        return str(num.national_number) if num is not None else compact(value)

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        # the national significant number changes after its first digits (the operator or area prefix),
        # drawn the same way whatever the form: the country code or trunk prefix written stays
        digits = compact(value)
        num = self._number(value)
        nsn = str(num.national_number) if num is not None else digits
        if not digits.endswith(nsn):
            nsn = digits
        head = digits[:len(digits) - len(nsn)]
        keep = 3 if len(nsn) >= 9 else 2
        best = None
        for _ in range(32):
            cand = head + nsn[:keep] + rng.digits(len(nsn) - keep)
            if cand == digits:
                continue
            best = best or cand
            if num is None or self._pn.is_valid_number(self._pn.parse(
                    "+" + str(num.country_code) + cand[len(head):], None)):
                best = cand
                break
        return reshape(value, best or digits)


__all__ = ["REGIONS", "Phones"]
