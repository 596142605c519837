"""Honest profiles (issue 13): every requirement points to the fact it rests on, in docs/standards/."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from lancang.standards.profiles import (
    FACTS_PREFIX,
    ProfileError,
    available,
    fact_text,
    facts_dir,
    load_profile,
    resolve_source,
)

from .test_check import profile_file

SHIPPED = sorted(available())
FACTS = facts_dir()


def source_violations(doc: dict[str, Any], where: str) -> list[str]:
    """What makes a shipped profile dishonest: a requirement without a source (every shipped requirement
    needs one; `text` and `secondary` ones above all), a source outside docs/standards/ or pointing to no
    fact there, a `text` requirement resting on a fact not read in the standard's own text ([V]), a
    `secondary` one on a fact not read anywhere ([V] or [V3])."""
    out = []
    for req in doc["requirements"]:
        rid, src = f"{where}/{req['id']}", req.get("source")
        if src is None:
            out.append(f"{rid}: basis {req['basis']} and no source")
            continue
        if not src.startswith(FACTS_PREFIX):
            out.append(f"{rid}: source {src!r} is not in the project's record of facts ({FACTS_PREFIX})")
            continue
        path, anchor, problem = resolve_source(src, None)
        if problem or path is None:
            out.append(f"{rid}: {problem or 'the record of facts is not here'}")
            continue
        fact = fact_text(path, anchor)
        tags = set(re.findall(r"\[(V3|V|I)\b", fact))
        if req["basis"] == "text" and "V" not in tags:
            out.append(f"{rid}: basis text but fact {src} was not read in the standard's own text ([V])")
        if req["basis"] == "secondary" and not tags & {"V", "V3"}:
            out.append(f"{rid}: basis secondary but fact {src} was not read anywhere ([V] or [V3])")
    return out


def _doc(pid: str) -> dict[str, Any]:
    return orjson.loads(Path(available()[pid]).read_bytes())


@pytest.mark.skipif(not FACTS.is_dir(), reason="docs/standards/ is not beside the package (installed wheel)")
@pytest.mark.parametrize("pid", SHIPPED)
def test_every_shipped_requirement_rests_on_a_fact_in_docs_standards(pid: str) -> None:
    assert source_violations(_doc(pid), pid) == []


def test_the_source_test_fails_on_a_dishonest_profile() -> None:
    doc = _doc("conllu")
    bad = copy.deepcopy(doc)
    del bad["requirements"][2]["source"]  # upos, basis text
    bad["requirements"][0]["source"] = "docs/standards/conllu.md#no-such-fact"
    bad["requirements"][1]["source"] = "elsewhere/conllu.md#nfc"
    bad["requirements"][3]["source"] = "docs/standards/tmx-1.4b.md#profile-rules"  # an [I] fact under basis text
    v = source_violations(bad, "conllu")
    assert len(v) == 4, v
    assert "conllu/upos: basis text and no source" in v
    assert any("no-such-fact" in x for x in v) and any("not in the project's record" in x for x in v)
    assert any(x.startswith("conllu/tree: basis text but fact") for x in v)


def test_every_file_of_the_record_is_reached_and_tagged() -> None:
    used = {r["source"].split("#")[0].removeprefix(FACTS_PREFIX) for pid in SHIPPED for r in _doc(pid)["requirements"]}
    files = {p.name for p in FACTS.glob("*.md")} - {"README.md"}
    assert files - used == set(), "facts no profile uses"
    for f in files:
        text = (FACTS / f).read_text(encoding="utf-8")
        for anchor in re.findall(r'<a id="([^"]+)"></a>', text):
            tagged = re.search(r"\[(V3|V|I|not found|lancang)\b", fact_text(FACTS / f, anchor))
            assert tagged, f"{f}#{anchor} has no evidence tag"


def test_profiles_validate_refuses_a_source_that_points_nowhere(tmp_path: Path, cli) -> None:
    req = {"id": "r", "clause": "5.1", "basis": "text", "kind": "rule", "rule": "text-nfc", "title": {"en": "t"},
           "source": "docs/standards/gb-t-40035-2021.md#5.9"}
    p = profile_file(tmp_path, "nowhere", requirements=[req])
    res = cli("profiles", "validate", str(p))
    assert res.exit_code == 2
    [line] = res.output.splitlines()
    assert "/requirements/0/source" in line and "gb-t-40035-2021.md#5.9" in line and "points nowhere" in line
    with pytest.raises(ProfileError, match="points nowhere"):
        load_profile(str(p))
    req["source"] = "docs/standards/no-such-standard.md#scope"
    p = profile_file(tmp_path, "nofile", requirements=[req])
    res = cli("profiles", "validate", str(p))
    assert res.exit_code == 2 and "no file docs/standards/no-such-standard.md" in res.output


def test_a_source_that_is_not_a_pointer_is_refused_by_the_schema(tmp_path: Path, cli) -> None:
    req = {"id": "r", "clause": "5.1", "basis": "text", "kind": "rule", "rule": "text-nfc", "title": {"en": "t"},
           "source": "read it somewhere"}
    res = cli("profiles", "validate", str(profile_file(tmp_path, "vague", requirements=[req])))
    assert res.exit_code == 2 and "/requirements/0/source" in res.output


def test_a_users_own_record_of_facts_beside_the_profile(tmp_path: Path, cli) -> None:
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / "ours.md").write_text('<a id="c4"></a>\n## 4.2\n> "Texts are NFC." [V]\n', encoding="utf-8")
    req = {"id": "r", "clause": "4.2", "basis": "text", "kind": "rule", "rule": "text-nfc", "title": {"en": "t"},
           "source": "facts/ours.md#c4"}
    res = cli("profiles", "validate", str(profile_file(tmp_path, "ours", requirements=[req])))
    assert res.exit_code == 0, res.output
    req["source"] = "facts/ours.md#c5"
    res = cli("profiles", "validate", str(profile_file(tmp_path, "ours2", requirements=[req])))
    assert res.exit_code == 2 and 'has no fact <a id="c5">' in res.output
    outside = tmp_path.parent / f"{tmp_path.name}-outside.md"
    outside.write_text('<a id="x"></a>\n', encoding="utf-8")
    req["source"] = f"../{outside.name}#x"
    res = cli("profiles", "validate", str(profile_file(tmp_path, "escape", requirements=[req])))
    assert res.exit_code == 2 and "points outside" in res.output
    req["source"] = "docs/standards/../../README.md#x"
    res = cli("profiles", "validate", str(profile_file(tmp_path, "escape2", requirements=[req])))
    assert res.exit_code == 2 and "points outside" in res.output


def test_text_without_source_is_a_warning_of_profiles_validate(tmp_path: Path, cli) -> None:
    req = {"id": "r", "clause": "4.2", "basis": "secondary", "kind": "rule", "rule": "text-nfc", "title": {"en": "t"}}
    res = cli("profiles", "validate", str(profile_file(tmp_path, "unsourced", requirements=[req])))
    assert res.exit_code == 0
    assert "/requirements/0: warning: basis 'secondary' without a source" in res.stderr
    req["basis"] = "default"
    res = cli("profiles", "validate", str(profile_file(tmp_path, "dflt", requirements=[req])))
    assert res.exit_code == 0 and "warning" not in res.stderr


def test_profiles_show_shows_the_source(cli) -> None:
    res = cli("profiles", "show", "tc260-003")
    assert res.exit_code == 0
    assert "source: docs/standards/tc260-003.md#9.2" in res.stdout
    assert res.stdout.count("source: docs/standards/") == len(load_profile("tc260-003").requirements)


STANDARDS_MD = Path(__file__).resolve().parents[3] / "shared" / "STANDARDS.md"
_TAG = re.compile(r"\s*\[(?:V3|V|I)(?:[:,][^\]]*)?\]")


def _plain(text: str) -> str:
    """Text without evidence brackets, list bullets and line wrapping."""
    return re.sub(r"\s+", " ", re.sub(r"(?m)^\s*[-*] ", "", _TAG.sub("", text)))


@pytest.mark.skipif(not STANDARDS_MD.exists(), reason="../shared/STANDARDS.md (the facts gathered) is not here")
def test_the_record_quotes_only_what_the_gathered_facts_record() -> None:
    """Every quotation (`> ...`) in docs/standards/ is a passage of STANDARDS.md, word for word (evidence
    brackets and bullets aside; ` … ` joins two passages): no clause is invented or reworded."""
    facts = _plain(STANDARDS_MD.read_text(encoding="utf-8"))
    quotes = 0
    for f in sorted(FACTS.glob("*.md")):
        for block in re.findall(r"(?m)(?:^> .*\n?)+", f.read_text(encoding="utf-8")):
            text = " ".join(line[2:] for line in block.splitlines())
            for part in _plain(text).strip().split(" … "):
                quotes += 1
                assert part.strip().rstrip(".;") in facts, f"{f.name}: not in STANDARDS.md: {part[:80]!r}"
    assert quotes > 40
