"""``lancang run``."""

from __future__ import annotations

import sys

import click

from .common import (
    echo_json,
    format_option,
    handle_errors,
    jobs_option,
    progress_option,
    quiet_option,
)


@click.command("run")
@click.argument("pipeline", type=click.Path(dir_okay=False))
@click.option("--executor", default="local", show_default=True, metavar="NAME",
              help="Where shards run: local (a process pool) or dask (a Dask cluster, pip install \"lancang[dask]\").")
@jobs_option(default=None,
             help="Worker processes (local; default: the machine's cores) or LocalCluster workers (dask).")
@click.option("--scheduler", metavar="ADDR", help="Dask scheduler address (tcp://host:8786); default: a LocalCluster.")
@click.option("--resume", is_flag=True, help="Finish the run in the output folder: only unfinished shards run.")
@format_option("text", "json")
@quiet_option
@progress_option
@handle_errors
def run(pipeline: str, executor: str, jobs: int | None, scheduler: str | None, resume: bool, fmt: str,
        quiet: bool, progress: bool | None) -> None:
    """Run a pipeline file: its steps over every shard of its input, on local cores or a Dask cluster.

    The pipeline file (JSON or YAML) names the input(s), the output folder and the steps in order
    (annotate, clean, mask, validate, check, stats, then an optional convert), each with the settings
    its verb takes. Everything is checked before the first record. Each finished shard leaves a
    completion marker, so a run that was killed finishes with --resume, doing only what is left.

    \b
    Examples:
      lancang run pipeline.json
      lancang run pipeline.json --jobs 4 --resume
      lancang run pipeline.json --executor dask --scheduler tcp://10.0.0.5:8786
      lancang run pipeline.json --executor dask --jobs 2 --format json

    Exit codes: 0 done, 1 shards failed or a validate/check step found problems, 2 usage or input error.
    """
    from ..pipeline.progress import Display
    from ..pipeline.run import ShardsFailed, findings, run_pipeline

    with Display(progress, quiet) as display:
        try:
            summary = run_pipeline(pipeline, executor=executor, jobs=jobs, scheduler=scheduler, resume=resume,
                                   display=display)
        except ShardsFailed as exc:
            click.echo(f"Error: {exc}", err=True)
            for i, why in sorted(exc.failed.items()):
                click.echo(f"  shard {i:06d}: {why}", err=True)
            sys.exit(1)
    if fmt == "json":
        echo_json(summary)
    else:
        click.echo(f"{pipeline} -> {summary['output']}: {summary['shards']} shards ({summary['shards_resumed']} "
                   f"already done), {summary['seconds']:.1f} s", err=True)
        for i, s in enumerate(summary["steps"]):
            click.echo(f"  {i:>2} {s['step']:<9} in {s['in']:>10,}  out {s['out']:>10,}  rejected "
                       f"{s['rejected']:>8,}  {s['seconds']:8.1f} s", err=True)
    problems = findings(summary)
    for p in problems:
        click.echo(f"  {p}", err=True)
    if problems:
        sys.exit(1)

