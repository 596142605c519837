"""Named registries of plug-ins (formats, annotators, rules, metrics, profiles, executors).

A registry is filled lazily from a built-in ``name -> "module:object"`` table and from the entry
points of its group (``lancang.formats``, ``lancang.annotators``, ...), so third parties extend
lancang by declaring an entry point, without forking it. Objects are imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
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


def missing_modules(modules: Iterable[str]) -> list[str]:
    """The import names among ``modules`` that cannot be imported here (checked without importing them)."""
    import importlib.util

    out = []
    for m in modules:
        try:
            if importlib.util.find_spec(m) is None:
                out.append(m)
        except (ImportError, ValueError):
            out.append(m)
    return out


def require_modules(kind: str, name: str, modules: Iterable[str], extra: str | None, off: str = "") -> None:
    """Raise a :class:`UsageError` naming what a plug-in needs and the command that installs it."""
    missing = missing_modules(modules)
    if missing:
        hint = f'pip install "lancang[{extra}]"' if extra else f"pip install {' '.join(missing)}"
        raise UsageError(f"{kind} {name!r} needs {', '.join(missing)}: {hint}" + (f" ({off})" if off else ""))


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
