"""``lancang evaluate``: tokens, sentences or entities against gold (SIGHAN-style P, R, F1, OOV recall;
entity exact and partial match), sentence beads and word links, transcripts (WER and CER)."""

from __future__ import annotations

from typing import Any

import click

from ..quality.evaluate import LAYERS, evaluate_files
from ..quality.scores import shown
from ..quality.wer import JOINS
from .common import (
    Reading,
    echo_json,
    format_option,
    handle_errors,
    input_options,
    old_spelling,
    transcript_options,
)


@click.command()
@click.argument("pred", type=click.Path(allow_dash=True))
@click.argument("gold", type=click.Path(allow_dash=True))
@click.option("--layer", type=click.Choice(LAYERS), default="tokens",
              show_default=True, help="tokens/sentences: boundary P/R/F1; entities: exact and partial match P/R/F1 "
                                      "per label, micro and macro; beads: strict and lax P/R/F1; links: AER; "
                                      "transcript: WER and CER (sclite's Corr/Sub/Del/Ins per speaker).")
@click.option("--lexicon", type=click.Path(dir_okay=False), metavar="FILE",
              help="Training lexicon (from `lancang train lexicon`, or one word per line): adds OOV and IV recall.")
@input_options(lang_help="Language of inputs that do not name it (CoNLL-U without a UD file name, text...).",
               old_src=("--lang",))
@transcript_options
@click.option("--join", "join", type=click.Choice(JOINS), default="id", show_default=True,
              help="transcript: pair records by id, or by recording (media URI and channel: an STM or Kaldi "
                   "reference against a CTM hypothesis, whose words go to the segment their middle time falls in).")
@click.option("--alternations", is_flag=True,
              help="transcript: read sclite's alternations { a / b / @ } in GOLD (TRN, STM): the reading closest to "
                   "the prediction is scored (@ = nothing).")
@click.option("--details", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
              help="transcript: also write every scored record side's counts (id, side, file, unit, hits, subs, dels, "
                   "ins, rate, cer) to this JSONL file, streamed.")
@click.option("--gold-from", "gold_from", metavar="FORMAT",
              help="Input format of GOLD when it differs from PRED's (default: from its name and content).")
@old_spelling("--gold-format", "gold_from", "--gold-from")
@click.option("--strict", is_flag=True, help="Exit 1 when a record or side is missing on either side.")
@format_option("text", "json")
@handle_errors
def evaluate(pred: str, gold: str, layer: str, lexicon: str | None, units: str, normalize: tuple[str, ...], join: str,
             alternations: bool, details: str | None, reading: Reading, gold_from: str | None, strict: bool,
             fmt: str) -> None:
    """Score predicted tokens, sentences, entities, beads, word links or transcripts against gold.

    A word (or sentence) counts as correct only when both its boundaries match the gold, as in the
    SIGHAN bakeoff score script. Records are joined by id and sides by language tag; records or
    sides found on one side only are reported, never silently dropped; differing texts are an error.
    Entities are scored by exact match (span and label) and partial match (same label, overlapping
    spans, one-to-one), per label, micro- and macro-averaged. Both files may be in any readable
    format (CoNLL-U gold is scored on its surface tokens).
    Transcripts (PRED the hypothesis, GOLD the reference): WER and CER from the minimum edit alignment,
    per speaker, file and language, with sclite's Corr/Sub/Del/Ins/Err/S.Err table; segments pair in
    order (or by time against timed words); texts may differ, that is what is scored. A reference
    record or side without a hypothesis is scored as deletions, segment by segment (sclite's rule for an
    STM against a CTM); a hypothesis without a reference is reported, not scored.
    --format json writes a signed metrics document (scores under accuracy.<layer>) for `lancang check --metrics`.

    \b
    Examples:
      lancang evaluate pred.jsonl gold.jsonl
      lancang evaluate pred.jsonl gold.jsonl --layer sentences --format json
      lancang evaluate machine.jsonl reviewed.jsonl --layer entities
      lancang evaluate pred.jsonl th_tud-ud-dev.conllu --lexicon tud.lex
      lancang evaluate ner.jsonl test.conll --gold-from conll --src id --layer entities
      lancang evaluate aligned.jsonl gold.jsonl --layer beads
      lancang evaluate asr.jsonl reviewed.jsonl --layer transcript --normalize punct,width,t2s
    """
    doc, missing = evaluate_files(pred, gold, layer=layer, fmt=reading.fmt, gold_fmt=gold_from,
                                  langs=reading.langs, options=reading.options, lexicon=lexicon,
                                  units=units, normalize=normalize, join=join, details=details,
                                  alternations=alternations)
    scores = doc["accuracy"][layer]
    if fmt == "json":
        echo_json(doc)
    elif layer in ("beads", "links"):
        click.echo(f"{pred} against {gold}, {layer}:")
        for k, v in scores.items():
            click.echo(f"  {k}: {'-' if v is None else v}")
    elif layer == "entities":
        click.echo(render_entities(scores, pred, gold))
    elif layer == "transcript":
        click.echo(render_transcript(scores, pred, gold))
    else:
        click.echo(render(scores, pred, gold))
    if strict and missing:
        raise SystemExit(1)


def render(doc: dict[str, Any], pred: str, gold: str) -> str:
    lex = "oov_recall" in doc["overall"]
    head = f"{'language':<12}{'sides':>8}{'gold':>9}{'pred':>9}{'correct':>9}{'P':>8}{'R':>8}{'F1':>8}"
    if lex:
        head += f"{'OOV%':>7}{'OOV-R':>8}{'IV-R':>8}"
    lines = [f"{doc['layer']}: {pred} vs gold {gold} ({doc['records']:,} records joined)", head]

    def row(name: str, s: dict[str, Any]) -> str:
        r = (f"{name:<12}{s['sides']:>8,}{s['gold']:>9,}{s['pred']:>9,}{s['correct']:>9,}"
             f"{shown(s['precision']):>8}{shown(s['recall']):>8}{shown(s['f1']):>8}")
        if lex:
            pct = f"{100 * s['oov_rate']:.1f}" if s["oov_rate"] is not None else "-"
            r += f"{pct:>7}" + "".join(f"{shown(v):>8}"
                                       for v in (s["oov_recall"], s["iv_recall"]))
        return r

    for tag, s in doc["languages"].items():
        lines.append(row(tag, s))
    lines.append(row("overall", doc["overall"]))
    lines.extend(_missing(doc))
    return "\n".join(lines)


def _missing(doc: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    m = doc["missing"]
    if m["only_in_pred"] or m["only_in_gold"] or m["sides"]:
        ex = m["examples"]
        lines.append(f"not scored: {m['only_in_pred']:,} records only in the prediction"
                     + (f" (e.g. {', '.join(ex['only_in_pred'][:5])})" if ex["only_in_pred"] else "")
                     + f"; {m['only_in_gold']:,} only in the gold"
                     + (f" (e.g. {', '.join(ex['only_in_gold'][:5])})" if ex["only_in_gold"] else "")
                     + f"; {m['sides']:,} sides" + (f" (e.g. {ex['sides'][0]['id']} {ex['sides'][0]['side']}: "
                                                   f"{ex['sides'][0]['problem']})" if ex["sides"] else ""))
    return lines


def render_entities(doc: dict[str, Any], pred: str, gold: str) -> str:
    """Per language (micro), then per label, micro and macro over all sides, for exact and partial match."""
    o = doc["overall"]
    lines = [(f"entities: {pred} vs gold {gold} ({doc['records']:,} records joined, {o['sides']:,} sides, "
              f"{o['gold']:,} gold and {o['pred']:,} predicted entities)")]
    for mode in ("exact", "partial"):
        lines.append(f"{mode} match:")
        lines.append(f"  {'':<16}{'gold':>9}{'pred':>9}{'correct':>9}{'P':>8}{'R':>8}{'F1':>8}")
        for tag, s in doc["languages"].items():
            m = s[mode]
            lines.append(f"  {'[' + tag + ']':<16}{s['gold']:>9,}{s['pred']:>9,}{m['correct']:>9,}"
                         f"{shown(m['precision']):>8}{shown(m['recall']):>8}{shown(m['f1']):>8}")
        m = o[mode]
        for lab, s in m["labels"].items():
            lines.append(f"  {lab:<16}{s['gold']:>9,}{s['pred']:>9,}{s['correct']:>9,}"
                         f"{shown(s['precision']):>8}{shown(s['recall']):>8}{shown(s['f1']):>8}")
        lines.append(f"  {'micro':<16}{o['gold']:>9,}{o['pred']:>9,}{m['correct']:>9,}"
                     f"{shown(m['precision']):>8}{shown(m['recall']):>8}{shown(m['f1']):>8}")
        mac = m["macro"]
        if mac["f1"] is not None:
            lines.append(f"  {'macro':<16}{'':>27}{shown(mac['precision']):>8}{shown(mac['recall']):>8}"
                         f"{shown(mac['f1']):>8}")
    lines.extend(_missing(doc))
    return "\n".join(lines)


def render_transcript(doc: dict[str, Any], hyp: str, ref: str) -> str:
    """sclite's summary: Corr/Sub/Del/Ins/Err/S.Err in percent of the reference units, per speaker, per
    language (with its unit) and in sum; then CER and WER over everything."""
    norm = ",".join(doc["normalize"]) or "none"
    lines = [f"transcript: {hyp} against reference {ref} ({doc['records']:,} records joined; units {doc['units']}, "
             f"normalize {norm})",
             f"{'':<20}{'# Snt':>8}{'# Unit':>9} {'Corr':>6}{'Sub':>7}{'Del':>7}{'Ins':>7}{'Err':>7}{'S.Err':>7}"]

    def row(name: str, c: dict[str, Any]) -> str:
        p = c["percent"]
        cells = "".join(f"{'-' if p[k] is None else format(p[k], '.1f'):>7}" for k in ("sub", "del", "ins", "err",
                                                                                         "utterance_err"))
        corr = "-" if p["corr"] is None else format(p["corr"], ".1f")
        return f"{name[:19]:<20}{c['utterances']:>8,}{c['ref']:>9,} {corr:>6}{cells}"

    for spk, t in doc["speakers"].items():
        lines.append(row(spk, t["counts"]))
    for tag, t in doc["languages"].items():
        lines.append(row(f"[{tag}] {doc['tokenisation'].get(tag, '')}", t["counts"]))
    lines.append(row("Sum/Avg", doc["overall"]["counts"]))
    lines.append(f"error rate {shown(doc['error_rate'])}   CER {shown(doc['cer'])}   WER {shown(doc['wer'])}")
    lines.extend(_transcript_missing(doc))
    return "\n".join(lines)


def _transcript_missing(doc: dict[str, Any]) -> list[str]:
    """What one side lacked: references without a hypothesis are scored as deletions (sclite), hypotheses
    without a reference are not scored; with the utterances scored with one side empty."""
    m = doc["missing"]
    ex = m["examples"]
    u = m.get("utterances") or {"without_hypothesis": 0, "without_reference": 0}
    lines = []
    if m["only_in_gold"] or u["without_hypothesis"]:
        lines.append(f"reference without hypothesis: {u['without_hypothesis']:,} utterances, scored as deletions"
                     + (f" ({m['only_in_gold']:,} records only in the reference, e.g. "
                        f"{', '.join(ex['only_in_gold'][:5])})" if m["only_in_gold"] else ""))
    if m["only_in_pred"] or u["without_reference"]:
        lines.append(f"hypothesis without reference: {u['without_reference']:,} utterances, scored as insertions"
                     + (f"; {m['only_in_pred']:,} records only in the hypothesis, not scored (e.g. "
                        f"{', '.join(ex['only_in_pred'][:5])})" if m["only_in_pred"] else ""))
    if m["sides"]:
        first = ex["sides"][0] if ex["sides"] else None
        lines.append(f"sides in one file only: {m['sides']:,}"
                     + (f" (e.g. {first['id']} {first['side']}: {first['problem']})" if first else ""))
    return lines
