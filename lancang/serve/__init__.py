"""``lancang serve``: the public service on the corpus library (install with ``pip install "lancang[serve]"``).

* :mod:`.app` -- the Starlette application: the HTTP API described at ``/openapi.json`` (upload a corpus
  with its manifest and metrics and get a check job; jobs, reports in JSON, HTML zh/en and JUnit; the
  library with datasheets, stats and downloads in any writable format; the bilingual concordance) and
  server-rendered pages in Chinese and English;
* :mod:`.jobs` -- the bounded worker pool; job state lives in the store, so jobs survive a restart;
* :mod:`.auth` -- API tokens with roles read < submit < admin (kept hashed in the store), the page
  session cookie and CSRF tokens;
* :mod:`.files` -- the service's folder and uploads streamed into it under names the server makes.
"""

from __future__ import annotations

from pathlib import Path


def serve(db: str, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 2, max_upload_mb: int = 512,
          folder: str | Path | None = None, log_level: str = "info") -> None:
    """Run the service with uvicorn until interrupted."""
    import uvicorn

    from ..store import open_store
    from .app import Settings, create_app
    from .files import default_folder

    open_store(db).close()  # create and upgrade the store (and fail on a bad URL) before binding the port
    settings = Settings(db, Path(folder) if folder else default_folder(db), workers, max_upload_mb * 1024 * 1024)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)


__all__ = ["serve"]
