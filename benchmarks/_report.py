"""Shared by the benchmark scripts: run a command as a child and measure it; write a section of
docs/benchmarks.md between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path


def measure(cmd: Sequence[str]) -> tuple[float, float, int, bytes]:
    """Wall seconds, the child's peak RSS in MiB (``os.wait4``), its exit code and its output."""
    wall, _, rss, code, data = measure_cpu(cmd)
    return wall, rss, code, data


def measure_cpu(cmd: Sequence[str]) -> tuple[float, float, float, int, bytes]:
    """Like :func:`measure`, with the child's CPU seconds (user + system) second: on a shared
    machine a rate per core is records over CPU seconds, which other loads do not distort."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        data = out.read()
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), data


def replace_section(path: Path, name: str, lines: Sequence[str]) -> None:
    """Put ``lines`` between the section's markers in ``path`` (appending the section if it is new)."""
    write_block(path, name, "\n".join([f"<!-- {name}:start -->", *lines, "", f"<!-- {name}:end -->"]))


def write_block(path: Path, name: str, block: str) -> None:
    """Replace the section ``name`` of ``path`` with ``block`` (which carries its own markers)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def lancang_version() -> str:
    """``lancang X (commit abc1234)``: the commit from ``LANCANG_COMMIT`` (set it when the code run
    is a snapshot on PYTHONPATH) or the repository's HEAD, ``+`` when lancang/ has uncommitted changes."""
    from importlib import metadata

    root = Path(__file__).resolve().parents[1]
    commit = os.environ.get("LANCANG_COMMIT")
    if not commit:
        try:
            commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                                    text=True, check=True).stdout.strip()
            dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "lancang"],
                                   capture_output=True, text=True).stdout.strip()
            commit += "+" if dirty else ""
        except (OSError, subprocess.CalledProcessError):
            commit = "unknown"
    return f"lancang {metadata.version('lancang')} (commit {commit})"


def para(text: str) -> str:
    """A paragraph written across source lines, as one markdown line."""
    return " ".join(text.split())
