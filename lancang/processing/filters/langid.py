"""``langid``: is each side written in the language of its tag?

Three tests, each where it is reliable:

* **script** (every side whose tag names a script, :func:`~lancang.corpora.langs.expected_script`):
  the share of the side's letters written in that script. This is the whole test for the languages
  that own their script (zh: Han, th: Thai, km: Khmer, lo: Lao, my: Myanmar): a side tagged ``th``
  that is all Latin has a share of 0, Japanese tagged ``zh`` loses the share its kana take (and a
  Han side with any kana is also read by the identifier: Japanese can be more than half kanji).
* **statistical identification** for the Latin-script languages (vi, id, ms, fil, en), with
  `lingua-language-detector <https://github.com/pemistahl/lingua-py>`_ (Apache-2.0; its n-gram
  models ship in the wheel, nothing is downloaded). One detector per filter instance, built on first
  use from only the languages it has to tell apart: zh, vi, id, ms, fil, en and the ``confusables``
  (by default ja, which shares Han with zh, es, which lent Tagalog much of its vocabulary, and nl,
  which lent Indonesian; each language costs time -- 12 languages run at about half the speed of
  7 -- so others, fr or de, are added by the parameter where a corpus needs them). A side is scored
  with its confidence values; texts of fewer than ``min_letters`` letters are not identified
  (undecidable, never rejected). lingua's
  high-accuracy mode (n-grams of 1 to 5 characters) is right on short sentences where its
  low-accuracy mode (trigrams) is not, and costs about three times as much on long ones, where both
  agree: ``accuracy: auto`` uses the low mode from ``long_text`` (120) characters on.
* **fast path** before lingua: a Latin-script side whose own very frequent function words (the, of,
  yang, dan, ang, mga, là, của...) are at least 2 and a fifth of its words, and more than twice any
  other language's (its soft group aside), is confirmed without the identifier (score ``by:
  function-words``). It only ever confirms the tag: a side it does not confirm goes to lingua. On the
  cleaning benchmark's 2,731 noisy records it changes no decision and takes the filter from 7,500 to
  12,300 records/s. Indonesian and Malay are confirmed as a pair, while ``soft`` accepts them for one
  another (their own vocabulary, not their shared function words, tells them apart).
* **Zawgyi** for Burmese: the probability that the text is in the Zawgyi font encoding rather than
  Unicode, from Google's ``myanmartools`` (Apache-2.0) detector. On TALPCo's 1,372 Unicode Burmese
  sentences it exceeds 0.99 once (a string valid in both encodings) and 0.95 twice; converted to
  Zawgyi, 3 stay under 0.99: hence ``zawgyi: 0.99``.

The scores of a record are, per side tag: ``letters``; ``script`` (share of the letters in the
expected script); ``lang`` and ``p`` (the identifier's best language and its confidence values of
at least 0.01, lancang codes); ``zawgyi`` (probability). :meth:`LanguageId.decide` rejects a side
whose script share is under ``min_script``, whose Zawgyi probability is at least ``zawgyi``, or
whose identified language is another one with a confidence of at least ``min_confidence``.
Indonesian and Malay are close enough for the identifier to mix them up on short sentences: the
languages of a group in ``soft`` are accepted for one another, so a Malay sentence read as
Indonesian is kept, while English read as Indonesian is not. A rival is one language: on a short
English sentence with a Japanese name the identifier may spread its confidence over fil, id and
ms (0.3 each), which rejects nothing.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import regex

from ...annotators.base import BackendMissing
from ...corpora.langs import CLOSE_LANGUAGES, expected_script, iso639_1, language, letters, primary, script_share
from ...errors import UsageError
from .base import Filter, Reason, Scores

#: the languages the statistical identifier always tells apart (lancang's Latin and Han languages)
CORE = ("zh", "vi", "id", "ms", "fil", "en")
INSTALL = 'pip install "lancang[clean]"'
#: sides whose scores, and texts whose lingua reading, are kept (least recently used out): a few MB
CACHE = 4096
_KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
_WORD = regex.compile(r"\p{L}+")
#: letters only Vietnamese writes among lancang's languages: ơ ư đ ă and the vowels that stack a
#: circumflex, breve or horn with a tone mark
_VI_LETTER = regex.compile("[ơưđăƠƯĐĂấầẩẫậắằẳẵặếềểễệốồổỗộớờởỡợứừửữựẤẦẨẪẬẮẰẲẴẶẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰ]")


#: languages whose function words are mostly shared (Indonesian and Malay): the fast path confirms
#: only the pair, and only while ``soft`` accepts them for one another (telling them apart takes their
#: own vocabulary, which only the identifier reads: score with ``soft: []`` or ``fast_path: false``)
_CLOSE = frozenset().union(*CLOSE_LANGUAGES)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Very frequent function words of the Latin-script languages, for the fast path: a side whose own
#: function words clearly outnumber every other language's is confirmed without the statistical
#: identifier (never rejected by them: a side they do not confirm goes to lingua).
FUNCTION_WORDS = {
    "en": _words("the of and to is was are were in that it for with on this have has be not you he she they we "
                 "i his her my from by at as will would a an or but if so what which who when there their them "
                 "our your its can could should may been being had do does did than then also into about after "
                 "over"),
    "id": _words("yang dan di ini itu dengan untuk tidak dari dalam akan pada ke saya kami ada adalah sudah "
                 "juga bisa kita mereka karena oleh sebagai telah atau bahwa para tersebut seorang saat setelah "
                 "namun lebih tetapi bagi sejak hingga masih sangat harus belum dapat sebuah beberapa tentang "
                 "seperti antara tapi"),
    "ms": _words("yang dan di ini itu dengan untuk tidak dari dalam akan pada ke saya kami ada adalah sudah "
                 "juga boleh kita mereka kerana oleh sebagai telah atau tak bahawa para tersebut seorang saat "
                 "selepas namun lebih tetapi bagi sejak hingga masih sangat harus belum dapat sebuah beberapa "
                 "tentang seperti antara"),
    "fil": _words("ang ng sa mga na ay si ko mo hindi ito siya ako ka niya nila kami tayo namin ninyo po"),
    "vi": _words("là và của có không những được một các cho tôi này đã với người trong thì cũng để khi "
                 "anh chị em bạn rất"),
}


class LanguageId(Filter):
    name = "langid"
    description = ("Each side is in the language of its tag: script share (zh, th, km, lo, my and every script "
                   "subtag), lingua for Latin-script languages, Zawgyi-encoded Burmese rejected.")
    languages = ("zh", "vi", "th", "id", "ms", "fil", "km", "lo", "my", "en")
    kind = "record"
    parameters: ClassVar[Mapping[str, Any]] = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "min_script": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5,
                           "description": "reject a side with a smaller share of its letters in its tag's script"},
            "min_letters": {"type": "integer", "minimum": 1, "default": 10,
                            "description": "sides with fewer letters are not identified statistically"},
            "min_confidence": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5,
                               "description": "reject a side read as another language with at least this confidence"},
            "soft": {"type": "array", "default": [sorted(g) for g in CLOSE_LANGUAGES],
                     "items": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                     "description": "groups of languages accepted for one another (close languages)"},
            "zawgyi": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.99,
                       "description": "reject Burmese with at least this probability of being Zawgyi-encoded"},
            "confusables": {"type": "array", "items": {"type": "string"},
                            "default": ["ja", "es", "nl"],
                            "description": "languages the identifier also knows, besides zh vi id ms fil en"},
            "fast_path": {"type": "boolean", "default": True,
                          "description": "confirm a Latin-script side by its own function words (at least 2, "
                                         "a fifth of its words, more than twice any other language's) before "
                                         "asking lingua; an unconfirmed side always goes to lingua"},
            "accuracy": {"enum": ["auto", "high", "low"], "default": "auto",
                         "description": "lingua's mode: low is 3x faster and wrong far more often on short text; "
                                        "auto: low from long_text characters on, high below"},
            "long_text": {"type": "integer", "minimum": 1, "default": 120,
                          "description": "accuracy auto: texts of at least this many characters use the low mode"},
        },
    }
    direction: ClassVar[Mapping[str, str]] = {"script": "higher", "p": "higher", "zawgyi": "lower"}
    modules = ("lingua", "myanmartools")
    extra = "clean"

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._detector: Any = None  # high accuracy (or the one mode asked for)
        self._fast: Any = None  # low accuracy, for long texts in the auto mode
        self._lingua: dict[str, Any] = {}  # lancang code -> lingua Language
        self._code: dict[Any, str] = {}  # lingua Language -> lancang code
        self._zawgyi: Any = None
        # the last CACHE sides scored, and the last CACHE texts lingua read: a multi-parallel corpus
        # repeats a sentence in every pair it is in, and a side's scores depend on its tag and text alone
        self._side_cached = functools.lru_cache(maxsize=CACHE)(self._side)
        self._identified = functools.lru_cache(maxsize=CACHE)(self._identified)  # type: ignore[method-assign]
        self._tags: dict[str, tuple[str, str | None]] = {}
        self._groups: dict[str, frozenset[str]] = {}
        self._lists: dict[str, Any] = {}  # the fast path's word lists per language

    # ------------------------------------------------------------------ backends (built once, lazily)
    def _build_detector(self) -> None:
        try:
            from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
        except ImportError:
            raise BackendMissing(f"filter 'langid' needs lingua-language-detector: {INSTALL}") from None
        for code in dict.fromkeys([*CORE, *self.params["confusables"]]):
            lang = primary(code)
            try:
                obj = Language.from_iso_code_639_1(IsoCode639_1.from_str(iso639_1(lang).upper()))
            except (ValueError, AttributeError):
                raise UsageError(f"filter 'langid': parameter confusables: lingua does not know {code!r}") from None
            self._lingua[lang] = obj
            self._code[obj] = lang

        def build(low: bool) -> Any:
            builder = LanguageDetectorBuilder.from_languages(*self._lingua.values())
            return (builder.with_low_accuracy_mode() if low else builder).build()

        mode = self.params["accuracy"]
        self._detector = build(mode == "low")
        self._fast = build(True) if mode == "auto" else self._detector

    def _zawgyi_probability(self, text: str) -> float:
        if self._zawgyi is None:
            try:
                from myanmartools import ZawgyiDetector
            except ImportError:
                raise BackendMissing(f"filter 'langid' needs myanmartools for Burmese: {INSTALL}") from None
            with warnings.catch_warnings():  # myanmartools 1.2 reads its model with a deprecated importlib call
                warnings.simplefilter("ignore", DeprecationWarning)
                self._zawgyi = _Zawgyi(ZawgyiDetector())
        return self._zawgyi.probability(text)

    # ------------------------------------------------------------------ scores
    def _tag(self, tag: str) -> tuple[str, str | None]:
        """(primary language, expected script) of a side tag, worked out once per tag."""
        got = self._tags.get(tag)
        if got is None:
            try:
                lang = language(tag)
            except UsageError:
                lang = primary(tag)
            got = self._tags[tag] = (lang, expected_script(tag))
        return got

    def _side(self, tag: str, text: str) -> dict[str, Any]:
        """The scores of one side."""
        out: dict[str, Any] = {}
        lang, script = self._tag(tag)
        if script is None:
            out["letters"] = letters(text)
            return out
        inside, total = script_share(text, script)
        out["letters"] = total
        if not total:
            return out
        out["script"] = round(inside / total, 4)
        if lang == "my" and script == "Myanmar" and inside:
            out["zawgyi"] = round(self._zawgyi_probability(text), 6)
        # Latin-script languages are told apart statistically; Han is Chinese unless kana say
        # Japanese (a Japanese sentence can be more than half kanji)
        latin_or_kana = script == "Latin" or script == "Han" and bool(_KANA.search(text))
        if latin_or_kana and total >= self.params["min_letters"] and lang in self._lingua:
            if self.params["fast_path"] and self._confirmed(lang, text):
                out["lang"] = lang
                out["by"] = "function-words"
                return out
            out["lang"], out["p"] = self._identified(text)
        return out

    def _identified(self, text: str) -> tuple[str | None, dict[str, float]]:
        """lingua's best language and its confidence values of at least 0.01."""
        # one text at a time: lingua's parallel call costs more CPU per text on a busy machine
        detector = self._fast if len(text) >= self.params["long_text"] else self._detector
        values = detector.compute_language_confidence_values(text)
        return (self._code[values[0].language] if values and values[0].value > 0 else None,
                {self._code[v.language]: round(v.value, 4) for v in values if v.value >= 0.01})

    def _confirmed(self, lang: str, text: str) -> bool:
        """The fast path: the side's own function words are at least 2 and a fifth of its words, and
        more than twice the words only another language's list has. Indonesian and Malay are confirmed
        as a pair, and only while ``soft`` groups them: to re-decide with them told apart, score again
        with ``soft: []``."""
        lists = self._word_lists(lang)
        if lists is None:
            return False
        own, rival_of, rivals = lists
        words = [w.casefold() for w in _WORD.findall(text)]
        if not words:
            return False
        mine = 0
        counts = [0] * rivals
        for w in words:  # one pass: a word is the side's own, or counts for each rival list it is on
            if w in own:
                mine += 1
            else:
                for i in rival_of.get(w, ()):
                    counts[i] += 1
        if lang == "vi":  # a word spelt with Vietnamese's own letters (ơ ư đ ă, stacked tone marks) counts too
            mine = max(mine, sum(1 for w in words if _VI_LETTER.search(w)))
        if mine < 2 or mine * 5 < len(words):
            return False
        return mine > 2 * max(counts, default=0)

    def _word_lists(self, lang: str) -> tuple[frozenset[str], dict[str, tuple[int, ...]], int] | None:
        """(the side's own function words, word -> the rival lists it is on, how many rivals), once per
        language; None when the fast path does not serve the language."""
        if lang in self._lists:
            return self._lists[lang]
        own = FUNCTION_WORDS.get(lang)
        got = None
        if own is not None and not (lang in _CLOSE and not self._group(lang) >= _CLOSE):
            if lang in _CLOSE:  # Indonesian and Malay confirmed as the pair only (their function words are one)
                own = FUNCTION_WORDS["id"] | FUNCTION_WORDS["ms"]
            others = [fw for other, fw in FUNCTION_WORDS.items()
                      if other != lang and not (lang in _CLOSE and other in _CLOSE)]
            rival_of: dict[str, tuple[int, ...]] = {}
            for i, fw in enumerate(others):
                for w in fw - own:
                    rival_of[w] = (*rival_of.get(w, ()), i)
            got = (own, rival_of, len(others))
        self._lists[lang] = got
        return got

    def score_batch(self, records: Sequence[dict[str, Any]]) -> list[Scores]:
        if self._detector is None:
            self._build_detector()
        out: list[Scores] = []
        for rec in records:
            scores: Scores = {}
            for tag, side in (rec.get("sides") or {}).items():
                text = side.get("text") if isinstance(side, dict) else None
                if isinstance(text, str):
                    scores[tag] = self._side_cached(tag, text)
            out.append(scores)
        return out

    def score(self, record: dict[str, Any]) -> Scores:
        return self.score_batch([record])[0]

    # ------------------------------------------------------------------ decisions
    def _group(self, lang: str) -> frozenset[str]:
        got = self._groups.get(lang)
        if got is None:
            got = frozenset({lang})
            for g in self.params["soft"]:
                members = {primary(x) for x in g}
                if lang in members:
                    got = frozenset(members)
                    break
            self._groups[lang] = got
        return got

    def decide(self, scores: Scores) -> list[Reason]:
        prm = self.params
        reasons: list[Reason] = []
        for tag, s in scores.items():
            if not isinstance(s, dict):
                continue
            script = s.get("script")
            if script is not None and script < prm["min_script"]:
                reasons.append(Reason(self.name, "script", script, prm["min_script"], side=tag,
                                      message=f"{script:.0%} of its letters are in the {expected_script(tag)} script"))
                continue
            zawgyi = s.get("zawgyi")
            if zawgyi is not None and zawgyi >= prm["zawgyi"]:
                reasons.append(Reason(self.name, "zawgyi", zawgyi, prm["zawgyi"], side=tag,
                                      message="Burmese in the Zawgyi encoding, not Unicode"))
                continue
            p = s.get("p")
            if p:
                mine = self._group(primary(tag))
                rivals = [(value, lang) for lang, value in p.items() if lang not in mine]
                if rivals:
                    value, lang = max(rivals)
                    if value >= prm["min_confidence"]:
                        reasons.append(Reason(self.name, "lang", value, prm["min_confidence"], side=tag,
                                              message=f"reads as {lang}"))
        return reasons


class _Zawgyi:
    """myanmartools' Zawgyi probability, the same number faster: its Markov model's log-likelihood
    ratios of consecutive characters, looked up through a dict of its characters instead of a binary
    search per character, and summed in the same order (so the same float). Falls back to the
    library's own call if a release changes the model's layout."""

    def __init__(self, detector: Any):
        self.detector = detector
        chars, params = getattr(detector, "_chars", None), getattr(detector, "_params", None)
        self.fast = isinstance(chars, (list, tuple, str)) and params is not None
        if self.fast:
            self.state = {c: i + 1 for i, c in enumerate(chars)}
            self.size = len(chars) + 1
            self.params = params

    def probability(self, text: str) -> float:
        if not self.fast:
            return float(self.detector.get_zawgyi_probability(text))
        get, size, params = self.state.get, self.size, self.params
        prev = 0
        total = 0.0
        known = False
        for c in text:
            cur = get(c, 0)
            x = params[prev * size + cur]
            if x == x:  # not NaN (NaN: a foreign character on either side)
                total += x
                known = True
            prev = cur
        x = params[prev * size]
        if x == x:
            total += x
            known = True
        if not known:
            return -math.inf
        if total >= 0:  # Pz / (Pu + Pz) = 1 / (1 + exp(lnPu - lnPz)), without overflow
            z = math.exp(-total)
            return z / (z + 1)
        return 1 / (1 + math.exp(total))
