from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import PgSchema


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A URL of an empty store on each backend (PostgreSQL: a schema of its own in $LANCANG_TEST_PG)."""
    if request.param == "sqlite":
        yield str(tmp_path / "lib.sqlite")
        return
    schema = PgSchema()
    try:
        yield schema.url
    finally:
        schema.drop()


@pytest.fixture
def pg_schema():
    schema = PgSchema()
    try:
        yield schema
    finally:
        schema.drop()
