"""The sample corpus bundled with lancang (see ATTRIBUTION.md for sources and licences)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def sample_path(name: str = "sample.jsonl") -> Path:
    """Path of a bundled sample file (``sample.jsonl`` or ``sample.manifest.json``)."""
    p = resources.files(__name__).joinpath(name)
    return Path(str(p))
