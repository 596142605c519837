"""The registry of cleaning filters (entry point group ``lancang.filters``).

Built-in filters, in the order ``lancang clean`` applies them (repairs first, duplicates last):
see :data:`BUILTIN`. A third party adds one with an entry point ``name = "module:Class"`` whose
class subclasses :class:`lancang.processing.filters.base.Filter`.
"""

from __future__ import annotations

from ...registry import Registry
from .base import Filter, Reason, Repair, Scores

BUILTIN: dict[str, str] = {
    "hygiene": "lancang.processing.filters.hygiene:Hygiene",
    "empty": "lancang.processing.filters.basic:Empty",
    "length": "lancang.processing.filters.length:Length",
    "length-ratio": "lancang.processing.filters.length:LengthRatio",
    "untranslated": "lancang.processing.filters.basic:Untranslated",
    "nonalpha": "lancang.processing.filters.basic:NonAlphabetic",
    "langid": "lancang.processing.filters.langid:LanguageId",
    "qa": "lancang.processing.filters.qa:TranslationQA",
    "adequacy": "lancang.processing.filters.adequacy:Adequacy",
    "duplicates": "lancang.processing.filters.dupes:Duplicates",
}

FILTERS = Registry("filter", "lancang.filters", BUILTIN)


def filter_order() -> list[str]:
    """Built-ins in :data:`BUILTIN` order, then third-party filters by name."""
    return FILTERS.ordered()


__all__ = ["BUILTIN", "FILTERS", "Filter", "Reason", "Repair", "Scores", "filter_order"]
