"""File I/O of every verb: one input layer (:func:`open_input`) and one output layer (:func:`atomic_output`).

Rules (docs/decisions.md, "Files: one input layer, one output layer"):

- **Outputs.** A regular file is written to a temporary file next to it and renamed over it only when
  the whole output is written; the file keeps its mode and (where the system allows) its owner. A
  symbolic link is written through: its existing target is replaced and the link stays a link; a
  dangling link is refused. Character devices (``/dev/null``), FIFOs, sockets, the names of open
  files (``/dev/stdout``, ``/dev/fd/3``, ``/proc/self/fd/1``) and ``-`` (stdout) are written
  directly, never replaced; a block device is refused. A pending temporary file is removed on SIGTERM, SIGINT and
  SIGHUP. Every :class:`OSError` becomes an :class:`~lancang.errors.OutputError` naming the path.
- **Inputs.** ``-`` is stdin, ``.gz`` (by name or magic bytes) is gunzipped, pipes and FIFOs are read
  as streams. An input that cannot be opened is an :class:`~lancang.errors.InputError` saying why
  (``permission denied``, ``no such file``, ``is a directory``).
- **Command scope.** The CLI runs every verb inside :func:`command_scope`. In a scope every regular
  file opened by :func:`open_input` is remembered by inode, and an output that is the same file as
  any of them is refused (before it is opened when the input was read first, else before the rename,
  so the input is never touched): no verb can forget the check. A non-seekable input (stdin, a
  pipe, a FIFO) is copied to a temporary file as it is read, so reading it again in the same scope
  (format detection, a counting pass, a second check) replays the same bytes.
- **Read-modify-write** files (a switching history, a manifest a verb appends to) are locked when
  first read (:func:`hold_lock`: an exclusive ``flock`` on a sidecar ``<file>.lock``, held to the end
  of the command; :func:`locked` outside the CLI) and written with ``atomic_output(path, update=True)``,
  the one way to replace a file the command also read.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import functools
import gzip
import io
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, Union

from ..errors import InputError, OutputError, UsageError

PathLike = Union[str, "os.PathLike[str]"]

_CHUNK = 1 << 20


def is_stdio(path: PathLike) -> bool:
    return str(path) == "-"


# ----------------------------------------------------------------------------- temporary files

#: Temporary files being written, with the id of the process that owns them (a forked worker that
#: gets a signal must not remove its parent's files).
_pending: dict[str, int] = {}
_handlers_installed = False
_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGTERM", "SIGINT", "SIGHUP")) if s is not None)


def _remove_pending() -> None:
    pid = os.getpid()
    for tmp, owner in list(_pending.items()):
        if owner == pid:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            _pending.pop(tmp, None)


def _on_signal(signum: int, frame: Any, previous: Any = None) -> None:
    _remove_pending()
    if previous is signal.default_int_handler:
        previous(signum, frame)  # KeyboardInterrupt, as without lancang's handler
        return
    signal.signal(signum, signal.SIG_DFL)  # then die of the signal, as without the handler
    os.kill(os.getpid(), signum)


def _install_handlers() -> None:
    """Remove pending temporary files on SIGTERM/SIGINT/SIGHUP, then behave as before (installed once,
    only over the default handlers, only from the main thread)."""
    global _handlers_installed
    if _handlers_installed or threading.current_thread() is not threading.main_thread():
        return
    for sig in _SIGNALS:
        previous = signal.getsignal(sig)
        if previous in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(sig, functools.partial(_on_signal, previous=previous))
    _handlers_installed = True


def _track(tmp: str) -> None:
    _install_handlers()
    _pending[tmp] = os.getpid()


def _untrack(tmp: str) -> None:
    _pending.pop(tmp, None)


# ---------------------------------------------------------------------------------- the scope

class _Replay:
    """A non-seekable input copied to a temporary file as it is read, so it can be read again."""

    def __init__(self, live: BinaryIO, owned: bool):
        self.live, self.owned = live, owned
        self.read_live = getattr(live, "read1", live.read)
        fd, self.path = tempfile.mkstemp(prefix="lancang-input-", suffix=".tmp")
        _track(self.path)
        self.fd = fd
        self.size = 0
        self.eof = False

    def read_at(self, pos: int, n: int) -> bytes:
        if pos < self.size:
            return os.pread(self.fd, min(n, self.size - pos), pos)
        if self.eof:
            return b""
        data = self.read_live(n)
        if not data:
            self.eof = True
            return b""
        view = memoryview(data)
        while view:
            view = view[os.pwrite(self.fd, view, self.size + len(data) - len(view)):]
        self.size += len(data)
        return data

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        _untrack(self.path)
        if self.owned:
            with contextlib.suppress(OSError):
                self.live.close()


class _ReplayReader(io.RawIOBase):
    def __init__(self, replay: _Replay):
        self.replay, self.pos = replay, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.replay.read_at(self.pos, len(b))
        b[: len(data)] = data
        self.pos += len(data)
        return len(data)


class Scope:
    """What one command has read: regular inputs by inode, and replayable copies of streams."""

    def __init__(self) -> None:
        self.inputs: dict[tuple[int, int], str] = {}
        self.replays: dict[Any, _Replay] = {}
        self.locks: dict[str, int] = {}  # real path -> fd of its flocked sidecar

    def close(self) -> None:
        for r in self.replays.values():
            r.close()
        self.replays.clear()
        for fd in self.locks.values():
            with contextlib.suppress(OSError):
                os.close(fd)  # closing releases the lock
        self.locks.clear()


_SCOPE: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("lancang_io_scope", default=None)


@contextlib.contextmanager
def command_scope() -> Iterator[Scope]:
    """Run one command: its outputs may not be its inputs, and its stream inputs can be read again."""
    current = _SCOPE.get()
    if current is not None:
        yield current
        return
    scope = Scope()
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)
        scope.close()


def _regular_file_id(path: PathLike | None) -> tuple[int, int] | None:
    """(device, inode) of a regular file; None for stdio, anything else, or what cannot be stat'ed."""
    if path is None or is_stdio(path):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def register_input(path: PathLike) -> None:
    """Remember a regular file this command reads (readers that do not go through :func:`open_input`)."""
    scope = _SCOPE.get()
    if scope is None:
        return
    key = _regular_file_id(path)
    if key is not None:
        scope.inputs.setdefault(key, str(path))


def _same_file_message(out: PathLike, inp: str) -> str:
    return f"{out}: is the same file as the input {inp}; write to another file"


def guard_outputs(inputs: Iterable[PathLike | None], outputs: Iterable[PathLike | None]) -> None:
    """Raise :class:`UsageError` if an output is, by device and inode, one of the inputs."""
    seen: dict[tuple[int, int], str] = {}
    for p in inputs:
        key = _regular_file_id(p)
        if key is not None:
            seen.setdefault(key, str(p))
    for out in outputs:
        if out is None or is_stdio(out):
            continue
        try:
            st = os.stat(out)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            raise UsageError(_same_file_message(out, seen[(st.st_dev, st.st_ino)]))


def _check_not_input(out: PathLike, st: os.stat_result | None) -> None:
    scope = _SCOPE.get()
    if scope is None or st is None or not stat.S_ISREG(st.st_mode):
        return
    inp = scope.inputs.get((st.st_dev, st.st_ino))
    if inp is not None:
        raise UsageError(_same_file_message(out, inp))


# ------------------------------------------------------------------------------------- reading

def _open_error(path: PathLike, exc: OSError) -> InputError:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputError(f"{path}: cannot read: permission denied")
    if exc.errno == errno.ENOENT:
        return InputError(f"{path}: no such file")
    if exc.errno == errno.EISDIR:
        return InputError(f"{path}: is a directory, not a file")
    return InputError(f"{path}: cannot read: {exc.strerror or exc}")


def _stream_key(path: PathLike) -> Any:
    """The identity of a non-seekable input (stdin, a pipe, a FIFO), or None for anything seekable."""
    if is_stdio(path):
        return ("stdin", id(sys.stdin))
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _open_error(path, exc) from None
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode):
        return (st.st_dev, st.st_ino)
    return None


def _buffered(raw: Any) -> BinaryIO:
    return raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[return-value]


@contextlib.contextmanager
def open_input(path: PathLike, decompress: bool = True) -> Iterator[BinaryIO]:
    """Open an input for binary reading: ``-`` is stdin; ``.gz`` (by name or magic bytes) is gunzipped
    (unless ``decompress`` is false); pipes and FIFOs are streamed (and replayable in a scope)."""
    scope = _SCOPE.get()
    key = _stream_key(path)
    owned: Any = None
    if key is not None and scope is not None:
        replay = scope.replays.get(key)
        if replay is None:
            if is_stdio(path):
                live: BinaryIO = sys.stdin.buffer
            else:
                try:
                    live = open(path, "rb", buffering=0)  # noqa: SIM115 - closed with the scope
                except OSError as exc:
                    raise _open_error(path, exc) from None
            replay = scope.replays[key] = _Replay(live, owned=not is_stdio(path))
        stream = io.BufferedReader(_ReplayReader(replay), _CHUNK)
    elif is_stdio(path):
        stream = _buffered(sys.stdin.buffer)
    else:
        try:
            owned = stream = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise _open_error(path, exc) from None
        if scope is not None:
            st = os.fstat(stream.fileno())
            if stat.S_ISREG(st.st_mode):
                scope.inputs.setdefault((st.st_dev, st.st_ino), str(path))
    try:
        try:
            magic = stream.peek(2)[:2]
        except OSError as exc:
            raise _open_error(path, exc) from None
        if decompress and (magic == b"\x1f\x8b" or (not is_stdio(path) and str(path).endswith(".gz"))):
            with gzip.GzipFile(fileobj=stream) as gz:
                yield gz  # type: ignore[misc]
        else:
            yield stream
    finally:
        if owned is not None:
            owned.close()


# ------------------------------------------------------------------------------------- writing

def _write_error(path: PathLike, exc: OSError) -> OutputError:
    why = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM):
        why = "permission denied"
    return OutputError(f"{path}: cannot write: {why}")


class _OutFile(io.FileIO):
    """A file whose write errors (a full disk, a size limit) name the output; after a failure it
    discards what the layers above still flush (``discard``)."""

    def __init__(self, file: Any, mode: str, name: PathLike):
        super().__init__(file, mode)
        self._target = name
        self.discard = False

    def write(self, b: Any) -> int:  # type: ignore[override]
        if self.discard:
            return memoryview(b).nbytes
        try:
            return super().write(b)  # type: ignore[return-value]
        except OSError as exc:
            raise _write_error(self._target, exc) from None


#: names of a process's open files (``/dev/stdout``, ``/dev/fd/3``, ``/proc/self/fd/1``): their "links"
#: name pipes and terminals as often as files, so they are opened, never resolved and replaced.
_OPEN_FILE_NAMES = ("/dev/fd/", "/dev/stdout", "/dev/stderr", "/proc/")


def _names_an_open_file(given: Path) -> bool:
    return os.path.abspath(given).startswith(_OPEN_FILE_NAMES)


def _resolve_output(target: Path) -> tuple[Path, os.stat_result | None]:
    """The file to write for ``target`` (a link's target) and its status (None if it does not exist)."""
    try:
        lst = os.lstat(target)
    except FileNotFoundError:
        return target, None
    except OSError as exc:
        raise _write_error(target, exc) from None
    if not stat.S_ISLNK(lst.st_mode):
        return target, lst
    real = Path(os.path.realpath(target))
    try:
        return real, os.stat(real)
    except FileNotFoundError:
        raise OutputError(f"{target}: is a symbolic link to {os.readlink(target)}, which does not exist; "
                          "lancang writes through a link only to an existing file") from None
    except OSError as exc:
        raise _write_error(target, exc) from None


@contextlib.contextmanager
def atomic_output(path: PathLike, mode: str = "wb", encoding: str = "utf-8", *,
                  update: bool = False) -> Iterator[IO[Any]]:
    """Open ``path`` for writing by the rules of this module (see the module docstring).

    ``-`` writes to stdout. A ``.gz`` name is gzip-compressed. On an exception the temporary file is
    removed and the target is left as it was. ``update=True`` is for read-modify-write files: the
    output may be a file the command has read.
    """
    binary = "b" in mode
    if is_stdio(path):
        out = sys.stdout.buffer if binary else sys.stdout
        yield out
        out.flush()
        return
    given = Path(path)
    gz = given.name.endswith(".gz")
    if _names_an_open_file(given):
        yield from _write_direct(given, binary, encoding, gz)
        return
    real, st = _resolve_output(given)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{given}: is a directory; give a file name to write")
    if st is not None and stat.S_ISBLK(st.st_mode):
        raise OutputError(f"{given}: is a block device; lancang writes files, character devices and pipes")
    gz = gz or real.name.endswith(".gz")
    if st is not None and not stat.S_ISREG(st.st_mode):  # a character device, a FIFO, a socket
        yield from _write_direct(given, binary, encoding, gz)
        return
    if not update:
        _check_not_input(given, st)
    parent = real.parent if str(real.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{parent}: output folder does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name[:64]}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise _write_error(given if exc.errno == errno.ENAMETOOLONG else parent, exc) from None
    _track(tmp)
    raw: _OutFile | None = None
    done = False
    try:
        raw = _OutFile(fd, "wb", given)
        yield from _write_stream(raw, binary, encoding, gz, given)
        try:
            os.fsync(fd)
            _keep_mode_and_owner(tmp, st)
            raw.close()
        except OSError as exc:
            raise _write_error(given, exc) from None
        if not update:
            with contextlib.suppress(FileNotFoundError):
                _check_not_input(given, os.stat(real))
        try:
            os.replace(tmp, real)
        except OSError as exc:
            raise _write_error(given, exc) from None
        done = True
    finally:
        with contextlib.suppress(OSError):
            if raw is None:
                os.close(fd)
            else:
                raw.close()
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _untrack(tmp)


def _keep_mode_and_owner(tmp: str, st: os.stat_result | None) -> None:
    if st is None:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        return
    os.chmod(tmp, stat.S_IMODE(st.st_mode))
    mine = os.stat(tmp)
    if (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid):
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except PermissionError:  # not root: keep at least the group, where we are a member
            with contextlib.suppress(OSError):
                os.chown(tmp, -1, st.st_gid)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))  # chown clears set-id bits


def _write_direct(given: Path, binary: bool, encoding: str, gz: bool) -> Iterator[IO[Any]]:
    try:
        raw = _OutFile(str(given), "wb", given)
    except OSError as exc:
        raise _write_error(given, exc) from None
    try:
        yield from _write_stream(raw, binary, encoding, gz, given)
    finally:
        with contextlib.suppress(OSError):
            raw.close()


def _write_stream(raw: _OutFile, binary: bool, encoding: str, gz: bool, given: Path) -> Iterator[IO[Any]]:
    """Yield a buffered (gzipped, text) stream over ``raw``; on success flush it all (``raw`` stays
    open), on failure discard what is still buffered."""
    buf = io.BufferedWriter(raw, _CHUNK)
    gzf = gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) if gz else None
    text = None if binary else io.TextIOWrapper(gzf or buf, encoding=encoding, newline="")
    stream: Any = text or gzf or buf
    ok = False
    try:
        yield stream
        try:
            if text is not None:
                text.flush()
                text.detach()
            if gzf is not None:
                gzf.close()  # the gzip trailer; buf stays open
            buf.detach()  # flushes; raw stays open for the caller
        except OSError as exc:
            raise _write_error(given, exc) from None
        ok = True
    finally:
        if not ok:
            raw.discard = True
            with contextlib.suppress(Exception):
                stream.close()


# ----------------------------------------------------------------------------------------- locks

def lock_path(path: PathLike) -> Path:
    """The lock sidecar of a read-modify-write file: ``<real path>.lock``."""
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + ".lock")


def _lock_fd(path: PathLike) -> int | None:
    """An exclusive ``flock`` on the sidecar ``<path>.lock`` (its fd), or None where the folder is
    read-only (nobody writes there either). The sidecar is never removed: removing a lock file races
    with a process waiting on it."""
    lock = lock_path(path)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return None
        raise _write_error(lock, exc) from None
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


@contextlib.contextmanager
def locked(path: PathLike) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of ``path`` (``flock`` on ``<path>.lock``); inside a
    command scope that already holds it (:func:`hold_lock`), a no-op."""
    scope = _SCOPE.get()
    if scope is not None and os.path.realpath(path) in scope.locks:
        yield
        return
    fd = _lock_fd(path)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # closing releases the lock


def hold_lock(path: PathLike) -> None:
    """Lock a read-modify-write file (see :func:`locked`) until the end of the command scope, so what a
    command read of it is still what it is when the command writes it back. Outside a scope, a no-op:
    library callers use :func:`locked`."""
    scope = _SCOPE.get()
    if scope is None or is_stdio(path):
        return
    real = os.path.realpath(path)
    if real not in scope.locks:
        fd = _lock_fd(path)
        if fd is not None:
            scope.locks[real] = fd


@contextlib.contextmanager
def folder_output(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` whose files are moved into ``target`` when the block ends
    without an exception (a failed write leaves the target as it was)."""
    base = target if target.is_dir() else target.parent
    if not base.is_dir():
        raise InputError(f"{base}: output folder does not exist")
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is not a folder")
    tmp = Path(tempfile.mkdtemp(prefix=".lancang-", dir=base))
    try:
        yield tmp
        target.mkdir(exist_ok=True)
        for f in sorted(tmp.rglob("*")):
            if f.is_file():
                dest = target / f.relative_to(tmp)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = [
    "PathLike",
    "Scope",
    "atomic_output",
    "folder_output",
    "command_scope",
    "guard_outputs",
    "hold_lock",
    "is_stdio",
    "lock_path",
    "locked",
    "open_input",
    "register_input",
]
