"""Generate ``docs/cli.md`` from the commands' ``--help`` (``python -m lancang.cli.docgen docs/cli.md``).

A test regenerates it and fails when the committed file is stale.
"""

from __future__ import annotations

import sys

import click

from . import main

WIDTH = 100


def _help(cmd: click.Command, name: str, parent: click.Context | None = None) -> str:
    ctx = click.Context(cmd, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH,
                        **cmd.context_settings)
    return cmd.get_help(ctx)


def render() -> str:
    root = click.Context(main, info_name="lancang", terminal_width=WIDTH, max_content_width=WIDTH,
                         **main.context_settings)
    parts = ["# lancang command line", "",
             "Generated from the commands' `--help` by `python -m lancang.cli.docgen docs/cli.md`; "
             "a test fails when this file is stale.", "",
             "## lancang", "", "```text", _help(main, "lancang"), "```", ""]
    for name in main.list_commands(root):
        cmd = main.get_command(root, name)
        assert cmd is not None
        parts += [f"## lancang {name}", "", "```text", _help(cmd, name, root), "```", ""]
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd, info_name=name, parent=root, **cmd.context_settings)
            for sub in cmd.list_commands(ctx):
                subcmd = cmd.get_command(ctx, sub)
                assert subcmd is not None
                parts += [f"### lancang {name} {sub}", "", "```text", _help(subcmd, sub, ctx), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    text = render()
    if len(sys.argv) > 1:
        from ..corpora.jsonl import atomic_output

        with atomic_output(sys.argv[1], "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
