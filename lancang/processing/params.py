"""Parameters of a plug-in (filter, detector): defaults filled in, unknown keys refused, the whole
validated against the plug-in's JSON Schema. One place, so every registry speaks the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import UsageError


def _non_finite(value: Any, at: str = "") -> str | None:
    """The JSON pointer tail of a NaN or infinity inside ``value`` (JSON Schema's bounds let them by)."""
    import math

    if isinstance(value, float) and not math.isfinite(value):
        return at
    if isinstance(value, dict):
        return next((p for k, v in value.items() if (p := _non_finite(v, f"{at}/{k}")) is not None), None)
    if isinstance(value, (list, tuple)):
        return next((p for i, v in enumerate(value) if (p := _non_finite(v, f"{at}/{i}")) is not None), None)
    return None


def resolve_params(kind: str, name: str, schema: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` over the defaults of ``schema``'s properties, validated; a bad key or value is a
    :class:`UsageError` naming the plug-in and the parameter."""
    import jsonschema

    props = schema.get("properties", {})
    unknown = sorted(set(params) - set(props))
    if unknown:
        raise UsageError(f"{kind} {name!r}: unknown parameter {unknown[0]!r}; "
                         f"known: {', '.join(sorted(props)) or 'none'}")
    out = {k: v["default"] for k, v in props.items() if "default" in v}
    out.update(params)
    for key, value in params.items():
        bad = _non_finite(value)
        if bad is not None:
            raise UsageError(f"{kind} {name!r}: parameter {key}{bad}: not a finite number")
    full = dict(schema)
    full.setdefault("type", "object")
    full.setdefault("additionalProperties", False)
    try:
        jsonschema.validate(out, full)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise UsageError(f"{kind} {name!r}: parameter {where or '(all)'}: {exc.message}") from None
    return out
