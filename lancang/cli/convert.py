"""``lancang convert`` and ``lancang formats``."""

from __future__ import annotations

from typing import Any

import click
import orjson

from ..corpora.convert import convert as run_convert
from ..corpora.formats import FEATURES, all_formats, labelstudio
from .common import (
    Reading,
    echo_json,
    format_option,
    handle_errors,
    input_options,
    key_values,
    manifest_option,
    old_spelling,
)


@click.command()
@click.argument("source", type=click.Path(allow_dash=True))
@click.argument("target", type=click.Path(allow_dash=True))
@input_options()
@click.option("--format", "to_format", metavar="FORMAT", help="Output format (default: from TARGET's name).")
@old_spelling("--to", "to_format", "--format")
@click.option("-O", "--out-option", "out_options", multiple=True, metavar="KEY=VALUE",
              help="Writer option of the output format (e.g. scheme=bioes; `lancang formats` lists them).")
@click.option("--allow-loss", is_flag=True, help="Convert even when the target cannot hold everything (counted).")
@click.option("--config-out", type=click.Path(dir_okay=False),
              help="With Label Studio output: also write the labelling configuration (XML) of the tasks written.")
@manifest_option
@handle_errors
def convert(source: str, target: str, reading: Reading, to_format: str | None, out_options: tuple[str, ...],
            allow_loss: bool, config_out: str | None, manifest: str | None) -> None:
    """Convert a corpus between formats through lancang's canonical records.

    Streams record by record and writes atomically. When the target format cannot hold something the
    records carry (entities in plain text, a third language in a bitext format, ...), nothing is
    written and the error names the record and what would be lost, unless --allow-loss.

    \b
    Examples:
      lancang convert corpus.jsonl corpus.txt --src zh-Hans --allow-loss
      lancang convert lines.txt corpus.jsonl --src th
      lancang convert ner.conll ner.jsonl --src id -I scheme=iob2
      lancang convert corpus.jsonl - --format tmx
      lancang convert machine.jsonl tasks.ls.json --config-out config.xml
      lancang formats
    """
    if config_out is not None:
        labelstudio.check_config_out(target, to_format, config_out)
    rep = run_convert(source, target, from_format=reading.fmt, to_format=to_format, langs=reading.langs,
                      allow_loss=allow_loss, read_options=reading.options,
                      write_options=key_values(out_options, "-O"), manifest=manifest)
    lost = ", ".join(f"{k} in {v} records" for k, v in sorted(rep.lost.items()))
    click.echo(f"{source} ({rep.source}) -> {target} ({rep.target}): {rep.records} records"
               + (f"; not carried: {lost}" if lost else ""), err=True)
    if config_out is not None:
        labelstudio.write_config(target, config_out)


@click.command()
@format_option("text", "json")
def formats(fmt: str) -> None:
    """List the formats lancang reads and writes, and what each can carry.

    \b
    Examples:
      lancang formats
      lancang formats --format json
    """
    rows = all_formats()
    if fmt == "json":
        doc = [{"name": f.name, "description": f.description, "extensions": list(f.extensions),
                "read": f.read is not None, "write": f.write is not None, "max_sides": f.max_sides,
                "carries": sorted(f.carries), "read_options": _options_json(f.read_options),
                "write_options": _options_json(f.write_options)} for f in rows]
        echo_json(doc)
        return
    for f in rows:
        rw = ("r" if f.read else "-") + ("w" if f.write else "-")
        sides = {None: "n sides", 1: "1 side", 2: "2 sides"}.get(f.max_sides, f"{f.max_sides} sides")
        click.echo(f"{f.name:<14} {rw}  {', '.join(f.extensions):<22} {sides:<8} {f.description}")
        carries = sorted(f.carries) if f.carries != frozenset(FEATURES) else ["everything"]
        click.echo(f"{'':<18}carries: {', '.join(carries) or 'text only'}")
        for role, flag, declared in (("reader", "-I", f.read_options), ("writer", "-O", f.write_options)):
            for key, opt in sorted((declared or {}).items()):
                choices = f" [{'|'.join(map(_shown, opt.choices))}]" if opt.choices else ""
                click.echo(f"{'':<18}{flag} {key}={_shown(opt.default)}{choices}  ({role}) {opt.help}")


def _shown(value: Any) -> str:
    """An option value as typed after ``-I KEY=`` (JSON for non-strings; nothing for None)."""
    return "" if value is None else value if isinstance(value, str) else orjson.dumps(value).decode()


def _options_json(declared: dict[str, Any] | None) -> dict[str, Any] | None:
    """A format's declared options as JSON (None = not declared)."""
    if declared is None:
        return None
    return {k: {"default": o.default, "help": o.help, "choices": None if o.choices is None else list(o.choices)}
            for k, o in sorted(declared.items())}

