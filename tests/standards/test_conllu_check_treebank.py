"""`lancang check FOLDER -p conllu`: a UD treebank of several .conllu files checked as one (the
validator's validate_files state: sent_id unique across the files ...), findings located per file, the
report naming every file and its hash; and the validator's level-2 MISC warnings shown as warnings of
the format requirement that never change the verdict. Fixtures are written here (Indonesian BASE)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from lancang.schemas import load_schema
from lancang.schemas.validator import SchemaEngine
from lancang.standards.report import render_html, render_text

from ..conftest import shared
from .test_conllu_levels import BASE, KAMI, kami

#: the same treebank's second file: its own sentence ids
OTHER = BASE.replace("# sent_id = s1\n", "# sent_id = t1\n").replace("# sent_id = s2\n", "# sent_id = t2\n")
REPORT = SchemaEngine(load_schema("report"))


def treebank(tmp_path: Path, files: dict[str, str]) -> Path:
    tb = tmp_path / "UD_Indonesian-X"
    tb.mkdir()
    (tb / "README.md").write_text("# a treebank\n", encoding="utf-8")  # not a .conllu file: not read
    (tb / "LICENSE.txt").write_text("CC BY-SA 4.0\n", encoding="utf-8")
    for name, content in files.items():
        (tb / name).write_bytes(content.encode("utf-8"))
    return tb


def run(cli, corpus: Path, *extra: str) -> tuple[int, dict]:
    res = cli("check", str(corpus), "-p", "conllu", "--format", "json", *extra)
    assert res.exit_code in (0, 1), res.output
    rep = orjson.loads(res.stdout)
    assert REPORT.errors(rep) == []
    return res.exit_code, rep


def req(rep: dict, rid: str) -> dict:
    [q] = [q for q in rep["requirements"] if q["id"] == rid]
    return q


def test_a_folder_is_one_treebank(cli, tmp_path: Path) -> None:
    tb = treebank(tmp_path, {"id_x-ud-dev.conllu": BASE, "id_x-ud-test.conllu": OTHER})
    code, rep = run(cli, tb)
    assert (code, rep["verdict"], rep["summary"]["records"]) == (0, "conformant", 4)
    files = rep["signature"]["files"]
    assert [Path(f["path"]).name for f in files] == ["id_x-ud-dev.conllu", "id_x-ud-test.conllu"]
    for f in files:
        assert f["sha256"] == hashlib.sha256(Path(f["path"]).read_bytes()).hexdigest()
    text = render_text(rep)
    assert all(f"{f['path']} sha256 {f['sha256']}" in text for f in files)
    page = render_html(rep)
    assert all(f["sha256"] in page for f in files)


def test_sent_id_repeated_in_another_file_is_found_there(cli, tmp_path: Path) -> None:
    # each file alone is valid: only the treebank has the repeat
    tb = treebank(tmp_path, {"id_x-ud-dev.conllu": BASE, "id_x-ud-test.conllu": BASE})
    code, rep = run(cli, tb)
    assert (code, rep["verdict"]) == (1, "not-conformant")
    fmt = req(rep, "format")
    assert [(Path(f["file"]).name, f["line"], f["params"]["code"]) for f in fmt["shown"]] == [
        ("id_x-ud-test.conllu", 2, "non-unique-sent-id"), ("id_x-ud-test.conllu", 12, "non-unique-sent-id")]
    assert "id_x-ud-dev.conllu" in fmt["shown"][0]["message"]  # names the file of the first use


def test_record_findings_name_their_file(cli, tmp_path: Path) -> None:
    bad = OTHER.replace("\tINTJ\t", "\tEXCL\t")
    tb = treebank(tmp_path, {"id_x-ud-dev.conllu": BASE, "id_x-ud-test.conllu": bad})
    _code, rep = run(cli, tb)
    [f] = req(rep, "upos")["shown"]
    assert (Path(f["file"]).name, f["line"], f["record"]) == ("id_x-ud-test.conllu", 2, "t2")
    [g] = req(rep, "format")["shown"]
    assert (Path(g["file"]).name, g["params"]["code"]) == ("id_x-ud-test.conllu", "unknown-upos")


def test_a_file_the_reader_stops_on_does_not_stop_the_others(cli, tmp_path: Path) -> None:
    broken = BASE.replace(KAMI, KAMI.replace("\t2:nsubj\t_\n", "\t2:nsubj\n"))  # 9 columns
    tb = treebank(tmp_path, {"id_x-ud-dev.conllu": broken, "id_x-ud-test.conllu": OTHER})
    _code, rep = run(cli, tb)
    assert rep["summary"]["records"] == 2  # the second file is read in full
    [stop] = req(rep, "canonical-record")["shown"]
    assert Path(stop["file"]).name == "id_x-ud-dev.conllu" and "reading stopped" in stop["message"]
    strict = [(Path(f["file"]).name, f["line"], f["params"]["code"]) for f in req(rep, "format")["shown"]
              if f["code"] == "source-format.conllu"]
    assert strict[0] == ("id_x-ud-dev.conllu", 4, "number-of-columns")


def test_a_folder_without_conllu_files_is_an_input_error(cli, tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "README.md").write_text("x\n", encoding="utf-8")
    res = cli("check", str(empty), "-p", "conllu")
    assert res.exit_code == 2 and "is a directory" in res.output and "Traceback" not in res.output


def test_one_file_has_no_files_list(cli, tmp_path: Path) -> None:
    p = tmp_path / "id_x.conllu"
    p.write_text(BASE, encoding="utf-8")
    _code, rep = run(cli, p)
    assert "files" not in rep["signature"]


# ---------------------------------------------------------------------------------- level-2 warnings


def test_misc_warnings_are_shown_as_warnings_of_the_format_requirement(cli, tmp_path: Path) -> None:
    p = tmp_path / "id_x.conllu"
    p.write_text(kami(9, "Gloss=we||Lang=id"), encoding="utf-8")
    code, rep = run(cli, p)
    assert (code, rep["verdict"]) == (0, "conformant")
    fmt = req(rep, "format")
    assert (fmt["verdict"], fmt["findings"], fmt["warnings"]) == ("pass", 1, 1)
    [w] = fmt["shown"]
    assert (w["severity"], w["line"], w["code"], w["params"]["code"]) == (
        "warning", 4, "source-format.conllu-warning", "empty-misc")
    assert w["message"].startswith("empty-misc (warning, not part of the verdict): ")
    zh = render_text(rep, "zh")
    assert "empty-misc：CoNLL-U 警告（不影响结论）：MISC 中两个 | 之间不应为空" in zh


def test_warnings_never_crowd_out_the_errors(cli, tmp_path: Path) -> None:
    # two warnings (empty-misc-key, empty-misc) come before the error in the file; one finding shown per kind
    body = kami(9, "=a|b||c").replace("\tINTJ\t", "\tEXCL\t")
    p = tmp_path / "id_x.conllu"
    p.write_text(body, encoding="utf-8")
    _code, rep = run(cli, p, "--max-findings", "1")
    assert rep["verdict"] == "not-conformant"
    fmt = req(rep, "format")
    assert fmt["verdict"] == "fail" and (fmt["warnings"], fmt["findings"]) == (2, 3)
    assert sorted(f["severity"] for f in fmt["shown"]) == ["error", "warning"]
    assert [f["params"]["code"] for f in fmt["shown"] if f["severity"] == "error"] == ["unknown-upos"]


def test_a_shared_ud_treebank_folder_is_conformant(cli) -> None:
    folder = shared("ud", "vi_vtb")  # dev and train beside SOURCE.txt: one treebank, sent_ids unique across
    code, rep = run(cli, folder)
    assert (code, rep["verdict"], rep["summary"]["findings"]) == (0, "conformant", 0)
    names = [Path(f["path"]).name for f in rep["signature"]["files"]]
    assert names == ["vi_vtb-ud-dev.conllu", "vi_vtb-ud-train.conllu"]
    sentences = sum(line.startswith("# sent_id = ") for f in rep["signature"]["files"]
                    for line in Path(f["path"]).read_text(encoding="utf-8").splitlines())
    assert rep["summary"]["records"] == sentences > 0
