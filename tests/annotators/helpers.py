"""Shared checks for annotator tests."""

from __future__ import annotations

from collections.abc import Sequence


def assert_tiles(text: str, spans: Sequence[Sequence[int]], inner_space_ok: bool = True) -> None:
    """Spans are in order, never overlap, stay inside the text, have no white space at their edges,
    and cover every non-space character."""
    pos = 0
    for s, e in spans:
        assert 0 <= s < e <= len(text), (s, e, len(text))
        assert s >= pos, f"span {(s, e)} overlaps or precedes the previous one (ends at {pos})"
        assert not text[pos:s].strip(), f"non-space text {text[pos:s]!r} at {pos} is in no span"
        assert text[s:e] == text[s:e].strip(), f"span {(s, e)} {text[s:e]!r} has white space at an edge"
        if not inner_space_ok:
            assert not any(c.isspace() for c in text[s:e]), text[s:e]
        pos = e
    assert not text[pos:].strip(), f"non-space text {text[pos:]!r} after the last span"


def needs(*names: str):
    """Skip (with the install command) unless these annotators' backends are installed."""
    import pytest

    from lancang.annotators import spec

    missing = [spec(n) for n in names if not spec(n).installed]
    hints = sorted({s.install_hint for s in missing})
    return pytest.mark.skipif(bool(missing), reason=f"backend not installed for {', '.join(s.name for s in missing)}: "
                                                    f"{'; '.join(hints)}")


#: every backend the default pipeline uses
DEFAULT_BACKENDS = ("jieba", "newmm", "crfcut", "pyvi", "underthesea", "khmer-nltk", "laonlp", "burmesenlp", "spacy")
