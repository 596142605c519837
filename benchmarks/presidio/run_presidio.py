"""Run Presidio's analyzer, offline, on a lancang JSONL corpus (the peer of ``lancang mask`` in
benchmarks/bench_mask.py). Runs in the benchmark's own environment (/work/bench-venv: ``pip install
presidio-analyzer``), not in lancang's.

    /work/bench-venv/bin/python benchmarks/presidio/run_presidio.py IN.jsonl OUT.jsonl [--regions CN,VN,...]

Presidio's ``AnalyzerEngine`` wants a spaCy model and downloads ``en_core_web_lg`` when it is not
installed, which cannot work offline. Here the NLP engine is a blank spaCy English pipeline (a
tokenizer only, saved to a temporary folder so Presidio loads it as a path and does not try to
download): Presidio's predefined pattern recognisers run as they ship (credit card, e-mail, IP,
URL, phone, Singapore NRIC/FIN, US/UK/IN/AU/... identifiers, crypto, IBAN, ...), the NER-based
ones (PERSON, LOCATION, DATE_TIME via spaCy) find nothing, and context words have no lemmas to
match. Every side is analysed as ``en`` (the pattern recognisers are Latin-script regular
expressions; Presidio has no zh, th, vi, id or ms recognisers). The phone recogniser is given the
regions of the evaluation set (default: the 14 of issue 15) instead of its default US/UK/DE/...
list, and the country recognisers Presidio ships for this region but does not load by default
(Singapore NRIC/FIN, Thai national ID, Philippine passport and UMID) are added: the fair setting a
user of this region would choose.

OUT gets ``{"id", "spans": [[start, end, entity_type, score], ...]}`` per record (all sides; the
evaluation set has one); the last stdout line is JSON timing.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time

REGIONS = "CN,HK,MO,TW,VN,TH,ID,MY,PH,SG,KH,LA,MM,BN"
REGIONAL = ("SgFinRecognizer", "ThTninRecognizer", "PhPassportRecognizer", "PhUmidRecognizer")


def build(regions: list[str]):
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    tmp = tempfile.mkdtemp(prefix="presidio-blank-en-")
    spacy.blank("en").to_disk(tmp)
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": tmp}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    registry.remove_recognizer("PhoneRecognizer")
    registry.add_recognizer(PhoneRecognizer(supported_regions=regions))
    from presidio_analyzer import predefined_recognizers as pre

    for name in REGIONAL:  # shipped but not loaded by default: the ones for this region
        cls = getattr(pre, name, None)
        if cls is not None:
            registry.add_recognizer(cls(supported_language="en"))
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--regions", default=REGIONS)
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    analyzer = build(args.regions.split(","))
    with open(args.inp, encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    t0, c0 = time.perf_counter(), time.process_time()
    results = []
    for rec in records:
        spans = []
        for side in rec["sides"].values():
            for r in analyzer.analyze(text=side.get("text", ""), language="en"):
                spans.append([r.start, r.end, r.entity_type, round(r.score, 3)])
        results.append({"id": rec["id"], "spans": spans})
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    with open(args.out, "w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    from importlib import metadata

    print(json.dumps({"records": len(records), "seconds": seconds, "cpu_seconds": cpu,
                      "recognizers": sorted({r.name for r in analyzer.registry.recognizers}),
                      "version": metadata.version("presidio-analyzer")}))


if __name__ == "__main__":
    main()
