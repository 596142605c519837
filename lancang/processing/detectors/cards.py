"""Payment card numbers: UnionPay, Visa, Mastercard, American Express, JCB, Discover and Diners
prefixes and lengths, Luhn check digit; plain or grouped with spaces or dashes."""

from __future__ import annotations

import re
from typing import Any

from . import context
from .base import DIGIT, END, START, Detector, DigestRng, Hit, compact, fold, reshape

_CARD = re.compile(START + r"[0-9](?:[ -]?[0-9]){12,18}" + END)
_SEP = re.compile(r"[ -]")


def brand(digits: str) -> str | None:
    """The card scheme whose prefix and length ``digits`` has, or None."""
    n, p2, p3, p4 = len(digits), int(digits[:2]), int(digits[:3]), int(digits[:4])
    if digits[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16:
        return "mastercard"
    if p2 in (34, 37) and n == 15:
        return "amex"
    if 3528 <= p4 <= 3589 and 16 <= n <= 19:
        return "jcb"
    if p2 == 62 and 16 <= n <= 19:
        return "unionpay"
    if (p4 == 6011 or p2 == 65 or 644 <= p3 <= 649) and 16 <= n <= 19:
        return "discover"
    if (300 <= p3 <= 305 or p2 in (36, 38, 39)) and n == 14:
        return "diners"
    return None


def _groups_ok(groups: list[str]) -> bool:
    """Plain, or grouped as cards are printed: fours (the last group shorter or longer by the length),
    4-6-5 / 4-6-4 (Amex, Diners) or 6-13 (some UnionPay cards)."""
    sizes = [len(g) for g in groups]
    if len(sizes) == 1:
        return True
    return (all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4) or sizes in ([4, 6, 5], [4, 6, 4], [6, 13])


class BankCards(Detector):
    name = "bank-card"
    description = ("Payment card numbers, 13-19 digits: UnionPay (62), Visa, Mastercard (51-55, 2221-2720), "
                   "American Express, JCB, Discover, Diners; Luhn check digit; plain or in printed groups.")
    types = ("BANK_CARD",)
    parameters = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "unionpay_without_luhn": {"type": "boolean", "default": True,
                                      "description": "a UnionPay number (62, 16-19 digits) that fails Luhn is a "
                                                     "hit when a card word (卡号, 银行卡, card...) is near"},
        },
    }
    notes = ("A scheme prefix and length plus the Luhn digit: about one random number in ten with a card prefix "
             "passes, so long reference numbers starting 4, 5 or 62 can be hit. Some older UnionPay debit cards "
             "fail Luhn: those are found only next to a card word. Cards of other schemes (domestic ASEAN "
             "networks with their own prefixes) are missed.")
    modules = ("stdnum",)
    extra = "privacy"
    trigger = rf"{DIGIT}(?:[ \-]?{DIGIT}){{12,}}"

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        from stdnum import luhn

        folded = fold(text)
        hits: list[Hit] = []
        for m in _CARD.finditer(folded):
            raw = m.group()
            groups = _SEP.split(raw)
            # "6222 0212 3456 7890 2020" is a card followed by a year: try shorter runs of whole groups
            for k in range(len(groups), 0, -1):
                digits = "".join(groups[:k])
                if len(digits) < 13:
                    break
                kind = brand(digits) if len(digits) <= 19 else None
                if kind is None or not _groups_ok(groups[:k]):
                    continue
                end = m.start() + len(" ".join(groups[:k]))
                near = context.near(context.CARD, folded, m.start(), end)
                if luhn.is_valid(digits):
                    hits.append(self.hit(m.start(), end, "BANK_CARD", 1.0 if near else 0.9))
                    break
                if kind == "unionpay" and near and self.params["unionpay_without_luhn"]:
                    hits.append(self.hit(m.start(), end, "BANK_CARD", 0.8))
                    break
        return hits

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        from stdnum import luhn

        d = compact(value)
        # the issuer number (first six digits) stays, as PCI DSS masking keeps it: the scheme and bank
        # are not the person
        body = d[:6] + rng.digits(len(d) - 7)
        return reshape(value, body + luhn.calc_check_digit(body))


__all__ = ["BankCards", "brand"]
