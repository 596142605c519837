"""Names, places and organisations from the side's ``entities`` layer (made by ``lancang annotate
--layers entities`` or read from gold): the labels to mask and the types they become are settings."""

from __future__ import annotations

from typing import Any

from .base import Detector, Hit

#: entity label -> PII type, by default
LABELS = {"PER": "PERSON", "PERSON": "PERSON", "LOC": "LOCATION", "GPE": "LOCATION", "ADDRESS": "LOCATION",
          "ORG": "ORGANIZATION"}


class Entities(Detector):
    name = "entities"
    description = ("Spans of the side's entities layer whose label is configured (PER/PERSON -> PERSON, "
                   "LOC/GPE/ADDRESS -> LOCATION, ORG -> ORGANIZATION by default); discontinuous entities by fragment.")
    types = ("PERSON", "LOCATION", "ORGANIZATION")
    parameters = {"type": "object", "additionalProperties": False, "properties": {"labels": {
        "type": "object", "additionalProperties": {"type": "string", "minLength": 1}, "default": LABELS,
        "description": "entity label -> PII type (labels compared case-insensitively)"}}}
    notes = ("As good as the entities layer: a side without one gives no hit (annotate it first or give gold). "
             "The surrogate keeps the shape letter for letter (Han names from common name characters), so it "
             "is not a realistic name of the language.")

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._labels = {k.upper(): v for k, v in self.params["labels"].items()}
        self.emit = frozenset(self._labels.values())

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        ents = ((side or {}).get("layers") or {}).get("entities") or ()
        if isinstance(ents, dict):  # the model's entities layer: {"items": [...], "relations": [...]}
            ents = ents.get("items") or ()
        hits: list[Hit] = []
        for ent in ents:
            if not isinstance(ent, dict):
                continue
            type_ = self._labels.get(str(ent.get("label", "")).upper())
            if type_ is None:
                continue
            spans = ent.get("fragments") or [(ent.get("start"), ent.get("end"))]
            for start, end in spans:
                # a span outside the text is the validator's finding (``lancang validate``), not a hit
                if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
                    hits.append(self.hit(start, end, type_, 1.0))
        return hits


__all__ = ["LABELS", "Entities"]
