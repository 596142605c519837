"""Every verb that reads a corpus reads every readable format, through the one format hub.

One small corpus (Thai and Vietnamese, tokens, sentences and entities where the format holds them) is
written in each format; each verb then reads that file with ``--from``. A verb may find the content
unsuited (exit 1, or exit 2 with one line saying what is missing), but it never fails to *read* the
format, never prints a traceback, and never answers 0 records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats import FORMATS, get_format, project, read_corpus

from .formats.contract import make_side

TEXTS = {"th": "ฉันรักภาษาไทยมาก ฉันไปตลาดทุกวัน", "vi": "Tôi yêu tiếng Việt lắm. Tôi đi chợ mỗi ngày."}
READABLE = [name for name in FORMATS.names() if get_format(name).read is not None]


def _langs(name: str) -> list[str]:
    fmt = get_format(name)
    return list(TEXTS)[: fmt.max_sides or 2]


def _lang_args(name: str) -> list[str]:
    fmt = get_format(name)
    if not (fmt.needs_langs or fmt.max_sides == 1 or name == "tsv"):  # TSV names them only with header=true
        return []
    langs = _langs(name)
    return ["--src", langs[0]] + (["--tgt", langs[1]] if len(langs) > 1 else [])


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int]]:
    """format name -> (file written in that format, number of records it reads back)."""
    out: dict[str, tuple[Path, int]] = {}
    base = tmp_path_factory.mktemp("formats")
    for name in READABLE:
        fmt = get_format(name)
        langs = _langs(name)
        recs: list[dict[str, Any]] = []
        for i in range(3):
            sides = {lang: make_side(TEXTS[lang], fmt.carries, j) for j, lang in enumerate(langs)}
            for lang, side in sides.items():  # speech: each record its own recording
                if "media" in side:
                    side["media"]["uri"] = f"audio/r{i}-{lang}.wav"
            recs.append(project({"id": f"r{i}", "sides": sides}, fmt.carries))
        if name == "brat":  # a folder of documents
            path = base / "brat"
            path.mkdir()
        elif name in ("textgrid", "eaf", "webvtt", "srt"):  # one record per file: a folder of them
            path = base / name
        else:
            path = base / (f"corpus{fmt.extensions[0]}" if fmt.extensions else f"corpus.{name}")
        assert fmt.write is not None
        fmt.write(iter(recs), path, langs=langs)
        n = sum(1 for _ in read_corpus(path, name, langs))
        assert n == 3
        out[name] = (path, n)
    return out


def _verbs(path: Path, tmp: Path, name: str) -> dict[str, list[str]]:
    src = ["--from", name, *_lang_args(name)]
    return {
        "validate": ["validate", str(path), *src],
        "stats": ["stats", str(path), *src, "--format", "json"],
        "evaluate": ["evaluate", str(path), str(path), *src, "--layer", "tokens"],
        "annotate": ["annotate", str(path), str(tmp / "annotated.jsonl"), *src, "--layers", "sentences",
                     "--use", "th=punct,vi=punct"],
        "check": ["check", str(path), *src, "-p", "lancang-text-hygiene"],
        "convert": ["convert", str(path), str(tmp / "out.jsonl"), *src],
        "train lexicon": ["train", "lexicon", str(path), "-o", str(tmp / "x.lex"), *src],
        "agree": ["agree", str(path), str(path), *src, "--layers", "tokens,entities"],
        "sample": ["sample", str(path), str(tmp / "sample.jsonl"), *src, "--aql", "1.0", "--seed", "7"],
        "align": ["align", str(path), str(tmp / "aligned.jsonl"), *src, "--sentences", "--split",
                  *([] if "--src" in src else ["--src", "th", "--tgt", "vi"])],
        "clean": ["clean", str(path), str(tmp / "clean.jsonl"), "--rejects", str(tmp / "rejects.jsonl"), *src,
                  "--set", "adequacy=false", "--format", "json"],
        "mask": ["mask", str(path), str(tmp / "masked.jsonl"), *src, "--format", "json"],
    }


VERBS = ["validate", "stats", "evaluate", "annotate", "check", "convert", "train lexicon", "agree", "sample", "align",
         "clean", "mask"]


@pytest.mark.parametrize("name", READABLE)
@pytest.mark.parametrize("verb", VERBS)
def test_verb_reads_format(verb: str, name: str, corpora: dict[str, tuple[Path, int]], cli, tmp_path: Path) -> None:
    path, n = corpora[name]
    args = _verbs(path, tmp_path, name)[verb]
    res = cli(*args)
    out = res.output
    assert "Traceback" not in out and res.exception is None or isinstance(res.exception, SystemExit), out
    for refusal in ("cannot tell the input format", "unknown reader option", "can be written but not read",
                    "not a JSONL corpus", "does not name its languages"):
        assert refusal not in out, (verb, name, out)
    if verb == "train lexicon" and "tokens" not in get_format(name).carries:
        assert res.exit_code == 2 and "no tokens found" in res.stderr and len(res.stderr.splitlines()) == 1
        return
    if verb == "align" and get_format(name).max_sides == 1:  # one side: nothing to align it with, said in one line
        assert res.exit_code == 2 and "no target side" in res.stderr and len(res.stderr.splitlines()) == 1
        return
    assert res.exit_code in (0, 1), (verb, name, out)
    if verb == "stats":
        import orjson

        assert orjson.loads(res.stdout)["records"] == n
    if verb == "validate":
        assert f": {n} records" in res.stdout
    if verb == "convert":
        assert sum(1 for _ in read_corpus(tmp_path / "out.jsonl")) == n
    if verb == "align":
        assert all(lk["kind"] == "beads" for r in read_corpus(tmp_path / "aligned.jsonl") for lk in r["links"])
    if verb == "clean":  # nothing lost: every record kept or rejected
        import orjson

        counts = orjson.loads(res.stdout)
        kept = sum(1 for _ in read_corpus(tmp_path / "clean.jsonl"))
        rejected = sum(1 for _ in read_corpus(tmp_path / "rejects.jsonl"))
        assert counts["records"] == n == kept + rejected, (name, counts)
    if verb == "mask":
        assert sum(1 for _ in read_corpus(tmp_path / "masked.jsonl")) == n


def test_a_label_studio_export_named_json_is_a_corpus_not_a_manifest(cli, tmp_path: Path) -> None:
    """`lancang validate export.json` reads a Label Studio export (a JSON array) as records; a `.json`
    holding an object is still a manifest."""
    from lancang.corpora.samples import sample_path

    export = tmp_path / "export.json"
    res = cli("convert", str(sample_path()), str(export), "--format", "labelstudio", "--src", "th", "--allow-loss")
    assert res.exit_code == 0, res.output
    res = cli("validate", str(export))
    assert res.exit_code == 0, res.output
    assert f"{export}: 48 records, 48 valid" in res.stdout and len(res.stdout.splitlines()) == 2
    res = cli("stats", str(export), "--format", "json")
    import orjson

    assert orjson.loads(res.stdout)["languages"].keys() == {"th"}
    res = cli("validate", str(sample_path("sample.manifest.json")))
    assert res.exit_code == 0 and "1 manifest, 1 valid" in res.stdout
