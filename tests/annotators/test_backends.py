"""Every segmenter and sentence splitter on real text, and the tiling property for each of them."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lancang.annotators import spec
from lancang.errors import UsageError

from .helpers import assert_tiles, needs


@functools.cache
def built(name: str, **config: object):
    sp = spec(name)
    if not sp.installed:
        pytest.skip(f"{name}: backend not installed ({sp.install_hint})")
    return sp.build(dict(config))


def words(name: str, text: str, tag: str, **config: object) -> list[str]:
    spans = built(name, **config).run("tokens", [text], tag)[0]
    assert_tiles(text, spans)
    return [text[s:e] for s, e in spans]


def sentences(name: str, text: str, tag: str) -> list[str]:
    spans = built(name).run("sentences", [text], tag)[0]
    assert_tiles(text, spans)
    return [text[s:e] for s, e in spans]


# ------------------------------------------------------------------------------------ segmenters

def test_jieba_words_and_hmm_switch() -> None:
    assert words("jieba", "我爱北京天安门。", "zh-Hans") == ["我", "爱", "北京", "天安门", "。"]
    # jieba's own example: the HMM joins the unknown word 杭研, the dictionary alone leaves 杭 研
    assert "杭研" in words("jieba", "他来到了网易杭研大厦", "zh")
    assert "杭研" not in words("jieba", "他来到了网易杭研大厦", "zh", hmm=False)


@needs("jieba")
def test_jieba_user_dictionary(tmp_path) -> None:
    d = tmp_path / "user.txt"
    d.write_text("网易杭研大厦 5\n", encoding="utf-8")
    ann = spec("jieba").build({"user_dict": [str(d)]})
    text = "他来到了网易杭研大厦"
    assert "网易杭研大厦" in [text[s:e] for s, e in ann.tokens(text, "zh")]
    assert "网易杭研大厦" not in words("jieba", "他来到了网易杭研大厦", "zh")


def test_traditional_chinese_goes_through_opencc_with_original_offsets() -> None:
    trad = "乾隆皇帝說：「我們走吧。」後來臺灣的發展很快！"
    simp = "乾隆皇帝说：「我们走吧。」后来台湾的发展很快！"
    t = words("jieba", trad, "zh-Hant")
    s = words("jieba", simp, "zh-Hans")
    assert "".join(t) == trad.replace(" ", "")
    assert [len(x) for x in t] == [len(x) for x in s]  # same boundaries as the Simplified text
    assert "臺灣" in t and "發展" in t
    # without conversion jieba sees Traditional characters it does not know as words
    assert words("jieba", trad, "zh-Hant", traditional="never") != t


def test_traditional_by_region_and_forced() -> None:
    trad = "後來臺灣的發展很快"
    assert words("jieba", trad, "zh-TW") == words("jieba", trad, "zh", traditional="always")


def test_carry_back_when_conversion_changes_length() -> None:
    from lancang.annotators.zh import carry_back

    original, converted = "ABCDE", "AXXBCDE"  # a conversion that grew by two characters
    spans = [(0, 3), (3, 5), (5, 7)]  # "AXX", "BC", "DE"
    assert carry_back(original, converted, spans) == [(0, 1), (1, 3), (3, 5)]


@pytest.mark.parametrize("name", ["newmm", "nlpo3"])
def test_thai_words(name: str) -> None:
    assert words(name, "ผมรักภาษาไทยมาก วันนี้อากาศดี", "th") == ["ผม", "รัก", "ภาษาไทย", "มาก", "วันนี้", "อากาศ", "ดี"]


def test_thai_sentences_crfcut() -> None:
    got = sentences("crfcut", "ผมรักภาษาไทยมาก วันนี้อากาศดีมาก ฉันจะไปตลาดกับแม่", "th")
    assert len(got) >= 2 and got[0].startswith("ผมรัก")


@pytest.mark.parametrize("name", ["pyvi", "underthesea"])
def test_vietnamese_multisyllable_words_keep_inner_spaces(name: str) -> None:
    text = "Tôi là sinh viên trường đại học Bách Khoa."
    got = words(name, text, "vi")
    assert "sinh viên" in got and "đại học" in got and got[-1] == "."


def test_underthesea_accent_normalisation_does_not_move_offsets() -> None:
    text = "Hoà bình cho Thuý Kiều."
    got = words("underthesea", text, "vi", normalize=True)
    assert "".join(got).replace(" ", "") == text.replace(" ", "")


def test_vietnamese_sentences_underthesea() -> None:
    assert sentences("underthesea", "Tôi là sinh viên. Xin chào các bạn! Hẹn gặp lại.", "vi") == [
        "Tôi là sinh viên.", "Xin chào các bạn!", "Hẹn gặp lại."]


def test_khmer_words_keep_zero_width_spaces_covered() -> None:
    text = "ខ្ញុំ\u200bស្រឡាញ់ប្រទេសកម្ពុជា។"
    got = words("khmer-nltk", text, "km")
    assert got[0] == "ខ្ញុំ\u200b" and got[-1] == "។" and "កម្ពុជា" in got


def test_lao_words() -> None:
    assert words("laonlp", "ພາສາລາວໃນປັດຈຸບັນ.", "lo") == ["ພາສາລາວ", "ໃນ", "ປັດຈຸບັນ", "."]


def test_burmese_words_and_syllables_one_instance() -> None:
    text = "မြန်မာနိုင်ငံသည် အရှေ့တောင်အာရှတွင် ရှိသည်။"
    w = words("burmesenlp", text, "my")
    assert w[:2] == ["မြန်မာနိုင်ငံ", "သည်"] and w[-1] == "။"
    syl = words("burmesenlp", text, "my", unit="syllable")
    assert syl[:2] == ["မြန်", "မာ"] and len(syl) > len(w)
    ann = built("burmesenlp")
    assert ann._nlp is built("burmesenlp")._nlp  # built once, reused


def test_burmese_non_normalised_input_maps_to_original() -> None:
    text = "မြန်\u200cမာ ကျောင်း"  # a ZWNJ burmesenlp's normaliser removes
    got = words("burmesenlp", text, "my")
    assert "".join(got).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("tag,text,expected", [
    ("id", "Saya pergi ke Jakarta.", ["Saya", "pergi", "ke", "Jakarta", "."]),
    ("ms", "Saya suka makan nasi lemak.", ["Saya", "suka", "makan", "nasi", "lemak", "."]),
    ("fil", "Kumain ako ng mangga.", ["Kumain", "ako", "ng", "mangga", "."]),
    ("tl", "Kumain ako ng mangga.", ["Kumain", "ako", "ng", "mangga", "."]),
    ("en-GB", "Dr. Smith isn't here.", ["Dr.", "Smith", "is", "n't", "here", "."]),
])
def test_spacy_blank_tokenizers(tag: str, text: str, expected: list[str]) -> None:
    assert words("spacy", text, tag) == expected


def test_spacy_sentencizer_batches() -> None:
    texts = ["Saya pergi. Dia datang!", "", "Satu kalimat saja"]
    got = built("spacy").run("sentences", texts, "id")
    assert [[t[s:e] for s, e in sp] for t, sp in zip(texts, got)] == [["Saya pergi.", "Dia datang!"], [],
                                                                       ["Satu kalimat saja"]]


# ------------------------------------------------------------------------------ sentence rules

@pytest.mark.parametrize("tag,text,expected", [
    ("zh-Hans", "他说：“你好！”然后走了……真的吗？3.14 很好。",
     ["他说：“你好！”", "然后走了……", "真的吗？", "3.14 很好。"]),
    ("zh", "你好!再见?好的", ["你好!", "再见?", "好的"]),
    ("km", "ខ្ញុំទៅផ្សារ។ គាត់មកពីភ្នំពេញ៕ តម្លៃ ១០០៛ ៖ ល្អ", ["ខ្ញុំទៅផ្សារ។", "គាត់មកពីភ្នំពេញ៕", "តម្លៃ ១០០៛ ៖ ល្អ"]),
    ("my", "ကျွန်တော် ကျောင်းသွားမယ်။ သူ၊ ကျွန်မ လာတယ်။", ["ကျွန်တော် ကျောင်းသွားမယ်။", "သူ၊ ကျွန်မ လာတယ်။"]),
    ("lo", "ເດັກນ້ອຍໆ ໄປໂຮງຮຽນ. ສະບາຍດີ", ["ເດັກນ້ອຍໆ ໄປໂຮງຮຽນ.", "ສະບາຍດີ"]),
    ("en", "Dr. Smith came. He left at 3.30 p.m. today! OK", ["Dr. Smith came.", "He left at 3.30 p.m. today!", "OK"]),
    ("und", "Line one\nLine two", ["Line one", "Line two"]),
])
def test_punctuation_rules(tag: str, text: str, expected: list[str]) -> None:
    assert sentences("punct", text, tag) == expected


def test_punct_line_modes() -> None:
    text = "a b\nc d\n\ne f"
    blank = spec("punct").build({"lines": "blank"}).sentences(text, "en")
    assert [text[s:e] for s, e in blank] == ["a b\nc d", "e f"]
    none = spec("punct").build({"lines": "none"}).sentences(text, "en")
    assert [text[s:e] for s, e in none] == [text]


def test_sentencepiece_offsets(tmp_path) -> None:
    from lancang.annotators.subword import train_sentencepiece

    if not spec("sentencepiece").installed:
        pytest.skip("sentencepiece not installed")
    corpus = ["ผมรักภาษาไทยมาก วันนี้อากาศดี", "ฉันไปตลาดกับแม่ ตลาดใหญ่มาก", "Hello world and the world"] * 30
    model = tmp_path / "m.model"
    with model.open("wb") as f:
        st_ = train_sentencepiece(corpus, f, vocab_size=80)
    assert st_["sentences"] == 90 and st_["vocab_size"] > 10
    ann = spec("sentencepiece").build({"model": str(model)})
    text = "  ผมรักตลาด ﬁne   world\t."  # a ligature NFKC changes, runs of white space
    spans = ann.tokens(text, "th")
    assert_tiles(text, spans)
    assert "".join(text[s:e] for s, e in spans) == text.replace(" ", "").replace("\t", "")


# ------------------------------------------------------------------------------ property tests

TOKENS = [("jieba", "zh-Hans"), ("jieba", "zh-Hant"), ("newmm", "th"), ("nlpo3", "th"), ("pyvi", "vi"),
          ("underthesea", "vi"), ("khmer-nltk", "km"), ("laonlp", "lo"), ("burmesenlp", "my"),
          ("spacy", "id"), ("spacy", "fil"), ("spacy", "en")]
SENTENCES = [("punct", "zh"), ("punct", "km"), ("punct", "my"), ("crfcut", "th"), ("underthesea", "vi"),
             ("spacy", "ms")]

_SCRIPT = {
    "zh": "我爱北京天安門臺灣說们。！？…「」",
    "th": "ผมรักภาษาไทยก่ี้ฯๆ",
    "vi": "TôilàsinhviênđạihọcBáchKhoaHòahoàThuý",
    "km": "ខ្ញុំស្រឡាញ់ប្រទេសកម្ពុជា។៕៖ៗ៛",
    "lo": "ພາສາລາວໃນປັດຈຸບັນໆຯ",
    "my": "မြန်မာနိုင်ငံသည်ရှိ။၊",
    "id": "SayapergikeJakartaDr",
    "fil": "Kumainakongmangga",
    "en": "Dr.Smithisn't",
    "ms": "Sayasukamakan",
}
_COMMON = list("abcXY0123456789.,:;!?'\"()-_/ \t\n") + ["\u200b", "\u200c", "\u0301", "\u3000", "  ", "\n\n", "😀"]


def text_for(lang: str) -> st.SearchStrategy[str]:
    alphabet = list(_SCRIPT[lang.split("-")[0]]) + _COMMON
    return st.lists(st.sampled_from(alphabet), max_size=50).map("".join)


@pytest.mark.parametrize("name,tag", TOKENS, ids=[f"{n}-{t}" for n, t in TOKENS])
def test_tokens_tile_the_text_for_every_backend(name: str, tag: str) -> None:
    ann = built(name)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(text_for(tag), min_size=1, max_size=3))
    def check(texts: list[str]) -> None:
        for text, spans in zip(texts, ann.run("tokens", texts, tag)):
            assert_tiles(text, spans)

    check()


def test_sentencepiece_tokens_tile_the_text(tmp_path_factory: pytest.TempPathFactory) -> None:
    from lancang.annotators.subword import train_sentencepiece

    if not spec("sentencepiece").installed:
        pytest.skip("sentencepiece not installed")
    model = tmp_path_factory.mktemp("sp") / "mixed.model"
    corpus = ["".join(_SCRIPT.values())[i:i + 40] + " abc 123" for i in range(0, 200, 7)] * 5
    with model.open("wb") as f, pytest.raises(UsageError, match="smaller than the 1[0-9]{2} characters"):
        train_sentencepiece(corpus, f, vocab_size=60)
    with model.open("wb") as f:
        train_sentencepiece(corpus, f, vocab_size=300)
    ann = spec("sentencepiece").build({"model": str(model)})

    @settings(max_examples=60, deadline=None)
    @given(st.sampled_from(sorted(_SCRIPT)).flatmap(text_for))
    def check(text: str) -> None:
        assert_tiles(text, ann.tokens(text, "und"))

    check()


@pytest.mark.parametrize("name,tag", SENTENCES, ids=[f"{n}-{t}" for n, t in SENTENCES])
def test_sentences_tile_the_text_for_every_backend(name: str, tag: str) -> None:
    ann = built(name)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(text_for(tag), min_size=1, max_size=3))
    def check(texts: list[str]) -> None:
        for text, spans in zip(texts, ann.run("sentences", texts, tag)):
            assert_tiles(text, spans)

    check()
