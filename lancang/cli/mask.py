"""``lancang mask``."""

from __future__ import annotations

import click
import orjson

from .common import (
    InputProblem,
    Reading,
    echo_json,
    format_option,
    handle_errors,
    input_options,
    key_values,
    manifest_option,
    out_options_option,
    parse_settings,
    progress_option,
    record_progress,
)

#: located re-segmentations printed in the text summary
SHOWN = 20


@click.command()
@click.argument("source", type=click.Path(allow_dash=True))
@click.argument("target", type=click.Path(allow_dash=True))
@click.option("--types", metavar="TYPES",
              help="Mask only these types, comma-separated (e.g. PHONE,EMAIL; `lancang detectors` lists them). "
                   "Default: every type of the default detectors.")
@click.option("--strategy", type=click.Choice(["redact", "pseudonymise", "tag"]), default="redact",
              show_default=True,
              help="redact: typed placeholder ([PHONE]); pseudonymise: keyed, consistent, format-keeping "
                   "surrogate (needs --key-file); tag: text unchanged, an x-pii layer for review.")
@click.option("--key-file", type=click.Path(dir_okay=False), metavar="K",
              help="Secret key of at least 32 bytes for pseudonymise (e.g. `head -c 32 /dev/urandom > K`).")
@click.option("--set", "settings", multiple=True, metavar="DETECTOR.KEY=VALUE",
              help="Detector parameter (read as JSON where it parses), or DETECTOR=false to turn one off.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="JSON file: detector name -> parameters object (or false).")
@input_options()
@out_options_option
@manifest_option
@format_option("text", "json")
@progress_option
@handle_errors
def mask(source: str, target: str, types: str | None, strategy: str, key_file: str | None,
         settings: tuple[str, ...], config_file: str | None, reading: Reading,
         out_options: tuple[str, ...], manifest: str | None, fmt: str, progress: bool) -> None:
    """Find personal data (phone numbers, resident and national IDs, bank cards, e-mail, names from an
    entities layer, ...) on every side and redact, pseudonymise or tag it.

    Every stand-off layer and link is remapped; a span a replacement cuts is re-segmented and listed
    in the summary. Masking a masked corpus changes nothing. The original values are written nowhere:
    the summary (on stderr; --format json for a JSON document on stdout) and the manifest's processing
    log get counts per type and locations only.

    \b
    Examples:
      lancang mask corpus.jsonl masked.jsonl --manifest manifest.json
      lancang mask corpus.jsonl masked.jsonl --types PHONE,EMAIL
      lancang mask corpus.jsonl pseudo.jsonl --strategy pseudonymise --key-file secret.key
      lancang mask corpus.jsonl review.jsonl --strategy tag --format json
      lancang mask memory.tmx masked.tmx --set phone.regions='["CN","VN"]'
    """
    from ..processing.mask import MAX_LOCATIONS, mask_file

    if fmt == "json" and target == "-":
        raise InputProblem("--format json writes the summary to standard output: give TARGET a file name")
    config = parse_settings(settings, config_file, kind="detector", switches=True)
    wanted = [t.strip() for t in types.split(",") if t.strip()] if types else None
    with record_progress("masking", progress) as tick:
        st = mask_file(source, target, strategy=strategy, types=wanted, config=config, key_file=key_file,
                       **reading.kwargs(), write_options=key_values(out_options, "-O"),
                       manifest=manifest, progress=tick)
    doc = st.to_dict()
    if fmt == "json":
        echo_json(doc)
        return
    masked = ", ".join(f"{k} {v:,}" for k, v in doc["masked"].items()) or "nothing found"
    verb = "tagged" if strategy == "tag" else "masked"
    click.echo(f"{source} -> {target}: {st.records:,} records, {st.changed:,} changed; {verb}: {masked}"
               + (f"; already masked: {st.already:,}" if st.already else ""), err=True)
    if doc["adjusted"]:
        click.echo("re-segmented: " + ", ".join(f"{k} {v:,}" for k, v in doc["adjusted"].items()), err=True)
        for loc in doc["locations"][:SHOWN]:
            at = f"{loc['file']}:{loc['line']}" if loc.get("line") is not None else loc["file"]
            idx = f" {loc['index']}" if "index" in loc else ""
            click.echo(f"  {at} [{loc['record']}] side {loc['side']} {loc['layer']}{idx}: {loc['action']}", err=True)
        more = sum(doc["adjusted"].values()) - min(SHOWN, len(doc["locations"]))
        if more > 0:
            click.echo(f"  ... {more:,} more (--format json lists the first {MAX_LOCATIONS:,})", err=True)


@click.command()
@format_option("text", "json")
def detectors(fmt: str) -> None:
    """List the detectors of personal data that `lancang mask` runs: the types each finds, for which
    languages, whether it is on by default, its parameters and its precision notes.

    \b
    Examples:
      lancang detectors
      lancang detectors --format json
    """
    import importlib.util

    from ..processing.detectors import DETECTORS, detector_order

    rows = []
    for name in detector_order():
        cls = DETECTORS.get(name)
        installed = all(importlib.util.find_spec(m) for m in cls.modules)
        rows.append({**cls.describe(), "installed": installed})
    if fmt == "json":
        doc = {"detectors": rows}
        echo_json(doc)
        return
    for r in rows:
        missing = "" if r["installed"] else f", MISSING: pip install \"lancang[{r['extra']}]\""
        state = ("on" if r["default"] else "off") + missing
        click.echo(f"{r['name']:<16} {state:<4} {','.join(r['types']):<28} {','.join(r['languages'])}")
        click.echo(" " * 17 + r["description"])
        params = r["parameters"].get("properties", {})
        if params:
            defaults = (f"{k}={orjson.dumps(v.get('default')).decode()}" for k, v in params.items())
            click.echo(" " * 17 + ", ".join(defaults))
