"""The OpenAPI 3.1 document of the HTTP API (served at ``/openapi.json``)."""

from __future__ import annotations

from typing import Any

from .. import __version__


def _q(name: str, desc: str, kind: str = "string", many: bool = False, required: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    if many:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "description": desc, "required": required, "schema": schema,
            **({"explode": True} if many else {})}


def _p(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def _ok(desc: str, media: str = "application/json") -> dict[str, Any]:
    return {"200": {"description": desc, "content": {media: {}}}, "400": {"$ref": "#/components/responses/Error"},
            "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}


def document() -> dict[str, Any]:
    search_params = [
        _q("q", "The query: tokens or words separated by spaces, any substring of an unspaced script", required=True),
        _q("side", "Search the sides in this language range (zh matches zh-Hans, zh-Hant)"),
        _q("tgt", "Show the aligned text of these sides only"),
        _q("regex", "1: q is a regular expression (time-limited)"),
        _q("label", "Keep hits inside an entity with this label"),
        _q("min_bead_score", "Keep hits whose sentence bead scores at least this", "number"),
        _q("corpus", "Search only these corpora", many=True),
        _q("page", "Page number (from 1)", "integer"), _q("page_size", "Hits per page (1-500)", "integer"),
        _q("context", "Characters of context", "integer"),
    ]
    upload = {"type": "object", "required": ["corpus", "profile"], "properties": {
        "corpus": {"type": "string", "format": "binary", "description": "The corpus, in any readable format"},
        "manifest": {"type": "string", "format": "binary", "description": "Its manifest (datasheet), JSON"},
        "metrics": {"type": "array", "items": {"type": "string", "format": "binary"},
                    "description": "Metrics documents (lancang evaluate / agree / inspect)"},
        "profile": {"type": "array", "items": {"type": "string"}, "description": "Profile ids (GET /api/profiles)"},
        "format": {"type": "string", "description": "The corpus's format (default: from its name or content)"},
        "src": {"type": "string"}, "tgt": {"type": "string"},
        "name": {"type": "string", "description": "Its name in the library (default: the file name)"},
        "public": {"type": "string", "description": "1: everyone may see the corpus (default: its owner only)"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "lancang", "version": __version__,
                 "description": "Conformance checks of annotated corpora and a bilingual corpus library."},
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "lancang serve token create --role read|submit|admin"}},
            "responses": {"Error": {"description": "One line saying what is wrong", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"error": {"type": "string"},
                                                            "status": {"type": "integer"}}}}}}},
        },
        "security": [{}, {"token": []}],
        "paths": {
            "/api/corpora": {"get": {"summary": "Corpora the caller may see", "parameters": [
                _q("language", "Has a side in this language range; twice for a pair", many=True),
                _q("licence", "Under this licence"), _q("min_records", "At least this many records", "integer"),
                _q("max_records", "At most this many records", "integer")], "responses": _ok("A list of corpora")}},
            "/api/corpora/{name}": {"get": {"summary": "A corpus: datasheet, stats, reports",
                                            "parameters": [_p("name")], "responses": _ok("The corpus")}},
            "/api/corpora/{name}/reports": {"get": {"summary": "The reports of a corpus with their download links",
                                                    "parameters": [_p("name")], "responses": _ok("Reports")}},
            "/api/corpora/{name}/download": {"get": {
                "summary": "The corpus in any writable format", "parameters": [
                    _p("name"), _q("format", "A writable format (GET /api/formats); default jsonl"),
                    _q("src", "Source language, for formats that need it"), _q("tgt", "Target language")],
                "responses": _ok("The corpus file", "application/octet-stream")}},
            "/api/search": {"get": {"summary": "Bilingual concordance (KWIC)", "parameters": search_params,
                                    "responses": _ok("A page of hits")}},
            "/api/jobs": {
                "get": {"summary": "The caller's check jobs (role submit)", "responses": _ok("Jobs")},
                "post": {"summary": "Upload a corpus to check (role submit)", "requestBody": {
                    "required": True, "content": {"multipart/form-data": {"schema": upload}}},
                    "responses": {"202": {"description": "The job, queued"},
                                  "409": {"$ref": "#/components/responses/Error"},
                                  "413": {"$ref": "#/components/responses/Error"},
                                  **_ok("")}}},
            "/api/jobs/{id}": {"get": {"summary": "A job's state and result", "parameters": [_p("id", "integer")],
                                       "responses": _ok("The job")}},
            "/api/reports/{id}": {"get": {"summary": "A stored report", "parameters": [
                _p("id", "integer"), _q("format", "json (default), html or junit"), _q("lang", "zh or en (html)")],
                "responses": _ok("The report")}},
            "/api/profiles": {"get": {"summary": "The profiles a check can use", "responses": _ok("Profiles")}},
            "/api/formats": {"get": {"summary": "The corpus formats", "responses": _ok("Formats")}},
        },
    }


__all__ = ["document"]
