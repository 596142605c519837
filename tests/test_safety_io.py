"""The output layer and the input layer under hostile conditions (issue 12, "harden").

Outputs: devices, FIFOs and symlinks are written through, never replaced; mode and owner are kept;
an output that is an input of the same command is refused (by inode), for every verb; a SIGTERM
leaves no temporary file; every OSError is one located line with exit 2. Inputs: pipes, FIFOs and
/dev/stdin are read by every verb, twice where a verb needs two passes; an unreadable file says
"permission denied". Locks: concurrent `inspect --history` runs lose no lot.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from lancang.corpora.io import atomic_output, command_scope, guard_outputs, open_input
from lancang.corpora.jsonl import JsonlWriter, read_records
from lancang.corpora.samples import sample_path
from lancang.errors import InputError, OutputError, UsageError

CORPUS = sample_path()
MANIFEST = sample_path("sample.manifest.json")
ROOT = os.geteuid() == 0
LANCANG = [sys.executable, "-c", "import sys; from lancang.cli import main; sys.exit(main())"]
root_only = pytest.mark.skipif(not ROOT, reason="needs root (mknod, chown, running as another user)")


def run(*args: str, stdin: bytes | None = None, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*LANCANG, *args], input=stdin, capture_output=True, timeout=timeout, check=False, **kw)


def one_line_error(res: subprocess.CompletedProcess | object, code: int = 2) -> str:
    """The stderr of a failed command: exit ``code``, no traceback, one line."""
    err = res.stderr.decode() if isinstance(res.stderr, bytes) else res.stderr
    assert res.returncode == code if hasattr(res, "returncode") else res.exit_code == code, err
    assert "Traceback" not in err, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@contextlib.contextmanager
def fifo_feeder(path: Path, data: bytes) -> Iterator[threading.Thread]:
    """A FIFO at ``path`` that a thread fills with ``data`` once a reader opens it."""
    os.mkfifo(path)

    def feed() -> None:
        with open(path, "wb") as f:
            f.write(data)

    t = threading.Thread(target=feed, daemon=True)
    t.start()
    yield t
    t.join(timeout=30)


@contextlib.contextmanager
def fifo_reader(path: Path) -> Iterator[list[bytes]]:
    os.mkfifo(path)
    got: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as f:
            got.append(f.read())

    t = threading.Thread(target=read, daemon=True)
    t.start()
    yield got
    t.join(timeout=30)


# ------------------------------------------------------------------------------- the output layer

@root_only
def test_a_character_device_is_written_through_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    with atomic_output(null) as f:
        f.write(b"report\n")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert leftovers(tmp_path) == []


@root_only
def test_check_report_to_a_device_keeps_the_device(tmp_path: Path, cli) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    res = cli("check", str(CORPUS), "-p", "lancang-zh-asean-parallel", "--manifest", str(MANIFEST), "-o", str(null))
    assert res.exit_code in (0, 1), res.output
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_fifo_reader_gets_the_bytes(tmp_path: Path) -> None:
    fifo = tmp_path / "out.jsonl"
    with fifo_reader(fifo) as got, JsonlWriter(fifo) as w:
        for r in read_records(CORPUS):
            w.write(r)
    assert got and got[0] == CORPUS.read_bytes()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path) == []


def test_the_names_of_open_files_are_written_not_resolved(tmp_path: Path) -> None:
    """/dev/stdout and /dev/fd/N name a pipe here: they are "links" to pipe:[N], written, not refused."""
    res = run("convert", str(CORPUS), "/dev/stdout", "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(CORPUS.read_bytes())
    r, w = os.pipe()
    proc = subprocess.Popen([*LANCANG, "convert", str(CORPUS), f"/dev/fd/{w}", "--format", "jsonl"], pass_fds=(w,),
                            stderr=subprocess.PIPE)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        got = f.read()
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    proc.stderr.close()
    assert got == CORPUS.read_bytes()
    assert leftovers(tmp_path) == []


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with atomic_output(link, "w") as f:
        f.write("new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new"
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


def test_a_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "nowhere" / "x.txt")
    with (pytest.raises(OutputError, match=r"link\.txt: is a symbolic link to .*nowhere/x\.txt, which does not exist"),
          atomic_output(link) as f):
        f.write(b"x")
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "secret.jsonl"
    out.write_bytes(b"")
    out.chmod(0o600)
    with JsonlWriter(out) as w:
        w.write({"id": "1", "sides": {}})
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@root_only
def test_an_existing_file_keeps_its_owner(tmp_path: Path) -> None:
    out = tmp_path / "theirs.json"
    out.write_bytes(b"{}")
    os.chown(out, 4321, 4321)
    out.chmod(0o640)
    with atomic_output(out) as f:
        f.write(b"[]")
    st = out.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 4321, 0o640)
    assert out.read_bytes() == b"[]"


def test_guard_outputs_compares_inodes_not_names(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_bytes(b"{}\n")
    other_name = tmp_path / "sub" / ".." / "hard.jsonl"
    (tmp_path / "sub").mkdir()
    os.link(a, tmp_path / "hard.jsonl")
    same = r"hard\.jsonl: is the same file as the input .*a\.jsonl; write to another file"
    with pytest.raises(UsageError, match=same):
        guard_outputs([a], [other_name])
    guard_outputs([a], [tmp_path / "b.jsonl", "-"])  # a new file, stdout: fine


def test_in_a_command_an_output_may_not_be_an_input_read_before_or_after(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    shutil.copy(CORPUS, a)
    before = a.read_bytes()
    with command_scope():  # input read first: refused before anything is written
        with open_input(a) as f:
            f.read()
        with pytest.raises(UsageError, match="is the same file as the input"), atomic_output(a) as out:
            out.write(b"x")
    with command_scope():  # output opened first: refused before the rename, the input intact
        with pytest.raises(UsageError, match="is the same file as the input"), atomic_output(a) as out, \
                open_input(a) as f:
            out.write(f.read())
    assert a.read_bytes() == before and leftovers(tmp_path) == []
    with atomic_output(a) as out:  # outside a command: the library does not guess
        out.write(before)


def _inputs(tmp_path: Path) -> dict[str, Path]:
    c = tmp_path / "c.jsonl"
    shutil.copy(CORPUS, c)
    c2 = tmp_path / "c2.jsonl"
    shutil.copy(CORPUS, c2)
    m = tmp_path / "m.json"
    shutil.copy(MANIFEST, m)
    hard = tmp_path / "hard.jsonl"
    os.link(c, hard)
    prof = tmp_path / "profile.json"
    shutil.copy(Path(__file__).parents[1] / "lancang/standards/profiles/lancang-zh-asean-parallel.json", prof)
    s = tmp_path / "s.jsonl"
    proc = run("sample", str(c), str(s), "--aql", "1.0", "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    s.write_bytes(s.read_bytes().replace(b'"verdict":null', b'"verdict":"pass"')
                  .replace(b'"reviewer":null', b'"reviewer":"r1"'))
    return {"c": c, "c2": c2, "m": m, "hard": hard, "s": s, "p": prof}


#: every verb with an output, writing over one of its inputs (by name, or by another name of the inode)
SAME_FILE_CASES = {
    "check -o corpus": ["check", "{c}", "-p", "lancang-zh-asean-parallel", "--manifest", "{m}", "-o", "{c}"],
    "check -o manifest": ["check", "{c}", "-p", "lancang-zh-asean-parallel", "--manifest", "{m}", "-o", "{m}"],
    "check -o profile": ["check", "{c}", "-p", "{p}", "--manifest", "{m}", "-o", "{p}"],
    "inspect -o reviewed": ["inspect", "{s}", "-o", "{s}"],
    "agree -o first": ["agree", "{c}", "{c2}", "-o", "{c}"],
    "train lexicon -o gold": ["train", "lexicon", "{c}", "-o", "{c}", "--src", "zh-Hant"],
    "train sentencepiece -o corpus": ["train", "sentencepiece", "{c}", "-o", "{c}", "--src", "en",
                                      "--vocab-size", "100"],
    "sample over the corpus": ["sample", "{c}", "{c}", "--aql", "1.0"],
    "convert over the input": ["convert", "{c}", "{c}"],
    "convert over a hard link": ["convert", "{c}", "{hard}"],
    "annotate over the input": ["annotate", "{c}", "{c}", "--layers", "sentences"],
    "align over the input": ["align", "{c}", "{c}", "--sentences", "--split", "--src", "en", "--tgt", "th"],
}


@pytest.mark.parametrize("case", sorted(SAME_FILE_CASES))
def test_every_verb_refuses_to_write_over_its_input(tmp_path: Path, cli, case: str) -> None:
    files = _inputs(tmp_path)
    before = {k: p.read_bytes() for k, p in files.items()}
    args = [a.format(**{k: str(p) for k, p in files.items()}) for a in SAME_FILE_CASES[case]]
    res = cli(*args)
    assert res.exit_code == 2, res.output
    assert "same file as the input" in res.stderr or "would overwrite" in res.stderr, res.stderr
    assert {k: p.read_bytes() for k, p in files.items()} == before
    assert leftovers(tmp_path) == []


SLOW_WRITER = """
import sys, time
from lancang.corpora.io import atomic_output
with atomic_output(sys.argv[1]) as f:
    f.write(b"x" * 100000)
    f.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_write_leaves_no_temporary_file(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == b"writing\n"
        assert len(leftovers(tmp_path)) == 1  # the temporary file exists while writing
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode in (-sig, 1, 130)  # SIGTERM kills; SIGINT is KeyboardInterrupt
    assert leftovers(tmp_path) == [] and not out.exists()


@pytest.fixture
def full(tmp_path: Path) -> Path:
    """A /dev/full: our own node when root (a regression must never replace the system's)."""
    if not ROOT:
        return Path("/dev/full")
    dev = tmp_path / "full.jsonl"
    os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    return dev


def test_a_full_disk_is_one_line(full: Path) -> None:
    line = one_line_error(run("convert", str(CORPUS), str(full), "--format", "jsonl"))
    assert line == f"Error: {full}: cannot write: No space left on device"
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_a_full_disk_is_an_output_error_in_the_library(full: Path) -> None:
    with pytest.raises(OutputError, match=f"^{full}: cannot write: No space left on device"), atomic_output(full) as f:
        f.write(b"x" * (1 << 21))
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_a_file_size_limit_is_one_line(tmp_path: Path) -> None:
    import resource

    out = tmp_path / "out.jsonl"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))

    res = subprocess.run([*LANCANG, "convert", str(CORPUS), str(out)], capture_output=True, timeout=120,
                         preexec_fn=limit, check=False)
    line = one_line_error(res)
    assert line.startswith(f"Error: {out}: cannot write: File too large")
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_name_too_long_is_one_line(tmp_path: Path, cli) -> None:
    out = tmp_path / ("n" * 300 + ".jsonl")
    res = cli("convert", str(CORPUS), str(out))
    line = one_line_error(res)
    assert "cannot write: File name too long" in line and leftovers(tmp_path) == []


def test_a_long_but_valid_name_is_written(tmp_path: Path) -> None:
    out = tmp_path / ("n" * 249 + ".jsonl")  # 255 bytes: the temporary file's name must not exceed it
    with atomic_output(out) as f:
        f.write(b"{}\n")
    assert out.read_bytes() == b"{}\n"


def test_a_reader_that_leaves_early_gets_no_error_message(tmp_path: Path) -> None:
    """`lancang convert big - | head`: stdout's reader goes away; click's quiet exit, no "Error:" line."""
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"".join(orjson.dumps({"id": f"r{i}", "sides": {"en": {"text": "x" * 100}}}) + b"\n"
                             for i in range(20000)))
    proc = subprocess.Popen([*LANCANG, "convert", str(big), "-", "--format", "jsonl"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.read(10) == b'{"id":"r0"'
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) != 0
    assert b"Traceback" not in err and b"Error" not in err, err


def test_a_missing_output_folder_is_one_line(tmp_path: Path, cli) -> None:
    res = cli("convert", str(CORPUS), str(tmp_path / "no" / "out.jsonl"))
    assert "output folder does not exist" in one_line_error(res)


def _without_dac_override() -> None:
    """In the child: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set before exec,
    so root is refused files and folders of other users, as any user is."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def as_plain_user(*args: str) -> subprocess.CompletedProcess:
    return run(*args, preexec_fn=_without_dac_override)


@root_only
def test_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(theirs, 4321, 4321)
    line = one_line_error(as_plain_user("convert", str(CORPUS), str(theirs / "out.jsonl")))
    assert line == f"Error: {theirs}: cannot write: permission denied"
    assert list(theirs.iterdir()) == []


# -------------------------------------------------------------------------------- the input layer

@root_only
def test_an_unreadable_file_says_permission_denied(tmp_path: Path) -> None:
    secret = tmp_path / "secret.jsonl"
    shutil.copy(CORPUS, secret)
    os.chown(secret, 4321, 4321)
    secret.chmod(0o600)
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    shutil.copy(CORPUS, closed / "c.jsonl")
    os.chown(closed, 4321, 4321)
    for path in (secret, closed / "c.jsonl"):
        for verb in ("stats", "validate", "check"):
            extra = ["-p", "lancang-zh-asean-parallel", "--manifest", str(MANIFEST)] if verb == "check" else []
            res = as_plain_user(verb, str(path), *extra)
            err = res.stderr.decode()
            assert res.returncode == 2 and "Traceback" not in err, err
            assert ("permission denied" in err or "is not readable" in err), err  # lancang's or click's words
            assert "not a file" not in err and "no such file" not in err, err
        code = f"from lancang.corpora.jsonl import read_records; list(read_records({str(path)!r}))"
        res = subprocess.run([sys.executable, "-c", code], capture_output=True,
                             preexec_fn=_without_dac_override, check=False)
        assert f"InputError: {path}: cannot read: permission denied" in res.stderr.decode()


def test_stats_of_a_fifo_and_of_dev_stdin_match_the_file(tmp_path: Path, cli) -> None:
    want = cli("stats", str(CORPUS), "--format", "json")
    assert want.exit_code == 0
    fifo = tmp_path / "corpus"  # no extension: the format is told from the content, then read
    with fifo_feeder(fifo, CORPUS.read_bytes()):
        got = cli("stats", str(fifo), "--format", "json")
    assert got.exit_code == 0, got.output
    assert orjson.loads(got.stdout) == orjson.loads(want.stdout)
    piped = run("stats", "/dev/stdin", "--format", "json", stdin=CORPUS.read_bytes())
    assert piped.returncode == 0, piped.stderr
    assert orjson.loads(piped.stdout) == orjson.loads(want.stdout)


def test_a_two_pass_verb_reads_a_process_substitution(tmp_path: Path) -> None:
    """`sample` counts the records, then draws: from `<(cat f)` as from the file itself."""
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run("sample", str(CORPUS), str(a), "--aql", "1.0", "--seed", "7").returncode == 0
    script = f'"$@" sample <(cat {CORPUS}) {b} --aql 1.0 --seed 7'
    res = subprocess.run(["bash", "-c", script, "bash", *LANCANG], capture_output=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert [r["id"] for r in read_records(b)] == [r["id"] for r in read_records(a)]


def test_check_reads_a_fifo(tmp_path: Path, cli) -> None:
    want = cli("check", str(CORPUS), "-p", "lancang-zh-asean-parallel", "--manifest", str(MANIFEST), "--format", "json")
    fifo = tmp_path / "corpus.jsonl"
    with fifo_feeder(fifo, CORPUS.read_bytes()):
        got = cli("check", str(fifo), "-p", "lancang-zh-asean-parallel", "--manifest", str(MANIFEST),
                  "--format", "json")
    assert got.exit_code == want.exit_code, got.output
    assert orjson.loads(got.stdout)["verdict"] == orjson.loads(want.stdout)["verdict"]


def test_stats_fails_on_what_it_cannot_read(tmp_path: Path, cli) -> None:
    import gzip

    trunc = tmp_path / "trunc.jsonl.gz"
    trunc.write_bytes(gzip.compress(CORPUS.read_bytes())[:5000])
    assert "cannot read past this point" in one_line_error(cli("stats", str(trunc)))
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(bytes(range(256)) * 20)
    assert "no line is a record" in one_line_error(cli("stats", str(binary)))


def test_xml_size_limits_name_the_limit_not_a_libxml2_flag(tmp_path: Path, cli) -> None:
    deep = tmp_path / "deep.tmx"
    deep.write_bytes(b'<?xml version="1.0"?>\n<tmx version="1.4"><header/><body>' + b"<x>" * 300
                     + b"</x>" * 300 + b"</body></tmx>")
    line = one_line_error(cli("stats", str(deep)))
    assert "XML_PARSE_HUGE" not in line
    assert f"{deep}:2:" in line and "nested deeper than 256 levels" in line


def test_the_output_error_is_an_input_error() -> None:
    assert issubclass(OutputError, InputError)  # the CLI's exit 2 for what the user must fix


# ----------------------------------------------------------------------------------------- locks

def test_concurrent_inspect_history_runs_lose_no_lot(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    shutil.copy(CORPUS, corpus)
    samples = []
    for seed in (1, 2, 3):
        s = tmp_path / f"s{seed}.jsonl"
        assert run("sample", str(corpus), str(s), "--aql", "1.0", "--seed", str(seed)).returncode == 0
        s.write_bytes(s.read_bytes().replace(b'"verdict":null', b'"verdict":"pass"')
                      .replace(b'"reviewer":null', b'"reviewer":"r1"'))
        samples.append(s)
    for trial in range(5):
        hist = tmp_path / f"lots{trial}.jsonl"
        procs = [subprocess.Popen([*LANCANG, "inspect", str(s), "--history", str(hist)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for s in samples]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
        lots = [orjson.loads(x) for x in hist.read_bytes().splitlines()]
        assert [x["lot"] for x in lots] == [1, 2, 3]
        assert sorted(x["sample"]["seed"] for x in lots) == [1, 2, 3]
    assert leftovers(tmp_path) == []
