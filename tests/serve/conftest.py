"""A running service on each store backend, with tokens of every role, driven through HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason='lancang serve needs its extra: pip install "lancang[serve]"')

from starlette.testclient import TestClient  # noqa: E402

from lancang.serve.app import Settings, create_app  # noqa: E402
from lancang.serve.auth import create_token  # noqa: E402
from lancang.store import open_store  # noqa: E402

from ..store import conftest as store_conftest  # noqa: E402


@dataclass
class Site:
    """A service under test: its client, its store URL and folder, and a token per user."""
    client: TestClient
    db: str
    folder: Path
    tokens: dict[str, str]

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def make_tokens(db: str) -> dict[str, str]:
    """alice and bob (submit), rita (read), root (admin)."""
    with open_store(db) as store:
        return {name: create_token(store, name, role)[1]
                for name, role in (("alice", "submit"), ("bob", "submit"), ("rita", "read"), ("root", "admin"))}


store_url = store_conftest.store_url  # the store tests' fixture, shared


@pytest.fixture
def db(store_url: str) -> str:
    """An empty store on each backend (the store tests' fixture: PostgreSQL in a schema of its own)."""
    return store_url


def start(db: str, folder: Path, pool: bool = True, **settings: Any) -> TestClient:
    """A client of the application (its job pool running unless ``pool`` is False)."""
    return TestClient(create_app(Settings(db, folder, **settings), workers=pool), follow_redirects=False)


@pytest.fixture
def site(db: str, tmp_path: Path) -> Iterator[Site]:
    tokens = make_tokens(db)
    folder = tmp_path / "files"
    with start(db, folder, workers=1, max_upload=2 * 1024 * 1024) as client:
        yield Site(client, db, folder, tokens)
