"""No I/O from data (issue 12): a profile's JSON Schema ``$ref`` resolves only inside the profile's schema and
lancang's bundled schemas; ``http:`` and ``file:`` references are errors and nothing is fetched."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lancang.schemas.validator import SchemaEngine
from lancang.standards.profiles import ProfileError, load_profile, outside_refs

from .test_check import corpus, profile_file


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server on 127.0.0.1 that counts the requests it gets (and serves a permissive schema)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}/schema.json", hits
    finally:
        srv.shutdown()
        srv.server_close()


def _ref_profile(tmp_path: Path, schema: dict) -> Path:
    return profile_file(tmp_path, "refs", requirements=[
        {"id": "r1", "title": "refs", "clause": "1", "basis": "default", "kind": "record", "schema": schema}])


def test_http_ref_is_an_error_and_nothing_is_fetched(cli, tmp_path: Path, server) -> None:
    url, hits = server
    prof = _ref_profile(tmp_path, {"properties": {"sides": {"$ref": url}}})
    res = cli("profiles", "validate", str(prof))
    assert res.exit_code == 2
    [line] = res.stdout.strip().splitlines()
    assert "profile" in line and str(prof) in line and "/requirements/0/schema/properties/sides/$ref" in line
    assert url in line and "points outside the profile" in line
    c, m = corpus(tmp_path)
    res = cli("check", str(c), "-p", str(prof), "--manifest", str(m))
    assert res.exit_code == 2 and "points outside the profile" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert hits == []


@pytest.mark.parametrize("ref", ["file:///etc/passwd", "../../../etc/passwd", "other.json#/x", "/etc/passwd"])
def test_file_and_relative_refs_are_errors(tmp_path: Path, ref: str) -> None:
    prof = _ref_profile(tmp_path, {"$ref": ref})
    with pytest.raises(ProfileError, match=r"/requirements/0/schema/\$ref: \$ref .* points outside") as exc:
        load_profile(str(prof))
    assert "root:" not in str(exc.value)  # never the content of /etc/passwd


def test_an_id_that_moves_the_base_cannot_smuggle_a_remote_ref(tmp_path: Path, server) -> None:
    url, hits = server
    schema = {"properties": {"a": {"$id": url, "$ref": "other.json"}}}
    assert [p for p, _ in outside_refs(schema)] == ["/properties/a/$id", "/properties/a/$ref"]
    with pytest.raises(ProfileError):
        load_profile(str(_ref_profile(tmp_path, schema)))
    assert hits == []


def test_local_and_bundled_refs_resolve(cli, tmp_path: Path) -> None:
    schema = {"$defs": {"nonempty": {"type": "object", "minProperties": 1}},
              "properties": {"sides": {"$ref": "#/$defs/nonempty"},
                             "id": {"$ref": "https://lancang.dev/schemas/record/1.json#/properties/id"}}}
    assert outside_refs(schema) == []
    prof = _ref_profile(tmp_path, schema)
    assert load_profile(str(prof)).id == "refs"
    c, m = corpus(tmp_path)
    res = cli("check", str(c), "-p", str(prof), "--manifest", str(m))
    assert res.exit_code in (0, 1), res.output


@pytest.mark.parametrize("engine", ["rs", "py"])
def test_schema_engines_never_fetch(server, engine: str) -> None:
    """Belt and braces: even a schema compiled without the profile check does not fetch its refs."""
    url, hits = server
    try:
        eng = SchemaEngine({"properties": {"a": {"$ref": url}}}, engine)
        eng.is_valid({"a": 1})
    except Exception:
        pass  # unresolvable: either at compile time (rs) or at validation time (py)
    try:
        SchemaEngine({"$ref": "file:///etc/passwd"}, engine).is_valid(1)
    except Exception as exc:
        assert "root:" not in str(exc)
    assert hits == []


@pytest.mark.parametrize("engine", ["rs", "py"])
def test_bundled_schemas_resolve_in_both_engines(engine: str) -> None:
    from ..conftest import VALID_RECORD

    eng = SchemaEngine({"$ref": "https://lancang.dev/schemas/record/1.json"}, engine)
    assert eng.is_valid(VALID_RECORD) and not eng.is_valid({"id": 3})
