"""Findings are data: a stable kebab-case rule id, a severity, a location and a message.

Every checker in lancang (record validation, profile rules, format readers) returns findings
instead of printing or raising, so the CLI can render them as text, JSON or JUnit and a CI job can
gate on them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass(slots=True)
class Finding:
    rule: str
    message: str
    severity: str = "error"
    file: str | None = None
    line: int | None = None
    record: str | None = None
    pointer: str | None = None
    clause: str | None = None
    column: int | None = None
    #: the message's catalog key and parameters (lancang.standards.messages), so a report can say it in
    #: another language; None for a message made without the catalog
    code: str | None = None
    params: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v is not None}
        out["message"] = str(self.message)  # a catalog message (a str subclass) as plain text
        if "params" in out:
            out["params"] = json_params(out["params"])
        return out

    def location(self) -> str:
        """``file:line:column`` followed by ``[record]`` and the JSON pointer, as far as known."""
        parts = []
        loc = self.file or "-"
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        parts.append(loc)
        if self.record is not None:
            parts.append(f"[{self.record}]")
        if self.pointer is not None:
            parts.append(self.pointer or "/")
        return " ".join(parts)

    def render(self) -> str:
        """One line: ``file:line [record] /pointer: severity rule-id: message``."""
        return f"{self.location()}: {self.severity} {self.rule}: {self.message}"


def json_params(params: dict[str, Any]) -> dict[str, Any]:
    """A message's parameters as JSON data: numbers, strings, booleans, null and lists of them stay, anything
    else becomes its string."""
    def one(v: Any) -> Any:
        if v is None or isinstance(v, (str, int, float, bool)):
            return v
        if isinstance(v, (list, tuple)):
            return [one(x) for x in v]
        return str(v)
    return {k: one(v) for k, v in params.items()}


def pointer(*parts: Any) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    out = []
    for p in parts:
        s = str(p)
        out.append(s.replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(out) if out else ""
