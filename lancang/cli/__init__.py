"""The ``lancang`` command line: thin click commands that parse, call the library and render."""

from __future__ import annotations

import click

from .. import __version__
from .common import LazyGroup

COMMANDS = {
    "validate": "lancang.cli.validate:validate",
    "stats": "lancang.cli.stats:stats",
    "sample": "lancang.cli.quality:sample",
    "inspect": "lancang.cli.quality:inspect",
    "agree": "lancang.cli.quality:agree",
    "demo": "lancang.cli.demo:demo",
    "align": "lancang.cli.align:align",
    "check": "lancang.cli.check:check",
    "profiles": "lancang.cli.check:profiles",
    "convert": "lancang.cli.convert:convert",
    "formats": "lancang.cli.convert:formats",
    "annotate": "lancang.cli.annotate:annotate",
    "annotators": "lancang.cli.annotate:annotators",
    "evaluate": "lancang.cli.evaluate:evaluate",
    "train": "lancang.cli.train:train",
    "clean": "lancang.cli.clean:clean",
    "filters": "lancang.cli.clean:filters",
    "manifest": "lancang.cli.manifest:manifest",
    "mask": "lancang.cli.mask:mask",
    "detectors": "lancang.cli.mask:detectors",
    "merge": "lancang.cli.merge:merge",
    "project": "lancang.cli.project:project",
    "run": "lancang.cli.run:run",
    "index": "lancang.cli.index:index",
    "search": "lancang.cli.search:search",
    "serve": "lancang.cli.serve:serve",
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="lancang")
def main() -> None:
    """lancang: annotate, align, check and convert multilingual corpora (Chinese and ASEAN languages first).

    \b
    Examples:
      lancang demo                          run the whole job on the bundled sample
      lancang validate corpus.jsonl manifest.json
      lancang stats corpus.jsonl --format json
      lancang convert memory.tmx corpus.jsonl
      lancang annotate corpus.jsonl segmented.jsonl --layers tokens,sentences
      lancang align segmented.jsonl aligned.jsonl --sentences
      lancang check aligned.jsonl --manifest manifest.json -p gb-t-40035-2021 --format html -o report.html

    Exit codes: 0 success or conformant, 1 findings (not valid / not conformant), 2 usage or input error.
    """
