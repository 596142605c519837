"""The bilingual human-machine review loop end to end, through the real CLI, with the commands of
docs/tutorial-review-loop.md: train a NER model on NERGrit -> tokens on both sides of TALPCo id-ms ->
Indonesian entities by the model -> word alignment -> projection to Malay -> bilingual Label Studio
tasks -> two reviewers' exports (played here) -> merge -> evaluate (machine vs merged) -> agree
(reviewer vs reviewer) -> acceptance sample -> the inspector's export -> inspect -> check with
thresholds and the processing log."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.jsonl import read_records, write_records
from lancang.schemas.validator import RecordValidator

from .annotators.helpers import needs
from .conftest import ROOT, shared

TUTORIAL = (ROOT / "docs" / "tutorial-review-loop.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.DOTALL)
N = 200  # the first 200 TALPCo id-ms pairs
SIDES = ("id", "ms")
Ent = tuple[int, int, str]


def steps() -> list[tuple[str, list[str], int]]:
    """The tutorial's console commands in order: (command, expected output lines, exit code)."""
    out: list[tuple[str, list[str], int]] = []
    for m in BLOCK.finditer(TUTORIAL):
        if m["lang"] != "console":
            continue
        for line in m["body"].splitlines():
            if line.startswith("$ "):
                out.append((line[2:], [], 0))
            elif line.startswith("# exit "):
                cmd, exp, _ = out[-1]
                out[-1] = (cmd, exp, int(line.split()[-1]))
            elif line.strip():
                out[-1][1].append(line)
    return out


def tutorial_file(name: str) -> str:
    return next(m["body"] for m in BLOCK.finditer(TUTORIAL) if m["file"] == name)


def talpco_pairs(n: int) -> list[dict[str, Any]]:
    """TALPCo's Indonesian and Malay sentences with the same id, as lancang records (text only)."""
    d = shared("parallel", "talpco")

    def lines(name: str) -> dict[str, str]:
        return dict(ln.split("\t", 1) for ln in (d / name).read_text(encoding="utf-8").splitlines())

    ind, zsm = lines("ind_data_ind.txt"), lines("zsm_data_zsm.txt")
    return [{"id": f"talpco-{k}", "sides": {"id": {"text": t}, "ms": {"text": zsm[k]}}}
            for k, t in list(ind.items())[:n]]


def guideline_entities(text: str, tag: str, guide: dict[str, Any]) -> list[Ent]:
    """What the annotation guideline of the tutorial marks: every listed name, as a whole word."""
    out = []
    for label, names in guide[tag].items():
        for m in re.finditer(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b", text):
            out.append((m.start(), m.end(), label))
    return sorted(out)


def ents(rec: dict[str, Any], tag: str) -> list[Ent]:
    layer = rec["sides"][tag].get("layers", {}).get("entities", {"items": []})
    return sorted((e["start"], e["end"], e["label"]) for e in layer["items"])


def u16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def region(task: dict[str, Any], n: int, ent: Ent, rid: str) -> dict[str, Any]:
    text = task["data"][f"text_{n}"]
    s, e, lab = ent
    return {"id": rid, "from_name": f"label_{n}", "to_name": f"text_{n}", "type": "labels",
            "value": {"start": u16(text, s), "end": u16(text, e), "text": text[s:e], "labels": [lab]}}


def export(tasks: list[dict[str, Any]], first_task: int, annotate) -> list[dict[str, Any]]:
    """A Label Studio project's JSON export: the tasks renumbered on import (the record id stays in
    meta.lancang_id), each with the annotations `annotate(k, task)` returns; predictions kept."""
    out = []
    for k, task in enumerate(tasks):
        task = copy.deepcopy(task)
        task["id"] = first_task + k
        task["annotations"] = annotate(k, task)
        out.append(task)
    return out


def correction(task: dict[str, Any], fixed: dict[str, list[Ent]], who: dict[str, Any], ann_id: int) -> dict[str, Any]:
    """A reviewer's submitted annotation started from the machine's prediction: the token regions and
    word-link relations as the prediction had them, the entity regions replaced by the corrected ones
    (a region the reviewer left alone keeps its id)."""
    [pred] = task["predictions"]
    keep = [r for r in pred["result"] if not r.get("from_name", "").startswith("label_")]
    kept = {(r["to_name"], r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]): r["id"]
            for r in pred["result"] if r.get("from_name", "").startswith("label_")}
    result = list(keep)
    for n, tag in enumerate(task["meta"]["lancang_langs"], 1):
        for j, ent in enumerate(fixed[tag]):
            r = region(task, n, ent, f"{who['id']}.{n}.{j}")
            key = (r["to_name"], r["value"]["start"], r["value"]["end"], ent[2])
            r["id"] = kept.get(key, r["id"])
            result.append(r)
    return {"id": ann_id, "completed_by": who, "result": result, "parent_prediction": pred.get("id", 1),
            "was_cancelled": False, "ground_truth": False, "created_at": "2026-05-04T10:00:00.000000Z",
            "lead_time": 12.5}


def bobs_slips(gold: dict[str, dict[str, list[Ent]]]) -> dict[str, dict[str, list[Ent]]]:
    """bob, as the tutorial says: numbering the records that have names 1, 2, 3, ... in corpus order, he
    forgets the first Malay name of records 1, 6, 11, ... and gives the last Indonesian name of records
    4, 12, 20, ... the other label."""
    out, j = {}, 0
    for rid, sides in gold.items():
        sides = {t: list(es) for t, es in sides.items()}
        if sides["id"] or sides["ms"]:
            j += 1
            if j % 5 == 1 and sides["ms"]:
                sides["ms"].pop(0)
            if j % 8 == 4 and sides["id"]:
                s, e, lab = sides["id"][-1]
                sides["id"][-1] = (s, e, "PLACE" if lab == "PERSON" else "PERSON")
        out[rid] = sides
    return out


def names_linked(rec: dict[str, Any]) -> bool:
    """carol's alignment check: every Indonesian name's tokens are linked to Malay tokens inside a Malay
    name of the same label, and to nothing else."""
    sides = rec["sides"]
    tok = {t: sides[t]["layers"]["tokens"]["spans"] for t in SIDES}
    [link] = [lk for lk in rec.get("links", []) if lk["kind"] == "tokens"]
    ms_ents = ents(rec, "ms")
    for s, e, lab in ents(rec, "id"):
        src = {i for i, (a, b) in enumerate(tok["id"]) if a < e and b > s}
        tgt = [tok["ms"][j] for i, j, *_ in link["pairs"] if i in src]
        if not tgt or not all(any(a >= ms and b <= me and ml == lab for ms, me, ml in ms_ents) for a, b in tgt):
            return False
    return True


def verdict(task: dict[str, Any], ok: bool, who: dict[str, Any], ann_id: int) -> dict[str, Any]:
    result = [{"id": f"v{ann_id}", "from_name": "verdict", "to_name": "text_1", "type": "choices",
               "value": {"choices": ["pass" if ok else "fail"]}}]
    if not ok:
        result.append({"id": f"d{ann_id}", "from_name": "defects", "to_name": "text_1", "type": "choices",
                       "value": {"choices": ["alignment"]}})
    return {"id": ann_id, "completed_by": who, "result": result, "was_cancelled": False, "ground_truth": False,
            "created_at": "2026-05-06T09:00:00.000000Z", "lead_time": 30.0}


def test_tutorial_has_the_whole_loop() -> None:
    verbs = [shlex.split(c)[1] for c, _, _ in steps()]
    assert verbs == ["train", "manifest", "annotate", "annotate", "align", "project", "convert", "merge", "evaluate",
                     "evaluate", "merge", "merge", "agree", "agree", "sample", "inspect", "check", "check", "check"]
    # every verb that changes the corpus leaves its step in the processing log (the two one-reviewer
    # merges only line the reviewers' records up for `agree`)
    for cmd, _, _ in steps():
        argv = shlex.split(cmd)
        merged = argv[1] == "merge" and argv[argv.index("-o") + 1] == "merged.jsonl"
        if argv[1] in ("annotate", "align", "project", "sample", "inspect") or merged:
            assert "--manifest manifest.json" in cmd, cmd


def run_step(cli, in_tmp: Path, cmd: str, expected: list[str], code: int) -> None:
    argv = shlex.split(cmd)
    assert argv[0] == "lancang"
    out_file = None
    if ">" in argv:
        argv, out_file = argv[:argv.index(">")], argv[argv.index(">") + 1]
    res = cli(*argv[1:])
    assert res.exit_code == code, (cmd, res.output)
    lines, pos = res.output.splitlines(), 0  # what a terminal shows: stdout and stderr
    for exp in expected:  # expected lines appear in order; "..." matches anything
        pat = re.escape(exp).replace(re.escape("..."), ".*")
        while pos < len(lines) and not re.fullmatch(pat, lines[pos]):
            pos += 1
        assert pos < len(lines), f"{cmd!r}: expected line {exp!r} not in:\n{res.output}"
        pos += 1
    if out_file:
        (in_tmp / out_file).write_text(res.stdout, encoding="utf-8")


@needs("spacy-ner")
def test_review_loop_end_to_end(cli, in_tmp: Path) -> None:
    import spacy

    (in_tmp / "nergrit").symlink_to(shared("ner", "id_nergrit").resolve(), target_is_directory=True)
    pairs = talpco_pairs(N)
    write_records(in_tmp / "talpco.jsonl", pairs)
    for m in BLOCK.finditer(TUTORIAL):
        if m["file"]:
            (in_tmp / m["file"]).write_text(m["body"], encoding="utf-8")
    guide = json.loads(tutorial_file("guideline.json"))
    gold = {r["id"]: {t: guideline_entities(r["sides"][t]["text"], t, guide) for t in SIDES} for r in pairs}
    bob = bobs_slips(gold)
    alice_who = {"id": 1, "email": "alice@example.org"}
    bob_who = {"id": 2, "email": "bob@example.org"}
    carol_who = {"id": 3, "email": "carol@example.org"}

    for cmd, expected, code in steps():
        run_step(cli, in_tmp, cmd, expected, code)
        if shlex.split(cmd)[1:3] == ["convert", "machine.jsonl"]:
            config = (in_tmp / "config.xml").read_text(encoding="utf-8")
            for n in (1, 2):
                assert f'<Labels name="label_{n}" toName="text_{n}">' in config
            assert '<Label value="PERSON"/>' in config and '<Label value="PLACE"/>' in config
            tasks = json.loads((in_tmp / "tasks.ls.json").read_text(encoding="utf-8"))
            assert len(tasks) == N and all(len(t["predictions"]) == 1 and "annotations" not in t for t in tasks)
            for name, who, fixed, first in (("alice", alice_who, gold, 1), ("bob", bob_who, bob, 1001)):
                exp = export(tasks, first, lambda k, t, who=who, fixed=fixed, first=first: [
                    correction(t, fixed[t["meta"]["lancang_id"]], who, first + k)])
                (in_tmp / f"{name}.ls.json").write_text(json.dumps(exp, ensure_ascii=False), encoding="utf-8")
        if shlex.split(cmd)[1] == "sample":
            assert '<Choices name="verdict"' in (in_tmp / "review-config.xml").read_text(encoding="utf-8")
            tasks = json.loads((in_tmp / "sample.ls.json").read_text(encoding="utf-8"))
            lot = {r["id"]: r for r in read_records(in_tmp / "merged.jsonl")}
            for k, t in enumerate(tasks):  # Label Studio numbers the annotations imported with the tasks
                for j, a in enumerate(t.get("annotations", [])):
                    a.setdefault("id", 7001 + 2 * k + j)
            exp = export(tasks, 5001, lambda k, t, lot=lot: t.get("annotations", []) + [
                verdict(t, names_linked(lot[t["meta"]["lancang_id"]]), carol_who, 9001 + k)])
            (in_tmp / "carol.ls.json").write_text(json.dumps(exp, ensure_ascii=False), encoding="utf-8")
            # a stricter carol, to show the verdicts decide: she fails the first three drawn records
            for k, task in enumerate(exp[:3]):
                task["annotations"][-1] = verdict(task, False, carol_who, 9001 + k)
            (in_tmp / "carol-strict.ls.json").write_text(json.dumps(exp, ensure_ascii=False), encoding="utf-8")

    # the machine: entities by a real model on the Indonesian side, projected to the Malay side
    machine = list(read_records(in_tmp / "machine.jsonl"))
    assert [r["id"] for r in machine] == [r["id"] for r in pairs]
    for r in machine:
        for tag in SIDES:
            assert r["sides"][tag]["layers"]["tokens"]["spans"]
        idp = r["sides"]["id"]["layers"]["entities"]["provenance"]
        msp = r["sides"]["ms"]["layers"]["entities"]["provenance"]
        assert idp["method"] == msp["method"] == "auto"
        assert idp["tool"]["version"] == f"{spacy.__version__} (id_nergrit 0.1.0)"
        assert msp["tool"]["name"] == "lancang.project" and msp["tool"]["settings"]["source"]["side"] == "id"
        assert all(e["attrs"]["confidence"] >= 0.5 for e in r["sides"]["ms"]["layers"]["entities"]["items"])

    # merged: alice's corrections (the curator's) on both sides, assisted, reviewed; nothing else lost
    merged = list(read_records(in_tmp / "merged.jsonl"))
    assert [r["id"] for r in merged] == [r["id"] for r in pairs]
    v = RecordValidator()
    corrected = 0
    for r, m in zip(merged, machine):
        assert v.check(r) == []
        assert r["links"] == m["links"]
        assert [x["reviewer"] for x in r["meta"]["review"]["reviews"]] == ["alice@example.org", "bob@example.org"]
        for tag in SIDES:
            assert ents(r, tag) == gold[r["id"]][tag]
            assert r["sides"][tag]["layers"]["tokens"] == m["sides"][tag]["layers"]["tokens"]
            prov = r["sides"][tag]["layers"]["entities"]["provenance"]
            assert prov["method"] == "assisted"
            assert prov["tool"] == m["sides"][tag]["layers"]["entities"]["provenance"]["tool"]
            changed = ents(r, tag) != ents(m, tag)
            assert prov["review"]["status"] == ("corrected" if changed else "accepted")
            # alice's correction, confirmed by bob where his is the same (annotator and reviewer kept apart)
            assert prov.get("annotator") == ("alice@example.org" if changed else None)
            confirmed = changed and bob[r["id"]][tag] == gold[r["id"]][tag]
            assert prov["review"]["reviewer"] == ("bob@example.org" if confirmed else "alice@example.org")
            corrected += changed
    assert 0 < corrected < 2 * N

    # evaluate: the machine against the merged entities, counted independently, side by side
    acc = json.loads((in_tmp / "accuracy.json").read_text(encoding="utf-8"))["accuracy"]["entities"]
    n_gold = sum(len(s[t]) for s in gold.values() for t in SIDES)
    n_pred = sum(len(ents(r, t)) for r in machine for t in SIDES)
    exact = sum(len(set(ents(r, t)) & set(gold[r["id"]][t])) for r in machine for t in SIDES)
    o = acc["overall"]
    assert (acc["records"], o["gold"], o["pred"], o["exact"]["correct"]) == (N, n_gold, n_pred, exact)
    assert o["exact"]["f1"] == pytest.approx(2 * exact / (n_gold + n_pred), abs=1e-6)
    assert 0.2 < o["exact"]["f1"] < 0.8  # a weak model on out-of-domain text: why the first check fails

    # agree: alice vs bob, span F1 and kappa from bob's slips
    agr = json.loads((in_tmp / "agreement.json").read_text(encoding="utf-8"))["agreement"]
    both = sum(len(set(gold[i][t]) & set(bob[i][t])) for i in gold for t in SIDES)
    n_bob = sum(len(s[t]) for s in bob.values() for t in SIDES)
    assert agr["span_f1"] == pytest.approx(2 * both / (n_gold + n_bob), abs=1e-6)
    assert [a["name"] for a in agr["annotators"]] == ["alice", "bob"]
    assert 0.8 <= agr["kappa"] < 1.0

    # inspect: carol's verdicts on the drawn records, verified against the merged corpus
    ins = json.loads((in_tmp / "inspection.json").read_text(encoding="utf-8"))
    sample = json.loads((in_tmp / "sample.ls.json").read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in merged}
    fails = sum(not names_linked(by_id[t["meta"]["lancang_id"]]) for t in sample)
    assert len(sample) == 32 and {t["meta"]["lancang_id"] for t in sample} <= set(by_id)
    insp = ins["inspection"]
    assert (insp["reviewed"], insp["defective"], insp["reviewers"]) == (32, fails, {"carol@example.org": 32})
    assert insp["decision"] == ("accept" if fails <= 2 else "reject")

    res = cli("inspect", "carol-strict.ls.json", "--corpus", "merged.jsonl", "--format", "json")
    assert res.exit_code == 1, res.output
    strict = json.loads(res.stdout)["inspection"]
    n_strict = 3 + sum(not names_linked(by_id[t["meta"]["lancang_id"]]) for t in sample[3:])
    assert (strict["defective"], strict["decision"], strict["defect_types"]) == (n_strict, "reject",
                                                                                  {"alignment": n_strict})

    # the processing log shows the loop, step by step, each with the tool's evidence
    log = json.loads((in_tmp / "manifest.json").read_text(encoding="utf-8"))["processing"]
    assert [(s["step"], s["tool"]) for s in log] == [
        ("preparation", "lancang manifest init"), ("annotation", "lancang annotate"),
        ("annotation", "lancang annotate"), ("alignment", "lancang align"), ("annotation", "lancang project"),
        ("review", "lancang merge"), ("sampling", "lancang sample"), ("review", "lancang inspect")]
    chain = log[1:6]  # talpco -> tokens -> entities -> aligned -> machine -> merged: each output the next input
    assert [s["outputs"][0]["sha256"] for s in chain[:-1]] == [s["inputs"][0]["sha256"] for s in chain[1:]]
    sha = hashlib.sha256((in_tmp / "merged.jsonl").read_bytes()).hexdigest()
    assert chain[-1]["outputs"] == [{"path": "merged.jsonl", "sha256": sha}]
    assert chain[-1]["counts"]["conflicts"]["disagreement"] == 13  # bob's 8 misses and 5 wrong labels
    assert chain[-1]["counts"]["layers"] == {"accepted": 2 * N - corrected, "corrected": corrected, "rejected": 0}

    # the thresholds really decide: the same metrics against a stricter or looser bar flip the verdict
    prof = json.loads(tutorial_file("reviewer-agreement.json"))
    prof["requirements"][0]["schema"]["properties"]["agreement"]["properties"]["kappa"]["minimum"] = 0.999
    (in_tmp / "strict.json").write_text(json.dumps(prof), encoding="utf-8")
    assert cli("check", "alice.jsonl", "-p", "strict.json", "--metrics", "agreement.json").exit_code == 1
    prof = json.loads(tutorial_file("machine-accuracy.json"))
    f1 = prof["requirements"][0]["schema"]["properties"]["accuracy"]["properties"]["entities"]
    f1["properties"]["overall"]["properties"]["exact"]["properties"]["f1"]["minimum"] = 0.1
    (in_tmp / "loose.json").write_text(json.dumps(prof), encoding="utf-8")
    assert cli("check", "merged.jsonl", "-p", "loose.json", "--metrics", "accuracy.json").exit_code == 0
