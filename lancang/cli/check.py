"""``lancang check`` and ``lancang profiles``."""

from __future__ import annotations

import click

from ..corpora.jsonl import atomic_output
from ..pipeline.oneoff import check_file as run_check
from ..standards.profiles import (
    ProfileError,
    available,
    check_profile,
    load_profile,
    pattern_warnings,
    source_warnings,
    text_in,
)
from ..standards.report import BASIS, render_html, render_junit, render_text
from .common import (
    InputProblem,
    Reading,
    echo_json,
    handle_errors,
    input_options,
    jobs_option,
    json_bytes,
    output_option,
)


@click.command()
@click.argument("corpus", type=click.Path(allow_dash=True))
@click.option("-p", "--profile", "profiles", multiple=True, required=True,
              help="Profile id (see `lancang profiles list`) or path to a profile JSON; repeatable.")
@click.option("--manifest", type=click.Path(dir_okay=False), help="The corpus's manifest (datasheet).")
@click.option("--metrics", type=click.Path(dir_okay=False), multiple=True,
              help="Metrics JSON from lancang evaluate / agree / inspect, for metrics and sampling requirements; "
                   "repeatable (e.g. a manual and an automated inspection).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "junit"]), default="text",
              show_default=True, help="Report format.")
@output_option(help="Write the report here (atomically; default: standard output).")
@click.option("--max-findings", type=click.IntRange(min=0), default=20, show_default=True,
              help="Findings shown per requirement (0 = all); counts stay exact.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the text and HTML report: titles, bases, findings and reasons.")
@input_options(lang_help="Language of the corpus (source side), for formats that do not name it (CoNLL-U...).")
@jobs_option(help="Worker processes: a lancang JSONL corpus is cut into line ranges checked in parallel, the "
                  "parts merged exactly (duplicates over the whole corpus, findings in input order); other "
                  "formats and stdin run in one process. The report is the same for any N.")
@handle_errors
def check(corpus: str, profiles: tuple[str, ...], manifest: str | None, metrics: tuple[str, ...], fmt: str,
          output: str | None, max_findings: int, lang: str, reading: Reading, jobs: int) -> None:
    """Check a corpus against standards' profiles, clause by clause.

    Streams the corpus once, runs each requirement (record schemas, rules, manifest items, metrics
    thresholds, sampling plans) and gives each a verdict, with located evidence, and one overall
    verdict. Every report is signed with the lancang version, the profiles' versions and hashes and
    the corpus hash.

    CORPUS may be a folder of .conllu files (a UD treebank): its files are checked as one treebank,
    as the UD validator checks several files (a sent_id unique across them ...), each finding names
    its file, and the report lists every file with its hash.

    \b
    Examples:
      lancang check corpus.jsonl --manifest manifest.json -p gb-t-40035-2021
      lancang check corpus.jsonl --manifest m.json -p lancang-zh-asean-parallel --format html -o report.html
      lancang check corpus.jsonl -p my-profile.json --metrics metrics.json --format junit -o check.xml
      lancang check delivery.tmx -p tmx-1.4b
      lancang check th_tud-ud-dev.conllu --src th -p conllu
      lancang check UD_Thai-TUD/ -p conllu
      lancang check big.jsonl --manifest manifest.json -p gb-t-40035-2021 --jobs 2

    Exit codes: 0 conformant, 1 not conformant or incomplete, 2 usage or input error.
    """
    profs = [load_profile(p) for p in profiles]
    rep = run_check(corpus, profs, manifest, list(metrics) or None, max_findings, reading.fmt, reading.langs,
                    reading.options, jobs=jobs)
    if fmt == "json":
        data = json_bytes(rep)
    elif fmt == "junit":
        data = render_junit(rep)
    elif fmt == "html":
        data = render_html(rep, lang).encode()
    else:
        data = render_text(rep, lang).encode()
    output = output or "-"
    with atomic_output(output) as f:
        f.write(data)
    if output != "-":
        click.echo(f"{rep['verdict']}: report written to {output}", err=True)
    if rep["verdict"] != "conformant":
        raise SystemExit(1)


@click.group()
def profiles() -> None:
    """List, show, validate and scaffold conformance profiles.

    \b
    Examples:
      lancang profiles list
      lancang profiles show gb-t-40035-2021 --lang zh
      lancang profiles validate my-profile.json
      lancang profiles new my-client --extends lancang-zh-asean-parallel > my-client.json
    """


@profiles.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def list_(fmt: str) -> None:
    """List the shipped and installed profiles.

    \b
    Examples:
      lancang profiles list --format json
    """
    rows = []
    for pid in sorted(available()):
        p = load_profile(pid)
        rows.append({"id": pid, "number": p.doc.get("number", ""), "level": p.doc["level"], "status": p.doc["status"],
                     "title": p.doc["title"], "requirements": len(p.requirements)})
    if fmt == "json":
        echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:<28} {r['level']:<10} {r['status']:<19} {r['requirements']:>3} req  "
                   f"{text_in(r['title'], 'en')}")


@profiles.command()
@click.argument("profile")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@handle_errors
def show(profile: str, lang: str) -> None:
    """Show a profile's identity and its requirements with clauses and bases.

    \b
    Examples:
      lancang profiles show tc260-003 --lang zh
    """
    p = load_profile(profile)
    d = p.doc
    click.echo(f"{p.id}  {d.get('number', '')}  ({d['level']}, {d['status']})")
    click.echo(f"  {text_in(d['title'], 'zh')} / {text_in(d['title'], 'en')}")
    click.echo(f"  issuer: {d['issuer']}; profile version {p.version}; sha256 {p.sha256[:16]}")
    if p.chain[1:]:
        click.echo(f"  extends: {' -> '.join(p.chain[1:])}")
    for r in p.requirements:
        what = r.get("rule") or (f"{r['kind']}, {r['method']} inspection" if r.get("method") else f"{r['kind']} schema")
        click.echo(f"  §{r['clause']:<10} {r['profile']}/{r['id']:<28} [{r.get('severity', 'error')}; "
                   f"{BASIS[r['basis']]}; {what}] {text_in(r['title'], lang)}")
        click.echo(f"  {'':<11} source: {r.get('source', '(none)')}")
    scoring = d.get("scoring")
    if scoring:
        click.echo(f"  scoring ({scoring.get('rule', '')}):")
        for dim in scoring.get("dimensions", []):
            click.echo(f"    dimension {dim['id']} {text_in(dim.get('title', dim['id']), lang)}: pass mark "
                       f"{dim.get('pass')}")
            for ind in dim.get("indicators", []):
                reqs = ", ".join(ind.get("requirements", [])) or "(no requirement checks it yet: unknown)"
                share = " (by share of records)" if ind.get("measure") == "share" else ""
                click.echo(f"      {ind['id']:<8} weight {ind.get('weight', 1)}{share}: {reqs}")
        for g in scoring.get("grades", []):
            title = f": {text_in(g['title'], lang)}" if g.get("title") else ""
            click.echo(f"    grade {g['grade']} from {g['min']}{title}")


@profiles.command("validate")
@click.argument("files", nargs=-1, required=True)
def validate_profiles(files: tuple[str, ...]) -> None:
    """Validate profile files against the profile meta-schema, the rule library and their extends.

    \b
    Examples:
      lancang profiles validate my-profile.json
    """
    bad = 0
    for f in files:
        try:
            p = load_profile(f)
            click.echo(f"{f}: valid ({p.id}, {len(p.requirements)} requirements)")
            for warning in (*source_warnings(p.doc, p.source), *pattern_warnings(p.doc, p.source)):
                click.echo(warning, err=True)
        except ProfileError as exc:
            bad += 1
            click.echo(str(exc))
    if bad:
        raise SystemExit(2)


@profiles.command()
@click.argument("profile_id")
@click.option("--extends", "base", default=None, help="Profile to extend.")
@click.option("--title", default=None, help="Title (English).")
def new(profile_id: str, base: str | None, title: str | None) -> None:
    """Print a new profile skeleton to stdout (optionally extending another).

    \b
    Examples:
      lancang profiles new acme-zh-th --extends lancang-zh-asean-parallel > acme-zh-th.json
    """
    if base is not None:
        try:
            load_profile(base)
        except ProfileError as exc:
            raise InputProblem(str(exc)) from None
    doc = {
        "profile": "lancang/profile/1", "id": profile_id, "version": "1",
        "title": {"en": title or profile_id, "zh": title or profile_id},
        "issuer": "your organisation", "level": "enterprise", "status": "draft",
        **({"extends": [base]} if base else {}),
        "requirements": [{"id": "labels", "clause": "-", "basis": "default", "kind": "rule", "rule": "entity-labels",
                          "params": {"labels": ["PER", "LOC", "ORG"]},
                          "title": {"en": "Entity labels are in the label set", "zh": "实体标签属于规定标签集"}}],
    }
    problems = check_profile(doc, "<new>")
    if problems:  # only the values given can be wrong: the id and the title
        raise InputProblem(f"cannot make profile {profile_id!r}: {problems[0].removeprefix('<new> ')} "
                           "(ids are lower-case letters, digits, '.' and '-')")
    echo_json(doc)
