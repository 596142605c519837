"""Named registries of plug-ins (formats, annotators, rules, metrics, profiles, executors).

A registry is filled lazily from a built-in ``name -> "module:object"`` table and from the entry
points of its group (``lancang.formats``, ``lancang.annotators``, ...), so third parties extend
lancang by declaring an entry point, without forking it. Objects are imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from importlib import metadata
from typing import Any

from .errors import UsageError


def load_object(ref: str) -> Any:
    """Import ``"package.module:attr"``."""
    mod, _, attr = ref.partition(":")
    obj: Any = importlib.import_module(mod)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


class Registry:
    def __init__(self, kind: str, group: str, builtins: dict[str, str] | None = None):
        self.kind = kind
        self.group = group
        self._refs: dict[str, str] = dict(builtins or {})
        self._builtins = tuple(builtins or ())
        self._objects: dict[str, Any] = {}
        self._entry_points_loaded = False

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in metadata.entry_points(group=self.group):
            self._refs.setdefault(ep.name, ep.value)

    def register(self, name: str, obj: Any) -> None:
        """Register an object directly (tests, notebooks)."""
        self._objects[name] = obj

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(set(self._refs) | set(self._objects))

    def ordered(self) -> list[str]:
        """Built-ins in the order of their table (the order they run in), then the others by name."""
        names = self.names()
        return [n for n in self._builtins if n in names] + [n for n in names if n not in self._builtins]

    def __contains__(self, name: str) -> bool:
        return name in self.names()

    def get(self, name: str) -> Any:
        if name in self._objects:
            return self._objects[name]
        self._load_entry_points()
        ref = self._refs.get(name)
        if ref is None:
            raise UsageError(f"unknown {self.kind} {name!r}; known: {', '.join(self.names()) or 'none'}")
        obj = load_object(ref)
        self._objects[name] = obj
        return obj

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for n in self.names():
            yield n, self.get(n)
