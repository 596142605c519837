"""The language knowledge annotators use, from :mod:`lancang.corpora.langs` (its one home).

Kept so that ``lancang.annotators.langs`` imports (in annotators and in plug-ins) go on working;
new code imports :mod:`lancang.corpora.langs`.

>>> language("tl") == language("fil") == "fil"
True
"""

from __future__ import annotations

from ..corpora.langs import ALIASES, check_tag, is_traditional, language, script_language, subtags

__all__ = ["ALIASES", "check_tag", "is_traditional", "language", "script_language", "subtags"]
