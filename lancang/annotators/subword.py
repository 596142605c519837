"""SentencePiece subwords for any language, and training a model from a corpus's own text.

The model is trained offline from the corpus (``lancang train sentencepiece``); segmenting needs
only the model file. SentencePiece reports each piece's code-point offsets into the input (its
NFKC normalisation and the ``▁`` space marker are undone by those offsets), so subword tokens map
exactly onto the original text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import UsageError
from .base import AnnotatorSpec, ModelMissing
from .segmenter import Segmenter, options
from .spans import Span, normalize_spans

SENTENCEPIECE = AnnotatorSpec(
    name="sentencepiece",
    description="Subword tokens with a SentencePiece model (train one with `lancang train sentencepiece`)",
    provides=("tokens",),
    languages=("*",),
    factory="lancang.annotators.subword:SentencePiece",
    backend="sentencepiece",
    modules=("sentencepiece",),
    extra="sentencepiece",
    config={**options(common=("lexicon",),
                      model={"type": "string", "minLength": 1, "description": "Path of the .model file."}),
            "required": ["model"]},
)


class SentencePiece(Segmenter):
    def __init__(self, config: Mapping[str, Any]):
        super().__init__(config)
        import sentencepiece as spm

        path = config["model"]
        try:
            self._sp = spm.SentencePieceProcessor(model_file=path)
        except (OSError, RuntimeError) as exc:
            raise ModelMissing(f"annotator 'sentencepiece': cannot load model {path}: {exc}; "
                               f"train one with `lancang train sentencepiece CORPUS --src LANG -o {path}`") from None

    def tokens(self, text: str, lang: str) -> list[Span]:
        res = self._sp.encode_as_offset_mapping(text)
        spans = normalize_spans(text, res["offsets"])
        return self.lexicon.adapt(text, spans) if self.lexicon else spans


def train_sentencepiece(texts: Iterable[str], output: Any, vocab_size: int = 8000, model_type: str = "unigram",
                        character_coverage: float = 0.9995, max_sentences: int = 1_000_000,
                        seed: int = 13) -> dict[str, Any]:
    """Train a SentencePiece model from texts (streamed; at most ``max_sentences`` are sampled).

    ``output`` is a binary file object the model is written to. ``hard_vocab_limit`` is off, so a
    small corpus yields a smaller vocabulary instead of an error. Returns what was trained on.
    """
    import sentencepiece as spm

    stats = {"sentences": 0, "characters": 0}

    def feed() -> Iterable[str]:
        for t in texts:
            for line in t.splitlines():
                if line.strip():
                    stats["sentences"] += 1
                    stats["characters"] += len(line)
                    yield line

    buf = io.BytesIO()
    spm.set_random_generator_seed(seed)
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(feed()), model_writer=buf, vocab_size=vocab_size, model_type=model_type,
            character_coverage=character_coverage, hard_vocab_limit=False, input_sentence_size=max_sentences,
            shuffle_input_sentence=True, minloglevel=2, num_threads=1)
    except RuntimeError as exc:
        if not stats["sentences"]:
            raise UsageError("no text to train on (no non-empty side in the chosen language)") from None
        m = re.search(r"smaller than required_chars\. (\d+) vs (\d+)", str(exc))
        if m:
            raise UsageError(f"a vocabulary of {m.group(1)} pieces is smaller than the {m.group(2)} characters the "
                             f"corpus needs; raise --vocab-size or lower --character-coverage") from None
        raise UsageError(f"SentencePiece training failed: {exc}") from None
    output.write(buf.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=buf.getvalue())
    return {**stats, "vocab_size": sp.get_piece_size(), "model_type": model_type, "bytes": len(buf.getvalue())}


def train_model(corpus: str, *, output: str, lang: str, fmt: str | None = None, langs: Any = None,
                options: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    """`lancang train sentencepiece` as a function: the text of every side in ``lang`` of a corpus in any
    format, streamed to the trainer; the model is written atomically to ``output``."""
    from ..corpora.jsonl import atomic_output
    from . import spec
    from .gold import side_items

    spec("sentencepiece").require_backend()
    texts = (t for _, t in side_items(corpus, layer=None, lang=lang, fmt=fmt, langs=langs or [lang], options=options))
    with atomic_output(output, "wb") as f:
        return train_sentencepiece(texts, f, **params)
