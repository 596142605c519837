"""Contractions in CoNLL-U: a multiword token whose surface has fewer characters than its words
(Portuguese ``à`` = ``a`` + ``a``) is valid at UD levels 1-2, but a lancang token is a non-empty span
of the text. The reader keeps such a sentence as its surface tokens with its token lines as read and
says so in ``meta.model_limits``; the writer gives the lines back byte for byte; ``check -p conllu``
reports a model limit (a warning), never a format violation. The sentences are written here."""

from __future__ import annotations

import glob
from pathlib import Path

import orjson
import pytest

from lancang.corpora.formats import MODEL_LIMITS
from lancang.corpora.formats.conllu import read, write
from lancang.errors import InputError
from lancang.schemas.validator import RecordValidator
from lancang.standards.conllu import validate

from ..conftest import SHARED_DATA, shared

#: "I went to the beach of Rio." / "I am going to the market.": à = a + a (1 character, 2 words), do = de + o
#: and ao = a + o (as many characters as words)
PT = (
    "# sent_id = pt-1\n# text = Fui à praia do Rio.\n"
    "1\tFui\tir\tVERB\t_\t_\t0\troot\t_\t_\n"
    "2-3\tà\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\ta\ta\tADP\t_\t_\t4\tcase\t_\t_\n"
    "3\ta\to\tDET\t_\tDefinite=Def|Gender=Fem|Number=Sing|PronType=Art\t4\tdet\t_\t_\n"
    "4\tpraia\tpraia\tNOUN\t_\t_\t1\tobl\t_\t_\n"
    "5-6\tdo\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "5\tde\tde\tADP\t_\t_\t7\tcase\t_\t_\n"
    "6\to\to\tDET\t_\t_\t7\tdet\t_\t_\n"
    "7\tRio\tRio\tPROPN\t_\t_\t4\tnmod\t_\tSpaceAfter=No\n"
    "8\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n"
    "\n"
    "# sent_id = pt-2\n# text = Vou ao mercado.\n"
    "1\tVou\tir\tVERB\t_\t_\t0\troot\t_\t_\n"
    "2-3\tao\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\ta\ta\tADP\t_\t_\t4\tcase\t_\t_\n"
    "3\to\to\tDET\t_\t_\t4\tdet\t_\t_\n"
    "4\tmercado\tmercado\tNOUN\t_\t_\t1\tobl\t_\tSpaceAfter=No\n"
    "5\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n"
    "\n"
)
#: Spanish "del" = de + el, "al" = a + el; French "au" = à + le, "aux" = à + les; German "zum" = zu + dem:
#: each as many characters as words or more, so every word keeps its span
OTHERS = {
    "es_x.conllu": (
        "# sent_id = es-1\n# text = Salgo del cine al parque.\n"
        "1\tSalgo\tsalir\tVERB\t_\t_\t0\troot\t_\t_\n"
        "2-3\tdel\t_\t_\t_\t_\t_\t_\t_\t_\n2\tde\tde\tADP\t_\t_\t4\tcase\t_\t_\n3\tel\tel\tDET\t_\t_\t4\tdet\t_\t_\n"
        "4\tcine\tcine\tNOUN\t_\t_\t1\tobl\t_\t_\n"
        "5-6\tal\t_\t_\t_\t_\t_\t_\t_\t_\n5\ta\ta\tADP\t_\t_\t7\tcase\t_\t_\n6\tel\tel\tDET\t_\t_\t7\tdet\t_\t_\n"
        "7\tparque\tparque\tNOUN\t_\t_\t1\tobl\t_\tSpaceAfter=No\n8\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n"),
    "fr_x.conllu": (
        "# sent_id = fr-1\n# text = Je vais au marché aux fleurs.\n"
        "1\tJe\til\tPRON\t_\t_\t2\tnsubj\t_\t_\n2\tvais\taller\tVERB\t_\t_\t0\troot\t_\t_\n"
        "3-4\tau\t_\t_\t_\t_\t_\t_\t_\t_\n3\tà\tà\tADP\t_\t_\t5\tcase\t_\t_\n4\tle\tle\tDET\t_\t_\t5\tdet\t_\t_\n"
        "5\tmarché\tmarché\tNOUN\t_\t_\t2\tobl\t_\t_\n"
        "6-7\taux\t_\t_\t_\t_\t_\t_\t_\t_\n6\tà\tà\tADP\t_\t_\t8\tcase\t_\t_\n7\tles\tle\tDET\t_\t_\t8\tdet\t_\t_\n"
        "8\tfleurs\tfleur\tNOUN\t_\t_\t5\tnmod\t_\tSpaceAfter=No\n9\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_\n\n"),
    "de_x.conllu": (
        "# sent_id = de-1\n# text = Ich gehe zum Bahnhof.\n"
        "1\tIch\tich\tPRON\t_\t_\t2\tnsubj\t_\t_\n2\tgehe\tgehen\tVERB\t_\t_\t0\troot\t_\t_\n"
        "3-4\tzum\t_\t_\t_\t_\t_\t_\t_\t_\n3\tzu\tzu\tADP\t_\t_\t5\tcase\t_\t_\n4\tdem\tder\tDET\t_\t_\t5\tdet\t_\t_\n"
        "5\tBahnhof\tBahnhof\tNOUN\t_\t_\t2\tobl\t_\tSpaceAfter=No\n6\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_\n\n"),
}


def put(tmp_path: Path, name: str, content: str) -> Path:
    p = tmp_path / name
    p.write_bytes(content.encode("utf-8"))
    return p


def test_the_sentences_are_valid_at_levels_1_2(tmp_path: Path) -> None:
    for name, content in {"pt_x.conllu": PT, **OTHERS}.items():
        assert list(validate(put(tmp_path, name, content))) == [], name


def test_a_contraction_is_read_as_its_surface_tokens_with_the_lines_as_read(tmp_path: Path) -> None:
    p = put(tmp_path, "pt_x.conllu", PT)
    first, second = read(p)  # the reader used to stop: "lancang cannot give each word a span"
    side = first["sides"]["pt"]
    assert side["text"] == "Fui à praia do Rio."
    assert [side["text"][s:e] for s, e in side["layers"]["tokens"]["spans"]] == ["Fui", "à", "praia", "do", "Rio",
                                                                                  "."]
    assert set(side["layers"]) == {"tokens"}  # no per-word layer on surface tokens
    lines = side["meta"]["conllu"]["lines"]
    assert lines == [line for line in PT.split("\n\n")[0].split("\n") if not line.startswith("#")]
    [limit] = first["meta"][MODEL_LIMITS]
    assert limit.startswith("line 4: multiword token 2-3 'à' has fewer characters than its 2 words (a + a)")
    assert RecordValidator().check(first) == []
    # a contraction with as many characters as words keeps its words, as before
    assert "meta" not in second and second["sides"]["pt"]["layers"]["head"]["values"] == [0, 4, 4, 1, 1]


def test_every_contraction_of_a_sentence_is_named(tmp_path: Path) -> None:
    words = ["1\tFui\tir\tVERB\t_\t_\t0\troot\t_\t_",
             "2-3\tà\t_\t_\t_\t_\t_\t_\t_\t_", "2\ta\ta\tADP\t_\t_\t6\tcase\t_\t_", "3\ta\to\tDET\t_\t_\t6\tdet\t_\t_",
             "4-5\tà\t_\t_\t_\t_\t_\t_\t_\t_", "4\ta\ta\tADP\t_\t_\t6\tcase\t_\t_", "5\ta\to\tDET\t_\t_\t6\tdet\t_\t_",
             "6\tpraia\tpraia\tNOUN\t_\t_\t1\tobl\t_\tSpaceAfter=No", "7\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_"]
    p = put(tmp_path, "pt_x.conllu", "# sent_id = a\n# text = Fui à à praia.\n" + "\n".join(words) + "\n\n")
    [rec] = read(p)
    assert [x.split(":")[0] for x in rec["meta"][MODEL_LIMITS]] == ["line 4", "line 7"]


def test_round_trip_is_byte_identical(tmp_path: Path) -> None:
    for name, content in {"pt_x.conllu": PT, **OTHERS}.items():
        p = put(tmp_path, name, content)
        out = tmp_path / ("back_" + name)
        recs = list(read(p))
        assert write(iter(recs), out) == len(recs)
        assert out.read_bytes() == p.read_bytes(), name
        if name != "pt_x.conllu":
            assert all(MODEL_LIMITS not in r.get("meta", {}) for r in recs)
            assert all("head" in r["sides"][name[:2]]["layers"] for r in recs)


def test_the_round_trip_through_jsonl_keeps_the_bytes(tmp_path: Path, cli) -> None:
    p = put(tmp_path, "pt_x.conllu", PT)
    mid, back = tmp_path / "mid.jsonl", tmp_path / "back.conllu"
    assert cli("convert", str(p), str(mid)).exit_code == 0
    assert cli("convert", str(mid), str(back), "--src", "pt").exit_code == 0
    assert back.read_bytes() == p.read_bytes()  # model_limits is lancang's note, not written as a comment


def test_the_writer_refuses_what_the_kept_lines_no_longer_say(tmp_path: Path) -> None:
    [rec, _] = read(put(tmp_path, "pt_x.conllu", PT))
    side = rec["sides"]["pt"]
    tagged = orjson.loads(orjson.dumps(rec))
    tagged["sides"]["pt"]["layers"]["pos"] = {"values": ["VERB", "ADP", "NOUN", "ADP", "PROPN", "PUNCT"]}
    with pytest.raises(InputError, match=r"record 'pt-1': its CoNLL-U token lines are kept as read .* layers pos"):
        write([tagged], tmp_path / "o.conllu")
    side["text"] = "Fui a praia do Rio."  # edited text: the lines say "à"
    with pytest.raises(InputError, match=r"record 'pt-1': .* no longer spell their forms"):
        write([rec], tmp_path / "o.conllu")


def test_check_reports_a_model_limit_not_a_violation(cli, tmp_path: Path) -> None:
    p = put(tmp_path, "pt_x.conllu", PT)
    res = cli("check", str(p), "-p", "conllu", "--format", "json")
    assert res.exit_code == 0, res.output
    rep = orjson.loads(res.stdout)
    assert rep["verdict"] == "conformant"
    by_id = {q["id"]: q for q in rep["requirements"]}
    assert by_id["format"]["verdict"] == "pass" and by_id["canonical-record"]["verdict"] == "pass"
    limits = by_id["model-limits"]
    assert (limits["severity"], limits["findings"]) == ("warning", 1)
    assert limits["shown"][0]["record"] == "pt-1" and "'à'" in limits["shown"][0]["message"]


def test_a_real_violation_beside_a_contraction_is_the_validators(cli, tmp_path: Path) -> None:
    p = put(tmp_path, "pt_x.conllu", PT.replace("4\tcase\t_\t_\n3\ta", "4\tcasex:y:z\t_\t_\n3\ta"))
    rep = orjson.loads(cli("check", str(p), "-p", "conllu", "--format", "json").stdout)
    by_id = {q["id"]: q for q in rep["requirements"]}
    assert rep["verdict"] == "not-conformant"
    assert [f["params"]["code"] for f in by_id["format"]["shown"]] == ["invalid-deprel"]
    assert by_id["canonical-record"]["verdict"] == "pass"  # read, not "reading stopped"


def _mwt_files() -> list[str]:
    files = sorted(glob.glob(str(SHARED_DATA / "ud" / "*" / "*.conllu"))
                   + glob.glob(str(SHARED_DATA / "parallel" / "pud" / "*.conllu")))
    out = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            if any(line[:1].isdigit() and "-" in line.split("\t", 1)[0] for line in fh):
                out.append(f)
    return out


def test_shared_ud_files_with_multiword_tokens_keep_their_words(tmp_path: Path) -> None:
    shared("ud")
    files = _mwt_files()
    assert files  # id_gsd, en_pud, id_pud have multiword tokens
    for f in files:
        recs = list(read(f))
        assert not [r["id"] for r in recs if MODEL_LIMITS in r.get("meta", {})], f
        out = tmp_path / Path(f).name
        write(iter(recs), out)
        assert out.read_bytes() == Path(f).read_bytes(), f
