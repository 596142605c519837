"""numpy, or a clear message saying how to install it (the aligners' one dependency)."""

from __future__ import annotations

from ..base import BackendMissing

try:
    import numpy as np
except ImportError:  # pragma: no cover - numpy is installed wherever the tests run
    raise BackendMissing('the aligners need numpy: pip install "lancang[align]"') from None

__all__ = ["np"]
