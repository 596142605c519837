"""Executors: where the shards of a run are worked on (a registry: ``local``, ``dask``; third parties
add theirs under the ``lancang.executors`` entry point group).

An executor is a callable ``(plan, shards, *, jobs, scheduler, on_result) -> {shard index: reason}``
that runs :func:`lancang.pipeline.worker.run_shard` on every shard, calls ``on_result`` with each
finished shard's result, retries a shard whose worker failed (``plan["retries"]`` times) and returns
the shards that failed for good with their reasons. A shard that fails on its input (a lancang
error: a bad record, a changed input) is not retried: it would fail the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from ..registry import Registry

EXECUTORS = Registry("executor", "lancang.executors", {
    "local": "lancang.pipeline.executors:run_local",
    "dask": "lancang.pipeline.executors:run_dask",
})
SCHEDULER_TIMEOUT = 10.0

Result = dict[str, Any]


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def run_local(plan: dict[str, Any], shards: list[dict[str, Any]], *, jobs: int | None = None,
              scheduler: str | None = None, on_result: Callable[[Result], None]) -> dict[int, str]:
    """A pool of ``jobs`` worker processes (default: the machine's cores)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    from .worker import run_shard

    jobs = jobs or os.cpu_count() or 1
    pending = list(shards)
    tries: dict[int, int] = {}
    failed: dict[int, str] = {}
    while pending:
        batch, pending = pending, []
        with ProcessPoolExecutor(max_workers=min(jobs, len(batch))) as pool:
            futures = {pool.submit(run_shard, plan, s): s for s in batch}
            for fut in as_completed(futures):
                s = futures[fut]
                try:
                    res = fut.result()
                except BaseException as exc:  # the worker died or the shard crashed
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    tries[s["index"]] = tries.get(s["index"], 0) + 1
                    if tries[s["index"]] > plan["retries"]:
                        why = "its worker died" if isinstance(exc, BrokenProcessPool) else _reason(exc)
                        failed[s["index"]] = f"{why} (tried {tries[s['index']]} times)"
                    else:
                        pending.append(s)
                    continue
                if res.get("error"):
                    failed[s["index"]] = res["error"]
                else:
                    on_result(res)
        pending.sort(key=lambda s: s["index"])
    return failed


def run_dask(plan: dict[str, Any], shards: list[dict[str, Any]], *, jobs: int | None = None,
             scheduler: str | None = None, on_result: Callable[[Result], None],
             processes: bool = True, timeout: float = SCHEDULER_TIMEOUT) -> dict[int, str]:
    """A Dask cluster: the scheduler at ``scheduler`` (``tcp://host:8786``), or a LocalCluster of ``jobs``
    single-threaded workers when none is given. A scheduler that does not answer within ``timeout``
    seconds is a usage error."""
    from ..registry import require_modules

    require_modules("executor", "dask", ["dask", "distributed"], "dask")
    import contextlib

    from distributed import Client, LocalCluster, as_completed

    from .worker import run_shard

    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(Client(scheduler, timeout=timeout))
            except (OSError, TimeoutError) as exc:
                raise UsageError(f"--scheduler {scheduler}: no Dask scheduler answered within {timeout:g} s "
                                 f"({_reason(exc)})") from None
        else:
            cluster = stack.enter_context(LocalCluster(n_workers=jobs or os.cpu_count() or 1, threads_per_worker=1,
                                                       processes=processes, dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        run_id = plan["sha256"][:12]
        futures = {client.submit(run_shard, plan, s, key=f"lancang-{run_id}-{s['index']:06d}", pure=False,
                                 retries=plan["retries"]): s for s in shards}
        failed: dict[int, str] = {}
        for fut in as_completed(list(futures)):
            s = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:
                failed[s["index"]] = f"{_reason(exc)} (tried {plan['retries'] + 1} times)"
                continue
            if res.get("error"):
                failed[s["index"]] = res["error"]
            else:
                on_result(res)
        return failed
