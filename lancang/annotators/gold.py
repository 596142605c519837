"""Read gold segmentations: canonical JSONL, or CoNLL-U sentences as records.

The CoNLL-U reader here is deliberately small: it takes a sentence's ``# text`` (or rebuilds it
from the forms and ``SpaceAfter=No``), its ``# sent_id``, and its *surface* tokens (a multiword
token line such as ``3-4 bukunya`` counts once; its syntactic words are skipped), and finds each
token in the text in order. A token that is not where the text says is an error with its line.
Vietnamese forms may contain spaces (``sinh viên``); they are found as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..corpora.jsonl import PathLike, open_input, read_records
from ..errors import InputError, UsageError
from .langs import check_tag

_LANG_IN_NAME = re.compile(r"^([a-z]{2,3})_")


def corpus_format(path: PathLike, fmt: str | None = None) -> str:
    if fmt:
        return fmt
    name = str(path).lower().removesuffix(".gz")
    return "conllu" if name.endswith((".conllu", ".conll")) else "jsonl"


def read_corpus(path: PathLike, fmt: str | None = None, lang: str | None = None) -> Iterator[dict[str, Any]]:
    """Records from canonical JSONL, or one record per CoNLL-U sentence (side ``lang``) with tokens."""
    fmt = corpus_format(path, fmt)
    if fmt == "jsonl":
        yield from read_records(path)
    elif fmt == "conllu":
        yield from conllu_records(path, lang)
    else:
        raise UsageError(f"cannot read gold from format {fmt!r}; use jsonl or conllu")


def conllu_lang(path: PathLike, lang: str | None) -> str:
    if lang:
        return check_tag(lang)
    m = _LANG_IN_NAME.match(Path(str(path)).name)
    if not m:
        raise UsageError(f"{path}: CoNLL-U does not name its language; give it with --lang")
    return m.group(1)


def conllu_records(path: PathLike, lang: str | None = None) -> Iterator[dict[str, Any]]:
    tag = conllu_lang(path, lang)
    for sent in _sentences(path):
        yield _record(path, tag, sent)


def _sentences(path: PathLike) -> Iterator[dict[str, Any]]:
    cur: dict[str, Any] = {"meta": {}, "tokens": [], "line": 1}
    skip_to = 0
    with open_input(path) as raw:
        for lineno, bline in enumerate(raw, 1):
            line = bline.decode("utf-8", errors="strict").rstrip("\r\n")
            if not line.strip():
                if cur["tokens"]:
                    yield cur
                cur = {"meta": {}, "tokens": [], "line": lineno + 1}
                skip_to = 0
                continue
            if line.startswith("#"):
                k, sep, v = line[1:].partition("=")
                if sep:
                    cur["meta"][k.strip()] = v.strip() if k.strip() != "text" else v[1:] if v.startswith(" ") else v
                continue
            cols = line.split("\t")
            if len(cols) != 10:
                raise InputError(f"{path}:{lineno}: expected 10 tab-separated columns, found {len(cols)}")
            tid, form, misc = cols[0], cols[1], cols[9]
            if "." in tid:
                continue  # empty node
            if "-" in tid:
                a, _, b = tid.partition("-")
                skip_to = int(b)
                cur["tokens"].append((form, misc, lineno))
                continue
            if int(tid) <= skip_to:
                continue
            cur["tokens"].append((form, misc, lineno))
    if cur["tokens"]:
        yield cur


def _record(path: PathLike, tag: str, sent: dict[str, Any]) -> dict[str, Any]:
    nfc = unicodedata.normalize
    text = sent["meta"].get("text")
    if text is None:  # rebuild from the forms
        text = "".join(f + ("" if "SpaceAfter=No" in m.split("|") else " ") for f, m, _ in sent["tokens"]).rstrip()
    text = nfc("NFC", text)
    spans, pos = [], 0
    for form, _misc, lineno in sent["tokens"]:
        form = nfc("NFC", form)
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not text.startswith(form, pos):
            raise InputError(f"{path}:{lineno}: token {form!r} is not in the sentence text at offset {pos} "
                             f"({text[pos:pos + 20]!r})")
        spans.append([pos, pos + len(form)])
        pos += len(form)
    rid = sent["meta"].get("sent_id") or f"{Path(str(path)).name}:{sent['line']}"
    return {"id": rid, "sides": {tag: {"text": text, "layers": {"tokens": {"spans": spans}}}}}
