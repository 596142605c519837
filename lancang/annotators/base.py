"""What an annotator declares, and the base class its implementation builds on.

An :class:`AnnotatorSpec` is plain data that can be listed without importing any backend: name,
languages, the layers it provides and requires, the backend distribution, the extra that installs
it, a JSON Schema of its configuration, and the ``module:callable`` that builds it. Building
(:meth:`AnnotatorSpec.build`) validates the configuration, checks the backend is importable, and
calls the factory *in the current process*, so a process pool or a Dask worker receives only the
name and the configuration, never a backend object.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from typing import Any

from ..errors import LancangError, UsageError
from ..registry import load_object, missing_modules
from .spans import Span

#: layers annotators make; tokens and sentences are spans, entities are labelled items
LAYERS = ("tokens", "sentences", "entities")


class BackendMissing(LancangError):
    """An annotator's backend package is not installed; the message carries the install hint."""


class ModelMissing(LancangError):
    """A backend is installed but a model it needs is not, and lancang never downloads one."""


@dataclass(frozen=True)
class AnnotatorSpec:
    name: str
    description: str
    provides: tuple[str, ...]
    #: primary language subtags served (``zh``, ``th`` ...), or ``("*",)`` for any language
    languages: tuple[str, ...]
    #: ``module:callable`` that takes the validated configuration and returns an :class:`Annotator`
    factory: str
    #: distribution whose version goes into provenance (None: lancang itself)
    backend: str | None = None
    #: import names that must be importable for the backend to work
    modules: tuple[str, ...] = ()
    #: the lancang extra that installs the backend
    extra: str | None = None
    #: JSON Schema of the configuration (an object; unknown keys are errors)
    config: Mapping[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})
    requires: tuple[str, ...] = ()
    #: provenance tool name (default: the annotator name)
    tool: str | None = None
    #: extra words for the install hint (e.g. what to install first)
    note: str = ""

    @property
    def install_hint(self) -> str:
        hint = f'pip install "lancang[{self.extra}]"' if self.extra else "part of lancang"
        return f"{hint} ({self.note})" if self.note else hint

    def serves(self, lang: str) -> bool:
        return "*" in self.languages or lang in self.languages

    def missing_modules(self) -> list[str]:
        return missing_modules(self.modules)

    @property
    def installed(self) -> bool:
        return not self.missing_modules()

    def backend_version(self) -> str | None:
        if self.backend is None:
            from .. import __version__

            return __version__
        try:
            return metadata.version(self.backend)
        except metadata.PackageNotFoundError:
            return None

    def require_backend(self) -> None:
        miss = self.missing_modules()
        if miss:
            raise BackendMissing(f"annotator {self.name!r} needs {self.backend or miss[0]} "
                                 f"(module {', '.join(miss)} not found): {self.install_hint}")

    # ------------------------------------------------------------------------- configuration

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.config.get("properties", {}))

    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.options.items() if "default" in v}

    def check_config(self, config: Mapping[str, Any] | None) -> dict[str, Any]:
        """The effective configuration (defaults filled in); raises :class:`UsageError` if invalid."""
        config = dict(config or {})
        known = self.options
        unknown = sorted(set(config) - set(known))
        if unknown:
            raise UsageError(f"annotator {self.name!r}: unknown configuration key "
                             f"{', '.join(map(repr, unknown))} (known: {', '.join(sorted(known)) or 'none'})")
        from jsonschema import Draft202012Validator

        schema = {**self.config, "additionalProperties": False}
        errors = sorted(Draft202012Validator(schema).iter_errors(config), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            where = "/".join(str(p) for p in e.path) or "(top)"
            raise UsageError(f"annotator {self.name!r}: configuration {where}: {e.message}")
        return {**self.defaults(), **config}

    def build(self, config: Mapping[str, Any] | None = None) -> Annotator:
        """Validate the configuration, check the backend, and construct the annotator here."""
        effective = self.check_config(config)
        self.require_backend()
        factory: Callable[..., Annotator] = load_object(self.factory)
        ann = factory(effective)
        ann.spec = self
        ann.config = effective
        return ann

    def describe(self) -> dict[str, Any]:
        miss = self.missing_modules()
        return {"name": self.name, "description": self.description, "provides": list(self.provides),
                "requires": list(self.requires), "languages": list(self.languages),
                "backend": self.backend, "version": self.backend_version() if not miss else None,
                "installed": not miss, "install": self.install_hint, "config": dict(self.config)}


_BUILT: dict[tuple[str, str], Annotator] = {}


def _files_state(value: Any) -> list[Any]:
    """Modification times of the files a configuration names, so an edited file is reloaded."""
    import os

    if isinstance(value, str):
        try:  # a directory (a spaCy pipeline) is replaced as a whole: its inode and time change
            st = os.stat(value)
            return [value, st.st_mtime_ns, st.st_ino] if os.path.isfile(value) or os.path.isdir(value) else []
        except (OSError, ValueError):
            return []
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _files_state(v)]
    if isinstance(value, Mapping):
        return [x for v in value.values() for x in _files_state(v)]
    return []


def shared(spec: AnnotatorSpec, config: Mapping[str, Any] | None = None) -> Annotator:
    """The annotator for this spec and configuration, built once per process and then reused.

    Backends are expensive to load (a CRF model, a prefix dictionary); a worker that runs many
    batches, or a program that builds several pipelines, loads each one once.
    """
    effective = spec.check_config(config)
    spec.require_backend()
    key = (spec.name, json.dumps([effective, _files_state(effective)], sort_keys=True, default=str))
    ann = _BUILT.get(key)
    if ann is None or getattr(ann, "spec", None) is not spec:
        ann = _BUILT[key] = spec.build(config)
    return ann


class Annotator:
    """Base class: turns texts into spans for the layers of its spec, a batch at a time.

    Subclasses implement :meth:`tokens` and/or :meth:`sentences` for one text; :meth:`run` calls
    them over a batch (override :meth:`run` to batch inside the backend, as spaCy does). Spans are
    code-point spans of the given text, already cleaned (see :mod:`lancang.annotators.spans`).
    An entity annotator implements :meth:`entities` over a batch instead.
    """

    spec: AnnotatorSpec
    config: dict[str, Any]

    def __init__(self, config: Mapping[str, Any]):
        self.config = dict(config)

    def run(self, layer: str, texts: Sequence[str], lang: str) -> list[list[Span]]:
        fn = {"tokens": self.tokens, "sentences": self.sentences}[layer]
        return [fn(t, lang) if t.strip() else [] for t in texts]

    def tokens(self, text: str, lang: str) -> list[Span]:
        raise UsageError(f"annotator {self.spec.name!r} does not provide tokens")

    def sentences(self, text: str, lang: str) -> list[Span]:
        raise UsageError(f"annotator {self.spec.name!r} does not provide sentences")

    def entities(self, texts: Sequence[str], tokens: Sequence[Sequence[Span] | None], lang: str
                 ) -> list[list[dict[str, Any]]]:
        """Entity items ``{"start", "end", "label"}`` (code points of each text) for a batch of texts;
        ``tokens`` are each text's token spans where its side has them (else None)."""
        raise UsageError(f"annotator {self.spec.name!r} does not provide entities")

    #: the version provenance records (None: the backend distribution's version)
    provenance_version: str | None = None

    @cached_property
    def provenance_settings(self) -> dict[str, Any]:
        from .. import __version__

        return {**json.loads(json.dumps(self.config)), "annotator": self.spec.name, "lancang": __version__}


def chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """Cut a long text into pieces of at most ``limit`` characters at the best nearby break.

    Prefers a line break, then sentence-final punctuation, then white space in the last quarter of
    each piece; cuts hard only in a quarter without any of them. Yields ``(offset, piece)``.
    """
    n = len(text)
    if n <= limit:
        yield 0, text
        return
    start = 0
    while start < n:
        end = min(n, start + limit)
        if end < n:
            lo = start + (3 * limit) // 4
            window = text[lo:end]
            cut = -1
            for chars in ("\n", "。！？!?.។៕။", " \t"):
                cut = max(window.rfind(c) for c in chars)
                if cut >= 0:
                    break
            if cut >= 0:
                end = lo + cut + 1
            else:  # hard cut: never between a letter and its combining marks
                while end > lo and unicodedata.category(text[end])[0] == "M":
                    end -= 1
        yield start, text[start:end]
        start = end
