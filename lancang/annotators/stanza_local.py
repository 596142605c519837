"""Stanza tokens and sentences from models that are already installed; never downloads.

Stanza's neural tokenizer needs a model per language (``zh-hans``, ``vi``, ``th``, ``id``, ``my`` ...).
lancang builds the pipeline with ``download_method=None`` from ``model_dir`` (default: stanza's
own, ``$STANZA_RESOURCES_DIR`` or ``~/stanza_resources``); a missing model is a clear error that
says how to install it, never a download.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..corpora.langs import is_traditional, iso639_1
from .base import Annotator, AnnotatorSpec, ModelMissing
from .spans import Span, normalize_spans

STANZA = AnnotatorSpec(
    name="stanza",
    description="Tokens and sentences with Stanza's neural tokenizer, from locally installed models only",
    provides=("tokens", "sentences"),
    languages=("*",),
    factory="lancang.annotators.stanza_local:Stanza",
    backend="stanza",
    modules=("stanza",),
    extra="stanza",
    note="install torch first to choose its CPU or GPU build",
    config={"type": "object", "properties": {
        "model_dir": {"type": "string", "minLength": 1,
                      "description": "Folder of stanza models (default: $STANZA_RESOURCES_DIR or ~/stanza_resources)."},
        "package": {"type": "string", "default": "default", "description": "Stanza package (treebank) name."},
    }},
)


def model_dir(config: Mapping[str, Any]) -> str:
    return config.get("model_dir") or os.environ.get("STANZA_RESOURCES_DIR") or os.path.expanduser("~/stanza_resources")


def stanza_lang(tag: str, lang: str) -> str:
    if lang == "zh":
        return "zh-hant" if is_traditional(tag) else "zh-hans"
    return iso639_1(lang)


class Stanza(Annotator):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        import stanza

        self._stanza = stanza
        self._dir = model_dir(config)
        self._pipes: dict[str, Any] = {}

    def prepare(self, tag: str, lang: str) -> Any:
        code = stanza_lang(tag, lang)
        if code not in self._pipes:
            try:
                self._pipes[code] = self._stanza.Pipeline(
                    lang=code, dir=self._dir, processors="tokenize", package=self.config.get("package", "default"),
                    download_method=None, logging_level="WARN")
            except Exception as exc:  # stanza raises several types (ResourcesFileNotFoundError, FileNotFoundError...)
                raise ModelMissing(
                    f"annotator 'stanza': no tokenize model for {code!r} in {self._dir} ({type(exc).__name__}: {exc}). "
                    f"lancang never downloads models; install it with: python -c \"import stanza; "
                    f"stanza.download('{code}', model_dir='{self._dir}', processors='tokenize')\" "
                    f"or set model_dir / $STANZA_RESOURCES_DIR to where it is") from None
        return self._pipes[code]

    def _doc(self, text: str, tag: str) -> Any:
        from ..corpora.langs import language

        return self.prepare(tag, language(tag))(text)

    def tokens(self, text: str, lang: str) -> list[Span]:
        doc = self._doc(text, lang)
        return normalize_spans(text, ((t.start_char, t.end_char) for s in doc.sentences for t in s.tokens))

    def sentences(self, text: str, lang: str) -> list[Span]:
        doc = self._doc(text, lang)
        return normalize_spans(text, ((s.tokens[0].start_char, s.tokens[-1].end_char) for s in doc.sentences
                                      if s.tokens), "sentences")
