"""Parameters of a plug-in (filter, detector): defaults filled in, unknown keys refused, the whole
validated against the plug-in's JSON Schema. One place, so every registry speaks the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import UsageError


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
    full = dict(schema)
    full.setdefault("type", "object")
    full.setdefault("additionalProperties", False)
    try:
        jsonschema.validate(out, full)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise UsageError(f"{kind} {name!r}: parameter {where or '(all)'}: {exc.message}") from None
    return out
