"""Output that must not follow PYTHONHASHSEED: a set's iteration order changes from one process to the
next, and lancang promises byte-identical output between runs, processes (the pipeline joins shards
that different workers made) and executors. Each test runs the same code in subprocesses under
several hash seeds and compares what they print (tests/processing/test_number_matching.py has the
first of these, for clean's qa filter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import shared

SEEDS = ("0", "1", "2")


def outputs(code: str, *args: str, seeds: tuple[str, ...] = SEEDS) -> dict[str, str]:
    """What ``code`` prints under each hash seed (``sys.argv[1:]`` are ``args``); the processes run
    side by side."""
    procs = {seed: subprocess.Popen([sys.executable, "-c", code, *args], env={**os.environ, "PYTHONHASHSEED": seed},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for seed in seeds}
    out = {}
    for seed, p in procs.items():
        stdout, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr[-2000:]
        out[seed] = stdout
    return out


def assert_same(out: dict[str, str]) -> None:
    first = next(iter(out.values()))
    assert first.strip(), "nothing printed"
    for seed, text in out.items():
        assert text == first, f"PYTHONHASHSEED={seed} printed something else than the first seed"


def test_jieba_native_lexicon_same_dictionary_in_every_process(tmp_path: Path) -> None:
    # jieba suggests an added word's frequency from the dictionary as it stands: adding the gold's
    # words in set order gave 国联军/石库 a frequency in some processes and not in others, so
    # 靖国联军 and 石库门 (UD GSDSimp dev sentences 167 and 463) were cut differently
    gold = shared("ud", "zh_gsdsimp", "zh_gsdsimp-ud-dev.conllu")
    from lancang.annotators.lexicon import train_lexicon

    lex = tmp_path / "zh.lex"
    train_lexicon(str(gold), output=str(lex), lang="zh")
    code = (
        "import sys\n"
        "from lancang.annotators import spec\n"
        "texts = [l[9:].strip() for l in open(sys.argv[2], encoding='utf-8') if l.startswith('# text =')]\n"
        "ann = spec('jieba').build({'lexicon': sys.argv[1], 'lexicon_native': True})\n"
        "for t, spans in zip(texts, ann.run('tokens', texts, 'zh-Hans')):\n"
        "    print('|'.join(t[s:e] for s, e in spans))\n")
    out = outputs(code, str(lex), str(gold))
    assert_same(out)
    assert "|靖国|联军|" in out["0"] or "|靖|国联军|" in out["0"]


def test_labelstudio_names_on_a_tie_are_the_first_read(tmp_path: Path) -> None:
    # two label controls used once each: the one kept as the task's name (the other stays in the
    # entity's attrs) was a set's max, which followed the hash seed (PYTHONHASHSEED=3 chose 'place')
    src = tmp_path / "two.ls.json"
    src.write_text('[{"id": 1, "data": {"text": "Obama visited Hanoi."}, "annotations": [{"id": 1, "result": ['
                   '{"id": "a", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, '
                   '"end": 5, "text": "Obama", "labels": ["PER"]}}, {"id": "b", "from_name": "place", "to_name": '
                   '"text", "type": "labels", "value": {"start": 14, "end": 19, "text": "Hanoi", "labels": '
                   '["LOC"]}}]}]}]', encoding="utf-8")
    code = ("import sys, orjson\n"
            "from lancang.corpora.formats import read_corpus\n"
            "for rec in read_corpus(sys.argv[1], 'labelstudio', ['en']):\n"
            "    print(orjson.dumps(rec).decode())\n")
    out = outputs(code, str(src), seeds=("0", "1", "2", "3", "4", "5"))
    assert_same(out)
    assert '"names":{"from_name":"label","to_name":"text"}' in out["0"]


def test_convert_counts_lost_features_in_name_order(tmp_path: Path) -> None:
    # the features a record loses are a set; counted into a Counter in its order they reached the
    # manifest's processing log (and --format json) in an order that followed the hash seed
    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "r1", "doc": "d1", "meta": {"k": "v"}, "sides": {"th": {"text": "สวัสดี ครับ", "layers": {'
                   '"sentences": {"spans": [[0, 11]]}, "tokens": {"spans": [[0, 6], [7, 11]]}, "entities": {"items": '
                   '[{"start": 0, "end": 6, "label": "X"}]}}}}}\n', encoding="utf-8")
    code = ("import sys, orjson\n"
            "from lancang.corpora.convert import convert\n"
            "rep = convert(sys.argv[1], sys.argv[2], to_format='text', langs=['th'], allow_loss=True)\n"
            "print(orjson.dumps(rep.to_dict()['lost']).decode())\n")
    out = outputs(code, str(src), str(tmp_path / "out.txt"), seeds=("0", "1", "2", "3", "4", "5"))
    assert_same(out)
    assert out["0"].strip() == '{"doc":1,"entities":1,"meta":1,"sentences":1,"tokens":1}'


def test_pipeline_file_errors_in_a_fixed_order() -> None:
    # jsonschema reports the keys failing an additionalProperties schema in a set's order; the first
    # message is the one `lancang run` shows
    code = ("from lancang.pipeline.spec import schema_errors\n"
            "doc = {'input': 'a.jsonl', 'output': 'b.jsonl', 'steps': [{'step': 'annotate', 'layers': ['tokens'],\n"
            "       'config': {'jieba': 1, 'newmm': 2, 'pyvi': 3, 'nlpo3': 4}}]}\n"
            "print(schema_errors(doc))\n")
    out = outputs(code, seeds=("0", "1", "2", "3", "4", "5"))
    assert_same(out)
    assert out["0"].startswith("[\"/steps/0/config/jieba: 1 is not of type 'object'\"")
