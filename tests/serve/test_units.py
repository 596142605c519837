"""The service's small parts: file names from clients, paths under the folder, the page language,
session cookies, a catastrophic regular expression through the API."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from lancang.errors import UsageError
from lancang.serve import auth, i18n
from lancang.serve.files import default_folder, display_name, inside, safe_extension
from lancang.store import open_store

from .conftest import Site


def test_doctests() -> None:
    res = doctest.testmod(i18n)
    assert res.attempted and not res.failed


@pytest.mark.parametrize(("name", "ext"), [
    ("delivery.TMX", ".tmx"), ("a/b/../../corpus.jsonl.gz", ".jsonl.gz"), ("..\\..\\x.xlf", ".xlf"),
    ("evil", ""), ("x.tmx/../../etc/passwd", ""), ("x.sh", ""), ("notes.gz", ""), (None, "")])
def test_only_a_registered_extension_survives_from_a_client_name(name: str | None, ext: str) -> None:
    assert safe_extension(name) == ext


def test_paths_stay_inside_the_folder(tmp_path: Path) -> None:
    assert inside(tmp_path, "uploads/ab", "corpus-0.tmx") == tmp_path.resolve() / "uploads/ab/corpus-0.tmx"
    for bad in ("../x", "/etc/passwd", "uploads/../../x"):
        with pytest.raises(UsageError, match="outside the service's folder"):
            inside(tmp_path, bad)
    assert display_name("C:\\Users\\me\\交付.tmx") == "交付.tmx" and display_name("\x00\n") == "upload"
    assert default_folder(str(tmp_path / "lib.sqlite")) == tmp_path.resolve() / "lib.sqlite.files"
    assert default_folder(f"sqlite:///{tmp_path}/lib.sqlite") == tmp_path.resolve() / "lib.sqlite.files"
    with pytest.raises(UsageError, match="--files"):
        default_folder("postgresql://me@db/lib")


def test_session_cookies_expire_and_name_their_key() -> None:
    key, other = b"k" * 32, b"o" * 32
    cookie = auth.session_cookie(key, 7, now=1000.0)
    assert auth.session_token_id(key, cookie, now=1000.0 + auth.SESSION_SECONDS - 1) == 7
    assert auth.session_token_id(key, cookie, now=1001.0 + auth.SESSION_SECONDS) is None
    assert auth.session_token_id(other, cookie, now=1000.0) is None
    nonce = auth.new_nonce()
    assert auth.csrf_ok(key, nonce, auth.csrf_token(key, nonce))
    assert not auth.csrf_ok(key, nonce, auth.csrf_token(other, nonce)) and not auth.csrf_ok(key, None, "x")


def test_roles_are_ordered(tmp_path: Path) -> None:
    with open_store(tmp_path / "lib.sqlite") as store:
        with pytest.raises(UsageError, match="unknown role 'king'"):
            auth.create_token(store, "x", "king")
        tid, token = auth.create_token(store, "x", "submit")
        user = auth.user_for(store, token)
    assert user == auth.User("x", "submit", tid)
    assert user.can("read") and user.can("submit") and not user.can("admin") and not auth.ANONYMOUS.can("read")


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_catastrophic_regex_is_stopped(site: Site, tmp_path: Path) -> None:
    from lancang.store import index_corpus

    from ..conftest import write_jsonl

    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "r1", "sides": {"en": {"text": "a" * 40 + "!"}}}])
    with open_store(site.db) as store:
        index_corpus(store, path, name="aaa")
    r = site.client.get("/api/search", params={"q": "(a|aa)+$", "regex": "1", "side": "en"})
    assert r.status_code == 400 and "took longer than 2 s on record" in r.json()["error"]


def test_lancang_serve_starts_on_the_embedded_default(tmp_path: Path) -> None:
    """`lancang serve` in a folder with nothing in it: the SQLite library and its folder are made, the
    API answers on the port given, and SIGTERM shuts it down cleanly (uvicorn re-raises the signal after
    its shutdown, so the exit status is the signal's)."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen([sys.executable, "-c", "from lancang.cli import main; main()", "serve", "--port",
                             str(port)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        end = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < end, "lancang serve did not answer within 60 s"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["info"]["title"] == "lancang"
        assert (tmp_path / "lancang-library.sqlite").is_file()
        assert (tmp_path / "lancang-library.sqlite.files" / "secret.key").stat().st_mode & 0o777 == 0o600
    finally:
        proc.terminate()
        code = proc.wait(30)
    log = proc.stdout.read().decode()
    assert code in (0, -15) and "Application shutdown complete" in log and "Traceback" not in log, log
