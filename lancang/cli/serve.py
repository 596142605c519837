"""``lancang serve``: the HTTP service and page server on a corpus library, and its API tokens."""

from __future__ import annotations

import click

from .common import echo_json, format_option, handle_errors

DEFAULT_DB = "lancang-library.sqlite"


def _need_serve() -> None:
    try:
        import jinja2  # noqa: F401
        import python_multipart  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(f'lancang serve needs {exc.name}: pip install "lancang[serve]"') from None


@click.group(invoke_without_command=True)
@click.option("--db", default=DEFAULT_DB, show_default=True, metavar="LIB",
              help="The library: a SQLite file (created if absent) or postgresql://USER@HOST/DB.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Check jobs run at once (threads beside the request threads).")
@click.option("--max-upload", default=512, show_default=True, type=click.IntRange(1), metavar="MB",
              help="Largest upload accepted (a larger one is refused with 413).")
@click.option("--files", "folder", type=click.Path(file_okay=False), metavar="DIR",
              help="The service's folder for uploads and downloads (default: LIB.files beside a SQLite LIB; "
                   "required with PostgreSQL).")
@click.pass_context
@handle_errors
def serve(ctx: click.Context, db: str, host: str, port: int, workers: int, max_upload: int,
          folder: str | None) -> None:
    """Serve the library over HTTP: upload a corpus and get a signed conformance report, browse and
    download corpora, search the bilingual concordance; pages in Chinese and English, the API described
    at /openapi.json.

    \b
    Examples:
      lancang serve                                   # lancang-library.sqlite, http://127.0.0.1:8000
      lancang serve token create --name alice --role submit
      lancang serve --db postgresql://lancang@localhost/library --files /srv/lancang --workers 4
    """
    if ctx.invoked_subcommand is not None:
        return
    _need_serve()
    from ..serve import serve as run

    run(db, host=host, port=port, workers=workers, max_upload_mb=max_upload, folder=folder)


@serve.group()
def token() -> None:
    """Create, list and revoke API tokens (kept hashed in the library).

    \b
    Examples:
      lancang serve token create --name alice --role submit --db library.sqlite
      lancang serve token list --db library.sqlite
      lancang serve token revoke 3 --db library.sqlite
    """


_db = click.option("--db", default=DEFAULT_DB, show_default=True, metavar="LIB", help="The library.")


@token.command("create")
@click.option("--name", required=True, metavar="USER", help="The user the token acts for (owner of its uploads).")
@click.option("--role", type=click.Choice(["read", "submit", "admin"]), default="read", show_default=True)
@_db
@format_option("text", "json")
@handle_errors
def token_create(name: str, role: str, db: str, fmt: str) -> None:
    """Make a token and print it once (only its hash is kept).

    \b
    Examples:
      lancang serve token create --name alice --role submit --db library.sqlite
    """
    from ..serve.auth import create_token
    from ..store import open_store

    with open_store(db) as store:
        tid, tok = create_token(store, name, role)
    if fmt == "json":
        echo_json({"id": tid, "name": name, "role": role, "token": tok})
    else:
        click.echo(tok)
        click.echo(f"token {tid} for {name} ({role}); it is shown only now", err=True)


@token.command("list")
@_db
@format_option("text", "json")
@handle_errors
def token_list(db: str, fmt: str) -> None:
    """List the tokens (ids, users, roles; never the tokens).

    \b
    Examples:
      lancang serve token list --db library.sqlite --format json
    """
    from ..store import open_store

    with open_store(db, create=False) as store:
        rows = store.tokens()
    if fmt == "json":
        echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:>4}  {r['name']:<20} {r['role']:<7} {r['created']}{'  revoked' if r['revoked'] else ''}")


@token.command("revoke")
@click.argument("token_id", type=int)
@_db
@handle_errors
def token_revoke(token_id: int, db: str) -> None:
    """Revoke a token by its id (its sessions end at their next request).

    \b
    Examples:
      lancang serve token revoke 3 --db library.sqlite
    """
    from ..errors import UsageError
    from ..store import open_store

    with open_store(db, create=False) as store:
        if not store.revoke_token(token_id):
            raise UsageError(f"no live token with id {token_id}")
    click.echo(f"token {token_id} revoked")
