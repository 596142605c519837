"""Pieces shared by the commands: lazy command loading, option bundles, error rendering."""

from __future__ import annotations

import contextlib
import functools
import importlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

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
        except BrokenPipeError:  # the reader of stdout went away (`| head`): click exits quietly
            raise
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise InputProblem(f"{where}{exc.strerror or exc}") from None

    return wrapper


def format_option(*choices: str, default: str = "text") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The shared ``--format`` option."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


def transcript_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--units`` and ``--normalize`` of the transcript layer (evaluate, agree): WER/CER units and the text
    normalisation before scoring (:mod:`lancang.quality.wer`); the normalisation arrives as a tuple of steps."""
    from ..errors import UsageError
    from ..quality.wer import NORMALIZERS, UNITS, parse_normalize

    def steps(_ctx: Any, _param: Any, value: str) -> tuple[str, ...]:
        try:
            return parse_normalize(value)
        except UsageError as exc:
            raise click.BadParameter(str(exc)) from None

    fn = click.option("--normalize", metavar="STEPS", default="none", show_default=True, callback=steps,
                      help=f"transcript: text normalisation before scoring, recorded in the metrics: none, all, or "
                           f"a comma-separated list of {', '.join(NORMALIZERS)} (t2s: Traditional to Simplified "
                           "Chinese, lancang[zh]; width: full-width ASCII forms to ASCII; case: lower case; punct: "
                           "remove punctuation).")(fn)
    return click.option("--units", type=click.Choice(UNITS), default="auto", show_default=True,
                        help="transcript: the unit of the error rate: characters for zh/ja/ko/th/km/lo/my and words "
                             "elsewhere (auto), characters, words (th/km/lo/my cut by lancang's default "
                             "segmenter), or mixed (characters of those scripts, other runs such as English words "
                             "whole: the MER of code-switched speech, sclite's -c NOASCII).")(fn)


@contextlib.contextmanager
def record_progress(label: str, enabled: bool | None, quiet: bool = False) -> Iterator[Callable[..., None] | None]:
    """A records counter on stderr while work runs, with its rate (and the time left when the total is
    known): :class:`lancang.pipeline.progress.Display`, shown on a terminal unless ``quiet``, forced by
    ``--progress`` (``enabled`` True), hidden by ``--no-progress``."""
    from ..pipeline.progress import Display

    with Display(enabled, quiet) as display:
        yield display.task(label)


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


# --------------------------------------------------------------------------------- the vocabulary
# One spelling per concept on every verb (docs/decisions.md, "One option vocabulary"): --from input
# format, --format output format, -o/--output output file, --src/--tgt language tags, -I/-O reader and
# writer options, --progress/--no-progress, -q/--quiet. Old spellings are hidden aliases for one release.

def _merge_alias(kwargs: dict[str, Any], new: str, old: str, flag: str, old_flag: str) -> None:
    value = kwargs.pop(old, None)
    if value in (None, ()):
        return
    if kwargs.get(new) not in (None, ()) and kwargs[new] != value:
        raise InputProblem(f"{old_flag} is the old spelling of {flag}; give one of them")
    kwargs[new] = value


def aliased(fn: Callable[..., Any], aliases: list[tuple[str, str, str, str]]) -> Callable[..., Any]:
    """Wrap a command callback so hidden old options fill the new ones: (new, old, --new, --old)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for new, old, flag, old_flag in aliases:
            _merge_alias(kwargs, new, old, flag, old_flag)
        return fn(*args, **kwargs)

    return wrapper


def old_spelling(old_flag: str, new: str, flag: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A hidden option ``old_flag`` that fills the parameter ``new`` of the option ``flag`` (see :func:`aliased`)."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        key = f"_old_{new}"
        return click.option(old_flag, key, hidden=True)(aliased(fn, [(new, key, flag, old_flag)]))

    return deco


def input_options(*, lang_help: str = "BCP 47 tag of the source side (formats that do not name their languages).",
                  tgt: bool = True, old_from: tuple[str, ...] = (), old_src: tuple[str, ...] = ()
                  ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--from FORMAT``, ``-I KEY=VALUE``, ``--src``/``--tgt``; the callback gets ``reading`` (a :class:`Reading`)."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for i, old in enumerate(old_from):
                _merge_alias(kwargs, "from_format", f"_old_from{i}", "--from", old)
            for i, old in enumerate(old_src):
                _merge_alias(kwargs, "src", f"_old_src{i}", "--src", old)
            kwargs["reading"] = Reading(kwargs.pop("from_format"), kwargs.pop("src"), kwargs.pop("tgt", None),
                                        key_values(kwargs.pop("in_options"), "-I"))
            return fn(*args, **kwargs)

        opts = [click.option("--from", "from_format", metavar="FORMAT",
                             help="Input format (default: from the file name, then its content; `lancang formats`)."),
                click.option("-I", "--in-option", "in_options", multiple=True, metavar="KEY=VALUE",
                             help="Reader option of the input format (`lancang formats` lists them); "
                                  "value read as JSON if it parses."),
                click.option("--src", metavar="LANG", help=lang_help)]
        if tgt:
            opts.append(click.option("--tgt", metavar="LANG", help="BCP 47 tag of the target side."))
        opts += [click.option(old, f"_old_from{i}", hidden=True) for i, old in enumerate(old_from)]
        opts += [click.option(old, f"_old_src{i}", hidden=True) for i, old in enumerate(old_src)]
        out = wrapper
        for opt in reversed(opts):
            out = opt(out)
        return out

    return deco


class Reading:
    """How a verb reads its corpus inputs: format, languages and reader options, for the hub."""

    def __init__(self, fmt: str | None = None, src: str | None = None, tgt: str | None = None,
                 options: dict[str, Any] | None = None):
        self.fmt, self.src, self.tgt = fmt, src, tgt
        self.options = dict(options or {})

    @property
    def langs(self) -> list[str] | None:
        langs = [x for x in (self.src, self.tgt) if x]
        return langs or None

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments every library function that reads a corpus takes."""
        return {"fmt": self.fmt, "langs": self.langs, "options": self.options}


def output_option(*, required: bool = False, help: str = "Output file (`-` for standard output).",
                  file_okay: bool = True, dir_okay: bool = False,
                  old: tuple[str, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o/--output PATH`` (hidden old spellings such as ``--out`` fill it)."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        merged = aliased(fn, [("output", f"_old_out{i}", "--output", o) for i, o in enumerate(old)])

        @functools.wraps(fn)
        def out(*args: Any, **kwargs: Any) -> Any:
            if (required and kwargs.get("output") is None
                    and not any(kwargs.get(f"_old_out{i}") for i in range(len(old)))):
                raise click.UsageError("Missing option '-o' / '--output'.")
            return merged(*args, **kwargs)

        for i, o in enumerate(old):
            out = click.option(o, f"_old_out{i}", hidden=True, type=click.Path(file_okay=file_okay,
                                                                              dir_okay=dir_okay))(out)
        return click.option("-o", "--output", help=help + (" Required." if required else ""),
                            type=click.Path(file_okay=file_okay, dir_okay=dir_okay, allow_dash=file_okay))(out)

    return deco


def parse_settings(items: tuple[str, ...], config_file: str | None, kind: str = "annotator",
                   switches: bool = False) -> dict[str, Any]:
    """``--config FILE`` (``{"jieba": {"hmm": false}}``) overlaid with ``--set jieba.hmm=false``: plug-in
    name -> configuration object. With ``switches``, ``--set NAME=false`` (or ``true``) turns a plug-in
    off (or on with its defaults), and the file may say ``"name": false``."""
    import json
    from pathlib import Path

    from ..errors import InputError, UsageError

    config: dict[str, Any] = {}
    if config_file:
        try:
            doc = json.loads(Path(config_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{config_file}: cannot read {kind} configuration: {exc}") from None
        ok = isinstance(doc, dict) and all(isinstance(v, dict) or (switches and isinstance(v, bool))
                                           for v in doc.values())
        if not ok:
            what = "a configuration object" + (" or true/false" if switches else "")
            raise InputError(f"{config_file}: expected an object of {kind} name -> {what}")
        config = {k: dict(v) if isinstance(v, dict) else v for k, v in doc.items()}
    for item in items:
        key, sep, raw = item.partition("=")
        name, dot, opt = key.partition(".")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        if switches and sep and name and not dot and isinstance(value, bool):
            config[name] = value if value is False or not isinstance(config.get(name), dict) else config[name]
            continue
        if not sep or not dot or not name or not opt:
            example = "jieba.hmm=false" if kind == "annotator" else "length-ratio.k=4 or langid=false"
            raise UsageError(f"--set expects {kind.upper()}.KEY=VALUE (e.g. {example}), got {item!r}")
        current = config.get(name)
        config[name] = (dict(current) if isinstance(current, dict) else {})
        config[name][opt] = value
    return config


def json_bytes(doc: Any) -> bytes:
    """A JSON document as every command prints or writes it: indented, one final newline."""
    import orjson

    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def echo_json(doc: Any) -> None:
    """Print a JSON document on standard output (``--format json``)."""
    sys.stdout.buffer.write(json_bytes(doc))


def out_options_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``-O/--out-option KEY=VALUE``: writer options of the output corpus's format (the callback gets
    ``out_options``; :func:`key_values` reads them)."""
    return click.option("-O", "--out-option", "out_options", multiple=True, metavar="KEY=VALUE",
                        help="Writer option of the output's format (`lancang formats` lists them); value read as "
                             "JSON if it parses.")(fn)


def corpus_format_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--format FORMAT``: the output corpus's format, for verbs whose output is a corpus (``out_format``)."""
    return click.option("--format", "out_format", metavar="FORMAT",
                        help="Output format (default: from the output's name, else lancang JSONL).")(fn)


def manifest_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--manifest M``: the manifest whose processing log gets this command's step."""
    return click.option("--manifest", type=click.Path(dir_okay=False), metavar="MANIFEST",
                        help="Append this step (kind, tool, settings, counts, input and output sha256) to the "
                             "processing log of this manifest (`lancang manifest init` makes one).")(fn)


def progress_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--progress/--no-progress", default=None,
                        help="Progress on stderr with rate and time left (default: shown on a terminal, not with "
                             "--quiet; --progress forces it, --no-progress hides it).")(fn)


def jobs_option(default: int | None = 1, help: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--jobs N``: worker processes (the ``local`` executor's pool, :mod:`lancang.pipeline.oneoff`)."""
    return click.option("--jobs", type=click.IntRange(1), default=default, show_default=default is not None,
                        metavar="N", help=help or "Worker processes: a lancang JSONL input is cut into line ranges "
                        "worked on in parallel (other formats and stdin run in one process); the output is the "
                        "same for any N.")


def quiet_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("-q", "--quiet", is_flag=True, help="Print only the summary (no per-item lines).")(fn)
