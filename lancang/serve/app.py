"""The Starlette application: the HTTP API (``/api/...``, described at ``/openapi.json``) and the pages.

Store connections are per thread (request handlers run in Starlette's thread pool; the job workers have
their own). A request is made by a :class:`~lancang.serve.auth.User`: the API reads
``Authorization: Bearer TOKEN``, the pages a session cookie; forms are POSTed with a CSRF token. Errors
that are the client's (lancang's InputError/UsageError) answer 400 with one line, never a traceback.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import LancangError, UsageError
from . import auth
from .files import TooLarge, inside, new_dir, receive_form
from .i18n import choose, words
from .jobs import EXPANSION, KIND, Pool

SESSION, NONCE, LANG = "lancang_session", "lancang_nonce", "lancang_lang"
UPLOAD_FILES: dict[str, str | None] = {"corpus": None, "manifest": ".json", "metrics": ".json"}
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


@dataclass
class Settings:
    db: str
    folder: Path
    workers: int = 2
    max_upload: int = 512 * 1024 * 1024
    secure_cookies: bool = False


class Service:
    """What the handlers share: settings, per-thread stores, the signing key and the job pool."""

    def __init__(self, settings: Settings):
        from jinja2 import Environment, PackageLoader, select_autoescape

        self.settings = settings
        settings.folder.mkdir(parents=True, exist_ok=True)
        self.secret = auth.load_secret(settings.folder)
        self.pool = Pool(settings.db, settings.folder, settings.workers,
                         max_expanded=settings.max_upload * EXPANSION)
        self._local = threading.local()
        self._stores: list[Any] = []
        self._lock = threading.Lock()
        self.env = Environment(loader=PackageLoader("lancang.serve", "templates"),
                               autoescape=select_autoescape(["html"]))
        from ..standards.html import FONT_STACK, bars

        self.env.globals.update(font_stack=FONT_STACK, bars=bars, counts=counts)

    def store(self) -> Any:
        s = getattr(self._local, "store", None)
        if s is None:
            from ..store import open_store

            s = open_store(self.settings.db)
            self._local.store = s
            with self._lock:
                self._stores.append(s)
        return s

    def close(self) -> None:
        self.pool.stop()
        with self._lock:
            for s in self._stores:
                with contextlib.suppress(Exception):
                    s.close()
            self._stores = []


def counts(table: Any, key: str | None = None) -> dict[str, float]:
    """The numbers of a stats table for a bar chart: ``table[k]`` (or ``table[k][key]``) where it is a number."""
    out = {}
    for k, v in (table or {}).items():
        value = v.get(key) if key is not None and isinstance(v, dict) else v
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[k] = value
    return out


# ---------------------------------------------------------------------------- who and what
def _svc(request: Request) -> Service:
    return request.app.state.service


def api_user(request: Request) -> auth.User:
    """The Bearer token's user; anonymous without one; 401 for a token that is not live."""
    header = request.headers.get("authorization", "")
    if not header:
        return auth.ANONYMOUS
    scheme, _, token = header.partition(" ")
    user = auth.user_for(_svc(request).store(), token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise HTTPException(401, "unknown or revoked token (Authorization: Bearer TOKEN)")
    return user


def page_user(request: Request) -> auth.User:
    svc = _svc(request)
    tid = auth.session_token_id(svc.secret, request.cookies.get(SESSION))
    if tid is None:
        return auth.ANONYMOUS
    row = svc.store().token(token_id=tid)
    return auth.ANONYMOUS if row is None else auth.User(row["name"], row["role"], row["id"])


def need(user: auth.User, role: str) -> None:
    if not user.can(role):
        raise HTTPException(401 if user.role is None else 403, f"this needs a token of role {role} or higher")


def visible_corpus(svc: Service, user: auth.User, name: str) -> Any:
    """The corpus ``name`` if this user may see it; 404 otherwise (a private corpus is not confirmed)."""
    c = svc.store().corpus(name)
    if c is None or not user.sees(c):
        raise HTTPException(404, f"no corpus named {name!r}")
    return c


def _int(request: Request, key: str, default: int | None, low: int = 0, high: int | None = None) -> int | None:
    raw = request.query_params.get(key)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)  # type: ignore[arg-type]
    except ValueError:
        raise UsageError(f"?{key}={raw}: not a whole number") from None
    if value < low or (high is not None and value > high):
        raise UsageError(f"?{key}={raw}: out of range ({low}..{high if high is not None else ''})")
    return value


def _float(request: Request, key: str) -> float | None:
    raw = request.query_params.get(key)
    if raw in (None, ""):
        return None
    try:
        return float(raw)  # type: ignore[arg-type]
    except ValueError:
        raise UsageError(f"?{key}={raw}: not a number") from None


# ---------------------------------------------------------------------------- the library
def list_corpora(svc: Service, user: auth.User, request: Request) -> list[Any]:
    """Corpora this user sees, filtered by ``language`` (repeatable: a language pair), ``licence`` and size
    (``?lang=`` is the pages' own language)."""
    from ..corpora.langs import tag_matches

    langs = [x for x in request.query_params.getlist("language") if x]
    lo = _int(request, "min_records", None)
    hi = _int(request, "max_records", None)
    out = []
    for c in svc.store().corpora(viewer=user.name, everything=user.admin, lang=langs[0] if langs else None,
                                 licence=request.query_params.get("licence") or None):
        if not all(any(tag_matches(x, [want]) for x in c.languages) for want in langs[1:]):
            continue
        if (lo is not None and c.records < lo) or (hi is not None and c.records > hi):
            continue
        out.append(c)
    return out


def corpus_view(svc: Service, c: Any) -> dict[str, Any]:
    d = c.to_dict()
    d["reports"] = svc.store().reports(c)
    return d


def search_page(svc: Service, user: auth.User, request: Request) -> Any:
    from ..store import Query

    q = request.query_params
    corpora = [x for x in q.getlist("corpus") if x]
    for name in corpora:
        visible_corpus(svc, user, name)
    query = Query(q.get("q", ""), side=q.get("side") or None, tgt=q.get("tgt") or None,
                  regex=q.get("regex") in ("1", "true", "on"), label=q.get("label") or None,
                  min_bead_score=_float(request, "min_bead_score"), corpora=corpora or None, viewer=user.name,
                  everything=user.admin, page=_int(request, "page", 1, 1) or 1,
                  page_size=_int(request, "page_size", 20, 1, 500) or 20,
                  context=_int(request, "context", 40, 0, 500) or 0)
    if not query.text:
        raise UsageError("?q=: give a query")
    return svc.store().search(query)


def download(svc: Service, user: auth.User, name: str, request: Request) -> Response:
    """The corpus written in ``?format=`` through the format hub into a fresh folder, streamed, then removed."""
    from ..corpora.formats import get_format, write_corpus

    c = visible_corpus(svc, user, name)
    fmt = get_format(request.query_params.get("format") or "jsonl")
    if fmt.write is None or not fmt.extensions:
        raise UsageError(f"?format={fmt.name}: this format cannot be downloaded as one file")
    langs = [x for x in (request.query_params.get("src"), request.query_params.get("tgt")) if x] or None
    rel, folder = new_dir(svc.settings.folder, "downloads")
    out = folder / f"corpus{fmt.extensions[0]}"
    try:
        write_corpus(svc.store().records(c), out, fmt.name, langs)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    safe = "".join(ch if ch in _NAME_CHARS else "_" for ch in c.name)[:100] or "corpus"
    made = sorted(p for p in folder.iterdir() if p.is_file())
    ext = fmt.extensions[0]
    if made != [out]:  # a format written as several files (Moses: one per language) comes as one zip
        import zipfile

        ext, out = ".zip", folder / "corpus.zip.part"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in made:
                zf.write(p, safe + p.name.removeprefix("corpus"))
    return FileResponse(out, filename=f"{safe}{ext}", media_type="application/octet-stream",
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))


def report_response(svc: Service, user: auth.User, report_id: int, fmt: str, lang: str) -> Response:
    from ..standards.report import render_html, render_junit

    rep = svc.store().report(report_id)
    c = svc.store().corpus_by_id(rep["corpus"]) if rep and rep["corpus"] is not None else None
    if rep is None or c is None or not user.sees(c):
        raise HTTPException(404, f"no report {report_id}")
    if fmt == "json":
        return JSONResponse(rep["data"])
    if fmt == "junit":
        return Response(render_junit(rep["data"]), media_type="application/xml")
    if fmt == "html":
        return HTMLResponse(render_html(rep["data"], lang))
    raise UsageError(f"?format={fmt}: one of json, html, junit")


def job_view(svc: Service, user: auth.User, job_id: int) -> dict[str, Any]:
    job = svc.store().job(job_id)
    if job is None or job.kind != KIND or not (user.admin or job.params.get("owner") == user.name):
        raise HTTPException(404, f"no job {job_id}")
    p = job.params
    return {"id": job.id, "state": job.state, "corpus": p.get("name"), "file": p.get("filename"),
            "profiles": p.get("profiles"), "result": job.result, "error": job.error, "attempts": job.attempts,
            "created": job.created, "updated": job.updated}


async def submit(request: Request, user: auth.User, csrf: bool) -> dict[str, Any]:
    """Receive an upload (streamed into the service's folder), validate it and queue its check job."""
    from ..corpora.formats import get_format, resolve_format
    from ..standards.profiles import available
    from ..store import corpus_name

    svc = _svc(request)
    need(user, "submit")
    form = await receive_form(request, svc.settings.folder, svc.settings.max_upload, UPLOAD_FILES)
    try:
        if csrf and not auth.csrf_ok(svc.secret, request.cookies.get(NONCE), form.get("csrf")):
            raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page")
        corpus = form.files.get("corpus") or []
        if len(corpus) != 1:
            raise UsageError("give one corpus file (form field corpus)")
        up = corpus[0]
        profiles = [p for v in form.fields.get("profile", []) for p in v.split(",") if p.strip()]
        if not profiles:
            raise UsageError("choose at least one profile (form field profile)")
        known = available()
        for pid in profiles:
            if pid not in known:  # ids only: a path would read the server's file system
                raise UsageError(f"profile={pid}: no such profile (GET /api/profiles lists them)")
        fmt_name = form.get("format") or None
        fmt = get_format(fmt_name) if fmt_name else await run_in_threadpool(resolve_format, up.path)
        if fmt.read is None:
            raise UsageError(f"format {fmt.name!r} can be written but not read")
        langs = [x for x in (form.get("src"), form.get("tgt")) if x]
        name = (form.get("name") or "").strip() or corpus_name(up.filename)
        if len(name) > 200 or not name.isprintable():
            raise UsageError("name: at most 200 printable characters")
        private = form.get("public") not in ("1", "on", "true")
        manifest = (form.files.get("manifest") or [None])[0]
        params = {"upload": form.rel, "file": up.path.name, "filename": up.filename, "name": name,
                  "format": fmt.name, "langs": langs, "profiles": profiles, "owner": user.name,
                  "private": private, "manifest": manifest.path.name if manifest else None,
                  "metrics": [m.path.name for m in form.files.get("metrics", [])],
                  "names": {s.path.name: s.filename for saved in form.files.values() for s in saved}}

        def queue() -> Any:
            store = svc.store()
            with store.transaction():
                if store.corpus(name) is not None:
                    raise HTTPException(409, f"a corpus named {name!r} exists already; choose another name")
                c = store.create_corpus(name, owner=user.name, private=private)
                return store.submit_job(KIND, params, c)

        job = await run_in_threadpool(queue)
    except BaseException:
        form.discard()
        raise
    svc.pool.notify()
    return {"job": job.id, "state": job.state, "corpus": name, "href": f"/api/jobs/{job.id}"}


# ---------------------------------------------------------------------------- API handlers
async def api_corpora(request: Request) -> Response:
    def run() -> Any:
        svc, user = _svc(request), api_user(request)
        return [c.to_dict() for c in list_corpora(svc, user, request)]

    return JSONResponse(await run_in_threadpool(run))


async def api_corpus(request: Request) -> Response:
    def run() -> Any:
        svc, user = _svc(request), api_user(request)
        return corpus_view(svc, visible_corpus(svc, user, request.path_params["name"]))

    return JSONResponse(await run_in_threadpool(run))


async def api_reports(request: Request) -> Response:
    def run() -> Any:
        svc, user = _svc(request), api_user(request)
        c = visible_corpus(svc, user, request.path_params["name"])
        out = []
        for r in svc.store().reports(c):
            links = {f: f"/api/reports/{r['id']}?format={f}" for f in ("json", "junit")}
            links.update({f"html-{lang}": f"/api/reports/{r['id']}?format=html&lang={lang}" for lang in ("zh", "en")})
            out.append({**r, "links": links})
        return out

    return JSONResponse(await run_in_threadpool(run))


async def api_download(request: Request) -> Response:
    return await run_in_threadpool(lambda: download(_svc(request), api_user(request), request.path_params["name"],
                                                    request))


async def api_search(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(lambda: search_page(_svc(request), api_user(request),
                                                                    request).to_dict()))


async def api_submit(request: Request) -> Response:
    user = await run_in_threadpool(api_user, request)
    return JSONResponse(await submit(request, user, csrf=False), status_code=202)


async def api_job(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(
        lambda: job_view(_svc(request), api_user(request), int(request.path_params["id"]))))


async def api_jobs(request: Request) -> Response:
    def run() -> Any:
        svc, user = _svc(request), api_user(request)
        need(user, "submit")
        return [job_view(svc, user, j.id) for j in svc.store().jobs()
                if j.kind == KIND and (user.admin or j.params.get("owner") == user.name)]

    return JSONResponse(await run_in_threadpool(run))


async def api_report(request: Request) -> Response:
    q = request.query_params
    return await run_in_threadpool(lambda: report_response(_svc(request), api_user(request),
                                                           int(request.path_params["id"]), q.get("format", "json"),
                                                           q.get("lang", "en")))


async def api_profiles(request: Request) -> Response:
    def run() -> Any:
        from ..standards.profiles import available, load_profile

        return [{"id": pid, "title": load_profile(pid).doc["title"], "level": load_profile(pid).doc["level"]}
                for pid in sorted(available())]

    return JSONResponse(await run_in_threadpool(run))


async def api_formats(request: Request) -> Response:
    from ..corpora.formats import all_formats

    return JSONResponse([{"name": f.name, "extensions": list(f.extensions), "read": f.read is not None,
                          "write": f.write is not None} for f in all_formats()])


async def openapi(request: Request) -> Response:
    from .openapi import document

    return JSONResponse(document())


# ---------------------------------------------------------------------------- pages
def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    svc = _svc(request)
    lang = choose(request.query_params.get("lang"), request.cookies.get(LANG), request.headers.get("accept-language"))
    nonce = request.cookies.get(NONCE) or auth.new_nonce()
    user = ctx.pop("user", None) or page_user(request)
    body = svc.env.get_template(template).render(
        t=words(lang), lang=lang, user=user, csrf=auth.csrf_token(svc.secret, nonce), request=request,
        other_lang="zh" if lang == "en" else "en", qs=lambda **kw: urlencode({k: v for k, v in kw.items() if v}), **ctx)
    resp = HTMLResponse(body, status_code=status)
    if request.cookies.get(NONCE) != nonce:
        resp.set_cookie(NONCE, nonce, httponly=True, samesite="lax", secure=svc.settings.secure_cookies)
    if request.query_params.get("lang") in ("zh", "en"):
        resp.set_cookie(LANG, request.query_params["lang"], samesite="lax", secure=svc.settings.secure_cookies)
    return resp


async def page_library(request: Request) -> Response:
    def run() -> Any:
        svc, user = _svc(request), page_user(request)
        return render(request, "library.html", user=user, corpora=list_corpora(svc, user, request),
                      languages=request.query_params.getlist("language"))

    return await run_in_threadpool(run)


def latest_report(svc: Service, reports: list[dict[str, Any]], lang: str) -> dict[str, Any] | None:
    """The newest check report of a corpus drawn as the HTML report draws it (its charts by verdict, per
    requirement and of the corpus's distributions, and its metrics with each sampling plan's OC curve), by
    the report's own functions in the page's language; None when the corpus has no check report."""
    from ..standards.html import Page, metrics_section, report_charts

    for r in reports:
        if r["kind"] != KIND:
            continue
        got = svc.store().report(r["id"])
        rep = got["data"] if got else None
        if not isinstance(rep, dict) or not isinstance(rep.get("summary"), dict):
            continue
        page = Page(lang)
        return {"id": r["id"], "created": r["created"], "verdict": rep.get("verdict"),
                "verdict_text": page.w(rep.get("verdict") or "-"), "charts": report_charts(rep, page, ids="report-"),
                "metrics": metrics_section(rep, page)}
    return None


async def page_corpus(request: Request) -> Response:
    def run() -> Any:
        from ..corpora.formats import all_formats

        svc, user = _svc(request), page_user(request)
        c = visible_corpus(svc, user, request.path_params["name"])
        jobs = [job_view(svc, user, j.id) for j in svc.store().jobs(corpus=c)
                if j.kind == KIND and (user.admin or j.params.get("owner") == user.name)]
        formats = [f.name for f in all_formats() if f.write is not None and f.extensions]
        view = corpus_view(svc, c)
        lang = choose(request.query_params.get("lang"), request.cookies.get(LANG),
                      request.headers.get("accept-language"))
        return render(request, "corpus.html", user=user, c=view, jobs=jobs, formats=formats,
                      latest=latest_report(svc, view["reports"], lang))

    return await run_in_threadpool(run)


async def page_search(request: Request) -> Response:
    def run() -> Any:
        svc, user = _svc(request), page_user(request)
        res, error = None, None
        if request.query_params.get("q"):
            try:
                res = search_page(svc, user, request)
            except LancangError as exc:
                error = str(exc)
        corpora = [c.name for c in svc.store().corpora(viewer=user.name, everything=user.admin)]
        return render(request, "search.html", user=user, res=res, error=error, corpora=corpora,
                      q=request.query_params)

    return await run_in_threadpool(run)


async def page_upload(request: Request) -> Response:
    if request.method == "POST":
        user = await run_in_threadpool(page_user, request)
        try:
            out = await submit(request, user, csrf=True)
        except LancangError as exc:
            message = str(exc)
            return await run_in_threadpool(lambda: _upload_form(request, user, message, 400))
        return RedirectResponse(f"/jobs/{out['job']}", status_code=303)
    return await run_in_threadpool(lambda: _upload_form(request, page_user(request)))


def _upload_form(request: Request, user: auth.User, error: str | None = None, status: int = 200) -> Response:
    from ..corpora.formats import all_formats
    from ..standards.profiles import available, load_profile, text_in

    need(user, "submit")
    lang = choose(request.query_params.get("lang"), request.cookies.get(LANG), request.headers.get("accept-language"))
    profiles = [(pid, text_in(load_profile(pid).doc["title"], lang)) for pid in sorted(available())]
    formats = [f.name for f in all_formats() if f.read is not None]
    return render(request, "upload.html", status, user=user, profiles=profiles, formats=formats, error=error)


async def page_job(request: Request) -> Response:
    def run() -> Any:
        svc, user = _svc(request), page_user(request)
        need(user, "submit")
        return render(request, "job.html", user=user, job=job_view(svc, user, int(request.path_params["id"])))

    return await run_in_threadpool(run)


async def page_report(request: Request) -> Response:
    def run() -> Any:
        lang = choose(request.query_params.get("lang"), request.cookies.get(LANG),
                      request.headers.get("accept-language"))
        return report_response(_svc(request), page_user(request), int(request.path_params["id"]),
                               request.query_params.get("format", "html"), lang)

    return await run_in_threadpool(run)


async def page_download(request: Request) -> Response:
    return await run_in_threadpool(lambda: download(_svc(request), page_user(request),
                                                    request.path_params["name"], request))


async def page_login(request: Request) -> Response:
    svc = _svc(request)
    if request.method == "GET":
        return await run_in_threadpool(lambda: render(request, "login.html", error=None))
    form = await request.form(max_files=0, max_fields=10)
    if not auth.csrf_ok(svc.secret, request.cookies.get(NONCE), str(form.get("csrf") or "")):
        raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page")
    user = await run_in_threadpool(auth.user_for, svc.store(), str(form.get("token") or "").strip())
    if user is None:
        return await run_in_threadpool(lambda: render(request, "login.html", 401, error="bad_token"))
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(SESSION, auth.session_cookie(svc.secret, user.token_id or 0), max_age=auth.SESSION_SECONDS,
                    httponly=True, samesite="lax", secure=svc.settings.secure_cookies)
    return resp


async def page_logout(request: Request) -> Response:
    svc = _svc(request)
    form = await request.form(max_files=0, max_fields=10)
    if not auth.csrf_ok(svc.secret, request.cookies.get(NONCE), str(form.get("csrf") or "")):
        raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page")
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION)
    return resp


# ---------------------------------------------------------------------------- errors
def _status(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, HTTPException):
        return exc.status_code, str(exc.detail)
    if isinstance(exc, TooLarge):
        return 413, str(exc)
    return 400, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


async def on_error(request: Request, exc: Exception) -> Response:
    status, message = _status(exc)
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse({"error": message, "status": status}, status_code=status)
    if status == 401 and request.method == "GET":
        return RedirectResponse("/login", status_code=303)

    def run() -> Response:
        return render(request, "error.html", status, code=status, message=message)

    return await run_in_threadpool(run)


ROUTES = [
    Route("/openapi.json", openapi),
    Route("/api/corpora", api_corpora),
    Route("/api/corpora/{name:path}/reports", api_reports),
    Route("/api/corpora/{name:path}/download", api_download),
    Route("/api/corpora/{name:path}", api_corpus),
    Route("/api/search", api_search),
    Route("/api/jobs", api_jobs, methods=["GET"]),
    Route("/api/jobs", api_submit, methods=["POST"]),
    Route("/api/jobs/{id:int}", api_job),
    Route("/api/reports/{id:int}", api_report),
    Route("/api/profiles", api_profiles),
    Route("/api/formats", api_formats),
    Route("/", page_library),
    Route("/corpora/{name:path}/download", page_download),
    Route("/corpora/{name:path}", page_corpus),
    Route("/search", page_search),
    Route("/upload", page_upload, methods=["GET", "POST"]),
    Route("/jobs/{id:int}", page_job),
    Route("/reports/{id:int}", page_report),
    Route("/login", page_login, methods=["GET", "POST"]),
    Route("/logout", page_logout, methods=["POST"]),
]


def create_app(settings: Settings, *, workers: bool = True) -> Starlette:
    """The application on ``settings``; ``workers=False`` runs no job pool (tests of the queue itself)."""
    service = Service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        if workers:
            await run_in_threadpool(service.pool.start)
        try:
            yield
        finally:
            await run_in_threadpool(service.close)

    app = Starlette(routes=ROUTES, lifespan=lifespan,
                    exception_handlers={HTTPException: on_error, LancangError: on_error, TooLarge: on_error})
    app.state.service = service
    return app


__all__ = ["ROUTES", "Service", "Settings", "create_app", "inside"]
