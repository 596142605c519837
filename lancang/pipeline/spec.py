"""Pipeline files: read (JSON, or YAML when PyYAML is installed), validate against
``schemas/pipeline.schema.json`` and check everything that can be checked before the first record.

A :class:`Plan` is plain data (paths made absolute, steps as dicts): what every worker receives.
Annotators, filters and profiles are built from it inside the worker, never pickled.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError, UsageError
from ..schemas import load_schema

#: steps run on every shard, in order; ``convert`` runs once on the concatenated output (the last step)
SHARD_STEPS = ("annotate", "align", "clean", "mask", "validate", "check", "stats")
#: steps that pass their input through unchanged (they only measure)
MEASURING = ("validate", "check", "stats")
DEFAULT_SHARD_RECORDS = 10000
DEFAULT_RETRIES = 2


@dataclass
class Plan:
    path: str
    sha256: str
    doc: dict[str, Any]
    inputs: list[str]
    output: str
    steps: list[dict[str, Any]]
    from_format: str | None = None
    langs: list[str] | None = None
    shard_records: int = DEFAULT_SHARD_RECORDS
    retries: int = DEFAULT_RETRIES
    #: the run's start time, stamped on every layer the run makes (set by the runner, kept on resume)
    time: str | None = None
    #: layers available after each step (for the summary and tests)
    layers: list[list[str]] = field(default_factory=list)
    #: per clean step index (a string): what its corpus filters learnt in the global phase, and the
    #: filter configuration the shards use with it (set by the runner, kept on resume)
    fitted: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "doc": self.doc, "inputs": self.inputs,
                "output": self.output, "steps": self.steps, "from_format": self.from_format, "langs": self.langs,
                "shard_records": self.shard_records, "retries": self.retries, "time": self.time,
                "layers": self.layers, "fitted": self.fitted}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Plan:
        return cls(**d)

    @property
    def shard_steps(self) -> list[dict[str, Any]]:
        return [s for s in self.steps if not is_global(s)]


def is_global(step: dict[str, Any]) -> bool:
    """A step that runs once, on the concatenated output: convert, and a check whose profile judges
    the corpus as a whole (corpus-scope rules such as dedup, metrics requirements over rule rates)."""
    return step["step"] not in SHARD_STEPS or step.get("phase") == "global"


def canonical(doc: Any) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)


def doc_sha256(doc: Any) -> str:
    return hashlib.sha256(canonical(doc)).hexdigest()


def read_pipeline_file(path: str | os.PathLike) -> dict[str, Any]:
    """The pipeline file as a dict; JSON, or YAML (.yaml/.yml) when PyYAML is installed."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: pipeline file not found") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory; give the pipeline file") from None
    except OSError as exc:
        raise InputError(f"{p}: {exc.strerror or exc}") from None
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise UsageError(f"{p}: YAML pipeline files need PyYAML: pip install pyyaml (or write JSON)") from None
        try:
            doc = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f":{mark.line + 1}" if mark is not None else ""
            raise InputError(f"{p}{at}: not YAML: {getattr(exc, 'problem', None) or exc}") from None
    else:
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{p}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{p}: a pipeline file is an object with input, output and steps")
    return doc


def _pointer(path: Any) -> str:
    return "".join("/" + str(x).replace("~", "~0").replace("/", "~1") for x in path)


def schema_errors(doc: dict[str, Any]) -> list[str]:
    """Messages ``/json/pointer: what is wrong``, deepest first; an unknown key is named with its pointer."""
    import jsonschema

    v = jsonschema.Draft202012Validator(load_schema("pipeline"))
    out: list[tuple[int, str]] = []
    for err in v.iter_errors(doc):
        for e in _leaves(err):
            at = list(e.absolute_path)
            if e.validator == "additionalProperties" and isinstance(e.instance, dict):
                allowed = set(e.schema.get("properties") or {})
                for key in sorted(k for k in e.instance if k not in allowed):
                    known = ", ".join(sorted(allowed))
                    out.append((len(at) + 1, f"{_pointer([*at, key])}: unknown key {key!r} (known here: {known})"))
            else:
                out.append((len(at), f"{_pointer(at) or '/'}: {e.message}"))
    seen: list[str] = []
    # deepest first, then by pointer: jsonschema reports the keys that fail an additionalProperties
    # schema in a set's order, which follows PYTHONHASHSEED
    for _, m in sorted(out, key=lambda x: (-x[0], x[1])):
        if m not in seen:
            seen.append(m)
    return seen


def _leaves(err: Any) -> list[Any]:
    if err.validator in ("allOf", "oneOf", "anyOf") and err.context:
        return [x for c in err.context for x in _leaves(c)]
    return [err]


def _abs(base: Path, value: str) -> str:
    return value if value == "-" else str((base / value).resolve())


def load_plan(path: str | os.PathLike) -> Plan:
    """Read, validate and check a pipeline file (see :func:`check_plan`); nothing is read from the inputs."""
    doc = read_pipeline_file(path)
    errors = schema_errors(doc)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"{path}: {errors[0]}{more}")
    base = Path(path).resolve().parent
    inputs = doc["input"] if isinstance(doc["input"], list) else [doc["input"]]
    steps = []
    for s in doc["steps"]:
        s = dict(s)
        if s["step"] == "mask" and "key_file" in s:
            s["key_file"] = _abs(base, s["key_file"])
        if s["step"] == "align" and "model" in s:
            s["model"] = _abs(base, s["model"])
        if s["step"] == "check":
            s["profiles"] = [_abs(base, p) if (base / p).exists() else p for p in s["profiles"]]
            if "manifest" in s:
                s["manifest"] = _abs(base, s["manifest"])
        steps.append(s)
    plan = Plan(path=str(Path(path).resolve()), sha256=doc_sha256(doc), doc=doc,
                inputs=[_abs(base, i) for i in inputs], output=_abs(base, doc["output"]), steps=steps,
                from_format=doc.get("from"), langs=doc.get("langs"),
                shard_records=doc.get("shard_records", DEFAULT_SHARD_RECORDS),
                retries=doc.get("retries", DEFAULT_RETRIES))
    check_plan(plan, doc.get("layers", []))
    return plan


def check_plan(plan: Plan, input_layers: list[str]) -> None:
    """Everything that can fail before the first record: step order, layers each step requires and
    provides, annotators (configuration, languages, backends installed), filters and detectors
    (parameters, backends, whole-corpus kinds), profiles found, key files readable."""
    from ..corpora.formats import resolve_format
    from .shards import is_jsonl

    where = plan.path
    for i, inp in enumerate(plan.inputs):
        if inp == "-":
            raise UsageError(f"{where}: /input: a pipeline reads files (shards are re-read on resume), not stdin")
        if not Path(inp).is_file():
            raise InputError(f"{where}: /input{'/' + str(i) if len(plan.inputs) > 1 else ''}: {inp}: no such file")
    layers = set(input_layers)
    first_global: tuple[int, dict[str, Any]] | None = None
    changed = False  # a step before this one changes records
    for i, s in enumerate(plan.steps):
        at = f"{where}: /steps/{i} ({s['step']})"
        kind = s["step"]
        if kind not in SHARD_STEPS:
            if i != len(plan.steps) - 1:
                raise UsageError(f"{at}: convert writes the final output; it is the last step")
            fmt = resolve_format(s["output"], s.get("format"), "output")
            if fmt.write is None:
                raise UsageError(f"{at}: format {fmt.name!r} can be read but not written")
        try:
            layers = _check_step(kind, s, layers)
        except (UsageError, InputError) as exc:
            raise type(exc)(f"{at}: {exc}") from None
        if first_global is not None and kind not in MEASURING and kind in SHARD_STEPS:
            j, g = first_global
            raise UsageError(f"{at}: changes records after /steps/{j} ({g['step']}), which runs once on the whole "
                             f"output ({g.get('why', 'a final step')}): move /steps/{j} after it")
        # a global phase reads the step's whole input: when earlier steps change the records (or the phase
        # needs one JSONL input: duplicates' line ranges, the aligners' one file), the run is staged here:
        # the steps before run over every shard first, and this stage reads their concatenated output
        if (s.get("fit") or s.get("train")) and (
                changed or (s.get("train") and len(plan.inputs) > 1)
                or ("duplicates" in s.get("fit", ()) and any(not is_jsonl(p, plan.from_format) for p in plan.inputs))):
            s["stage"] = True
        changed = changed or kind in ("annotate", "align", "clean", "mask")
        if is_global(s) and first_global is None:
            first_global = (i, s)
        plan.layers.append(sorted(layers))


def _check_step(kind: str, s: dict[str, Any], layers: set[str]) -> set[str]:
    if kind == "annotate":
        from ..annotators import spec
        from ..annotators.pipeline import Pipeline

        cfg = annotate_config(s)
        for names in cfg.use.values():
            for name in names:
                for req in spec(name).requires:
                    if req not in layers and req not in cfg.layers:
                        raise UsageError(f"annotator {name!r} requires the {req} layer, which no earlier step "
                                         f"provides and the input does not declare (\"layers\")")
        Pipeline.build(cfg)  # configuration, languages, backends: the verb's own checks
        return layers | set(cfg.layers)
    if kind == "align":
        return _check_align(s, layers)
    if kind == "clean":
        from ..processing.clean import build_filters

        filters = build_filters(s.get("filters"))
        try:
            # duplicates has a global phase of its own (pipeline/dedup.py); another stream filter has none
            whole = [f for f in filters if f.kind == "stream" and f.name != "duplicates"]
            if whole:
                names = ", ".join(f"{f.name} ({f.kind})" for f in whole)
                off = ", ".join(f'"{f.name}": false' for f in whole)
                raise UsageError(f"filter {names} needs the whole corpus, not one shard; a pipeline does not run "
                                 f"it per shard: switch it off ({off}) and run `lancang clean` on the output")
            # corpus filters learn from the whole input first (a global phase), then decide per shard
            fit = [f.name for f in filters if f.kind == "corpus" or f.name == "duplicates"]
            if fit:
                s["fit"] = fit
        finally:
            for f in filters:
                f.close()
        return layers
    if kind == "mask":
        from ..processing.detectors import build_detectors
        from ..processing.mask import STRATEGIES, load_key

        strategy = s.get("strategy", "redact")
        if strategy not in STRATEGIES:
            raise UsageError(f"strategy must be one of {', '.join(STRATEGIES)}")
        build_detectors(dict(s.get("detectors") or {}), list(s["types"]) if s.get("types") else None)
        if strategy == "pseudonymise":
            load_key(s.get("key_file"))
        return layers
    if kind == "check":
        from ..standards.checker import Checker
        from ..standards.profiles import load_profile

        checker = Checker([load_profile(ref) for ref in s["profiles"]])
        needs = checker.manifest_requirements()
        if needs and not s.get("manifest"):
            raise UsageError(f"the profile has manifest requirements ({', '.join(needs[:5])}): give the "
                             f"corpus's manifest (\"manifest\": \"manifest.json\")")
        # corpus-scope rules (dedup...) and metrics requirements (rates over all records) judge the corpus
        # as a whole: such a check runs once on the concatenated output (sampling requirements, with no
        # metrics file, are not-checked on a shard exactly as on the whole)
        whole = [st.key for st in checker.states if st.req["kind"] == "metrics"
                 or (st.rule is not None and st.rule.scope == "corpus")]
        if whole:
            s["phase"] = "global"
            s["why"] = f"{', '.join(whole[:3])} judge{'s' if len(whole) == 1 else ''} the whole corpus"
        if s.get("manifest") and not Path(s["manifest"]).is_file():
            raise InputError(f"{s['manifest']}: manifest not found")
        return layers
    return layers


def _check_align(s: dict[str, Any], layers: set[str]) -> set[str]:
    """An align step: its aligners known, the layers it reads there, and which of its aligners learn from
    the whole corpus (``s["train"]``: a global phase; gale-church learns nothing, a given word model is
    applied as it is)."""
    from ..annotators.align import SENTENCE_ALIGNERS, WORD_ALIGNERS
    from ..annotators.align.model import model_aligners

    if not s.get("sentences") and not s.get("words"):
        raise UsageError("say what to align: \"sentences\": true (beads of document pairs), \"words\": true "
                         "(token links of sentence pairs), or both")
    train = []
    if s.get("sentences"):
        name = s.get("sentence_aligner", "lancang")
        SENTENCE_ALIGNERS.get(name).from_config(s.get("sentence_config"))
        if "sentences" not in layers and not s.get("split"):
            raise UsageError("aligning sentences reads the sentences layer, which no earlier step provides and the "
                             "input does not declare (\"layers\"): add it, or \"split\": true")
        if name != "gale-church":
            train.append("sentences")
    if s.get("words"):
        name = s.get("word_aligner", "gibbs")
        WORD_ALIGNERS.get(name).from_config(s.get("word_config"))
        if "tokens" not in layers:
            raise UsageError("aligning words reads the tokens layer, which no earlier step provides and the input "
                             "does not declare (\"layers\")")
        if s.get("model"):
            if s.get("word_config"):
                raise UsageError("/word_config does not apply with /model: the saved model keeps its own "
                                 "configuration")
            if not Path(s["model"]).is_dir():
                raise InputError(f"{s['model']}: no saved word model there (lancang align --words --save-model)")
        else:
            if name not in model_aligners():
                raise UsageError(f"word aligner {name!r} keeps no model, so it cannot learn once and align every "
                                 f"shard with it: use {' or '.join(model_aligners())}, or give \"model\"")
            if s.get("sentences"):
                raise UsageError("training the word aligner reads the beads of the whole input: align sentences "
                                 "in one pipeline and words in the next, or give a saved word model (\"model\")")
            train.append("words")
    if train:
        s["train"] = train
    return layers | ({"sentences"} if s.get("split") else set())


def annotate_config(s: dict[str, Any]) -> Any:
    from ..annotators.pipeline import PipelineConfig

    return PipelineConfig.from_dict({k: v for k, v in s.items() if k in ("layers", "use", "config", "lang_from",
                                                                          "sides", "overwrite")})


def changes(old: Any, new: Any, at: str = "") -> list[str]:
    """JSON pointers where two documents differ (for 'the pipeline file changed')."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for k in sorted(set(old) | set(new), key=str):
            p = f"{at}/{k}"
            if k not in old:
                out.append(f"{p} (added)")
            elif k not in new:
                out.append(f"{p} (removed)")
            else:
                out += changes(old[k], new[k], p)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [x for i, (a, b) in enumerate(zip(old, new)) for x in changes(a, b, f"{at}/{i}")]
    return [] if old == new else [at or "/"]
