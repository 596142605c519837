"""Progress on long work: one display for every verb and for ``lancang run``.

A :class:`Display` shows one row per task (a verb's records; a run's global phases, its shards and its
final steps) with a bar when the total is known, the count, the rate per second and the time left.
It is on when stderr is a terminal, off otherwise or with ``--quiet``; ``--progress`` forces it on
(``--no-progress`` off). Library functions take a plain callback and never print: the display is
handed to them as :meth:`Display.task` callbacks.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

#: a task's callback: the count done so far, and the total once it is known
Tick = Callable[..., None]


def shown(enabled: bool | None, quiet: bool = False) -> bool:
    """``--progress`` (True) forces the display, ``--no-progress`` (False) hides it; unset (None), it is
    shown on a terminal unless ``--quiet``."""
    if enabled is not None:
        return enabled
    return not quiet and sys.stderr.isatty()


class Display:
    """``with Display(enabled) as d: tick = d.task("cleaning", total=n)``; ``tick(done)`` or
    ``tick(done, total)``. When off, :meth:`task` returns None (a library function then reports nothing)."""

    def __init__(self, enabled: bool | None = None, quiet: bool = False):
        self.on = shown(enabled, quiet)
        self._bar: Any = None

    def __enter__(self) -> Display:
        if self.on:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            # forced on a file or a pipe (--progress), rich writes the rows as a terminal would
            console = Console(stderr=True, force_terminal=True if not sys.stderr.isatty() else None)
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 RateColumn(), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                 console=console, transient=False)
            self._bar.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)
            self._bar = None

    def task(self, label: str, total: int | None = None, unit: str = "records") -> Tick | None:
        """A row ``label`` counting ``unit``; its callback sets the count done (and the total)."""
        if self._bar is None:
            return None
        bar = self._bar
        tid = bar.add_task(label, total=total, unit=unit)

        def tick(done: int, total: int | None = None) -> None:
            bar.update(tid, completed=done, **({"total": total} if total is not None else {}))

        return tick


def _rate_column() -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class _Rate(ProgressColumn):
        """Units per second over the task's elapsed time."""

        def render(self, task: Any) -> Text:
            elapsed = task.finished_time if task.finished else task.elapsed
            if not elapsed or not task.completed:
                return Text("", style="progress.data.speed")
            unit = task.fields.get("unit", "")
            return Text(f"{task.completed / elapsed:,.0f} {unit}/s", style="progress.data.speed")

    return _Rate


def RateColumn() -> Any:  # noqa: N802 (a column class, built when rich is imported)
    return _rate_column()()
