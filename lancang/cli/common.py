"""Pieces shared by the commands: lazy command loading, option bundles, error rendering."""

from __future__ import annotations

import contextlib
import functools
import importlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click
from rich.console import Console

from ..corpora.io import command_scope
from ..errors import LancangError


class LazyGroup(click.Group):
    """A group whose commands are imported only when used (keeps ``lancang --help`` fast)."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy_commands:
            mod, _, attr = self.lazy_commands[name].partition(":")
            return getattr(importlib.import_module(mod), attr)
        return super().get_command(ctx, name)


class InputProblem(click.ClickException):
    """An input or usage error: one line on stderr, exit code 2."""

    exit_code = 2


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run the command in an I/O scope (its outputs may not be its inputs; stream inputs can be read
    twice: :func:`lancang.corpora.io.command_scope`) and turn lancang's own errors, and any
    :class:`OSError` that escaped a reader, into one-line click errors (exit 2), never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with command_scope():
                return fn(*args, **kwargs)
        except LancangError as exc:
            raise InputProblem(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise InputProblem(f"{where}{exc.strerror or exc}") from None

    return wrapper


def format_option(*choices: str, default: str = "text") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The shared ``--format`` option."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


@contextlib.contextmanager
def record_progress(label: str, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """A records counter on stderr while work runs, only when stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,} records"),
                  TimeElapsedColumn(), transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.update(task, completed=n)


def key_values(pairs: tuple[str, ...], option: str) -> dict[str, Any]:
    """``KEY=VALUE`` option values as a dict; a value is read as JSON when it parses, else kept as text."""
    import orjson

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputProblem(f"{option} {pair!r} is not KEY=VALUE")
        try:
            out[key] = orjson.loads(value)
        except orjson.JSONDecodeError:
            out[key] = value
    return out
