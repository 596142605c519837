"""Guards that keep the house in order: what each registry holds, a contract test per format, a
documented rule id with a fixture for every validator finding."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import lancang
from lancang.annotators import ANNOTATORS
from lancang.annotators.align import SENTENCE_ALIGNERS, WORD_ALIGNERS
from lancang.corpora.formats import FORMATS
from lancang.standards.profiles import available
from lancang.standards.rules import RULES

ROOT = Path(lancang.__file__).resolve().parent
TESTS = Path(__file__).resolve().parent

#: Change a registry, then this table, on purpose (and the docs that list the entries).
GOLDEN = {
    "format": ["brat", "conll", "conllu", "ctm", "docbin", "doccano", "eaf", "inline", "jsonl", "kaldi", "labelstudio",
               "moses", "parquet", "pharaoh", "srt", "stm", "text", "textgrid", "tmx", "tsv", "webvtt", "xliff",
               "xliff2"],
    "annotator": ["burmesenlp", "crf-ner", "crfcut", "jieba", "khmer-nltk", "laonlp", "newmm", "nlpo3", "punct",
                  "pyvi", "sentencepiece", "spacy", "spacy-ner", "stanza", "underthesea"],
    "rule": ["dependency-tree", "duplicate-pairs", "duplicate-records", "entity-labels", "entity-token-boundaries",
             "guideline-sections", "lang-allowed", "layer-values", "layers-required", "links-required",
             "manifest-fields", "manifest-role-separation", "manifest-roles", "media-referenced", "media-verified",
             "model-invariants", "pii-residual", "processing-steps", "provenance-present", "role-separation",
             "script-matches-language", "segment-empty", "segment-untranslated", "sentences-tile", "sides-required",
             "source-format", "speakers-declared", "text-bom", "text-control-chars", "text-mojibake", "text-nfc",
             "text-zawgyi", "timed-segment-empty", "tmx-header", "tokens-tile"],
    "sentence aligner": ["gale-church", "lancang"],
    "word aligner": ["eflomal", "gibbs", "ibm2"],
    "profile": ["conllu", "db14-t-2465-2022", "gb-t-40035-2021", "gb-t-42755-2023", "lancang-text-hygiene",
                "lancang-zh-asean-parallel", "lancang-zh-asean-speech", "tc260-003", "tc609-5-2025-02",
                "tc609-5-2025-04", "tmx-1.4b", "xliff-2"],
}


@pytest.mark.parametrize("kind,registry", [("format", FORMATS), ("annotator", ANNOTATORS), ("rule", RULES),
                                           ("sentence aligner", SENTENCE_ALIGNERS), ("word aligner", WORD_ALIGNERS)])
def test_registry_contents(kind: str, registry: object) -> None:
    assert registry.names() == GOLDEN[kind]  # type: ignore[attr-defined]
    for name in registry.names():  # type: ignore[attr-defined]
        assert registry.get(name) is not None  # type: ignore[attr-defined]  # every entry loads


def test_profiles_shipped() -> None:
    assert sorted(available()) == GOLDEN["profile"]


def test_every_format_has_a_contract_test_subclass() -> None:
    covered = set()
    for path in (TESTS / "formats").glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(getattr(b, "id", None) == "FormatContract" for b in node.bases):
                for stmt in node.body:
                    if (isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Constant)
                            and any(getattr(t, "id", None) == "format_name"
                                    for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]))):
                        covered.add(stmt.value.value)
    assert set(FORMATS.names()) - covered == set(), "formats without a FormatContract subclass"


def _validator_rule_ids() -> set[str]:
    """Every rule id the record validator and the JSONL reader can emit, read from their source."""
    ids: set[str] = set()
    for path in [*(ROOT / "schemas").rglob("*.py"), *(ROOT / "corpora").glob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            # ("rule-id", "error" | "warning", ...) tuples, Finding("rule-id", ...) and Problem(line, "code", ...)
            if (isinstance(node, ast.Tuple) and len(node.elts) >= 2
                    and all(isinstance(e, ast.Constant) for e in node.elts[:2])
                    and node.elts[1].value in ("error", "warning") and isinstance(node.elts[0].value, str)):
                ids.add(node.elts[0].value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Finding", "Problem"):
                args = node.args[1:2] if node.func.id == "Problem" else node.args[:1]
                ids.update(a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return {i for i in ids if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+|[a-z]+", i)}


def test_every_validator_rule_id_is_documented_and_has_a_fixture() -> None:
    from lancang.schemas import validator

    ids = _validator_rule_ids()
    assert {"spans-overlap", "json-malformed", "duplicate-id", "gzip-corrupt"} <= ids  # the scan works
    doc = validator.__doc__ or ""
    undocumented = {i for i in ids if f"``{i}``" not in doc and not any(
        i.startswith(p) for p in re.findall(r"``([a-z]+-)(?:\*|<[a-z]+>)``", doc))}
    assert undocumented == set(), "rule ids missing from lancang/schemas/validator.py's table"
    tests_text = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py"))
    untested = {i for i in ids if f'"{i}"' not in tests_text and f"'{i}'" not in tests_text}
    assert untested == set(), "rule ids no test names"
