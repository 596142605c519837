"""JSON Schemas of the canonical model and the validator that checks records and manifests."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import orjson

SCHEMAS = ("record", "manifest")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``lancang/schemas/<name>.schema.json`` as a dict (cached; do not mutate)."""
    try:
        data = resources.files(__name__).joinpath(f"{name}.schema.json").read_bytes()
    except FileNotFoundError:
        raise KeyError(f"no schema named {name!r}; known: {', '.join(SCHEMAS)}") from None
    return orjson.loads(data)
