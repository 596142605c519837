"""eflomal (Östling & Tiedemann 2016) as an optional word-alignment backend.

eflomal is GPL-3.0, so it is never a dependency of lancang: ``pip install "lancang[eflomal]"``
installs it, and this module imports it only when the backend is used. eflomal trains and aligns
in one call on the whole corpus (it keeps no model to reuse); its two directional alignments are
symmetrised by lancang (:mod:`.symmetrize`), like the built-in aligner's.

Tokens are given to eflomal as space-separated text: spaces inside a token (Vietnamese words)
become U+2581 so token indices are preserved; pairs with an empty side get no links.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..base import BackendMissing
from .model import Links, Pair, checked_config
from .symmetrize import symmetrize

INSTALL = 'pip install "lancang[eflomal]"'


@dataclass
class EflomalConfig:
    symmetrize: str = "grow-diag-final-and"
    #: 1 = IBM1, 2 = + HMM, 3 = + fertility (eflomal's default)
    model: int = 3
    n_samplers: int = 3
    null_prior: float = 0.2
    source_prefix_len: int = 0
    target_prefix_len: int = 0
    #: passed to eflomal's n_iterations (None = eflomal's own schedule)
    n_iterations: int | None = None


class EflomalAligner:
    """The word-aligner shape (``fit``, ``train_align``) without a model: eflomal keeps none."""

    name = "eflomal"

    def __init__(self, config: Mapping[str, Any] | None = None):
        self.config = checked_config(EflomalConfig, config, "eflomal")

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> EflomalAligner:
        return cls(config)

    @classmethod
    def tool(cls) -> str:
        return "eflomal"

    @staticmethod
    def version() -> str | None:
        from importlib import metadata

        try:
            return metadata.version("eflomal")
        except metadata.PackageNotFoundError:
            return None

    def fit(self, pairs: Iterable[Pair], method: str | None = None) -> tuple[None, list[Links]]:
        """Align the pairs (held in memory); no model."""
        return self.train_align(pairs, method)

    def train_align(self, pairs: Iterable[Pair], method: str | None = None) -> tuple[None, list[Links]]:
        pairs = pairs if isinstance(pairs, Sequence) else list(pairs)
        try:
            import eflomal
        except ImportError:
            raise BackendMissing(f"the eflomal word aligner needs the eflomal package (GPL-3.0): {INSTALL}") from None
        cfg = self.config
        keep = [k for k, (s, t) in enumerate(pairs) if len(s) and len(t)]
        out: list[list[tuple[int, int, str]]] = [[] for _ in pairs]
        if not keep:
            return None, out

        def line(tokens: Sequence[str]) -> str:
            return " ".join((t.replace(" ", "\u2581") or "\u2581") for t in tokens)

        src = [line(pairs[k][0]) for k in keep]
        tgt = [line(pairs[k][1]) for k in keep]
        al = eflomal.Aligner(model=cfg.model, n_samplers=cfg.n_samplers, null_prior=cfg.null_prior,
                             n_iterations=cfg.n_iterations, source_prefix_len=cfg.source_prefix_len,
                             target_prefix_len=cfg.target_prefix_len)
        with tempfile.TemporaryDirectory(prefix="lancang-eflomal-") as d:
            fwd_path, rev_path = Path(d) / "fwd", Path(d) / "rev"
            al.align(src, tgt, links_filename_fwd=str(fwd_path), links_filename_rev=str(rev_path), quiet=True)
            fwd = _read(fwd_path, len(keep))
            rev = _read(rev_path, len(keep))
        how = method or cfg.symmetrize
        for k, f, r in zip(keep, fwd, rev):
            out[k] = symmetrize(f, r, how)
        return None, out

    def settings(self) -> dict[str, Any]:
        return asdict(self.config)


def _read(path: Path, n: int) -> list[set[tuple[int, int]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines += [""] * (n - len(lines))
    return [{(int(a), int(b)) for a, b in (x.split("-") for x in ln.split())} for ln in lines[:n]]
