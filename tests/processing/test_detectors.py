"""PII detectors of ``lancang mask``: hits on values written as people write them in zh, vi, th, id,
ms and en sentence frames, non-hits on years, prices, scores, dates and bad checksums, exact offsets,
and surrogates that keep the shape, stay valid and are deterministic.

Valid identifiers are computed here (check digits by the published algorithms), independently of the
detectors' own code."""

from __future__ import annotations

import datetime
import hashlib
import pathlib
import re

import pytest

pytest.importorskip("phonenumbers")
pytest.importorskip("stdnum")

from lancang.errors import UsageError  # noqa: E402
from lancang.processing.detectors import DETECTORS, build_detectors, find_all  # noqa: E402
from lancang.processing.detectors.base import Hit, fold, reshape  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "parallel"
FULLWIDTH = str.maketrans("0123456789X-+ ", "０１２３４５６７８９Ｘ－＋\u3000")


# ----------------------------------------------------------------------------- value generators
def cn_id(area: str = "110105", born: str = "19491231", seq: str = "002") -> str:
    body = area + born + seq
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body))
    return body + "10X98765432"[total % 11]


def cn_check_ok(number: str) -> bool:
    return cn_id(number[:6], number[6:14], number[14:17]) == number[:17] + number[17].upper()


def luhn_ok(number: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(number)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def luhn_complete(body: str) -> str:
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


def th_id(body12: str = "110170012345") -> str:
    s = sum(int(c) * (13 - i) for i, c in enumerate(body12))
    return body12 + str((11 - s % 11) % 10)


def th_ok(number: str) -> bool:
    return th_id(number[:12]) == number


def sg_ok(value: str) -> bool:
    weights = (2, 7, 6, 5, 4, 3, 2)
    s = sum(int(c) * w for c, w in zip(value[1:8], weights))
    s += {"S": 0, "T": 4, "F": 0, "G": 4, "M": 3}[value[0]]
    table = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK", "M": "XWUTRQPNJLK"}
    return table[value[0]][s % 11] == value[8]


def digits_of(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", fold(value))


def shape(value: str) -> str:
    """Digits as 9, letters as a, the rest as written: what a surrogate must keep."""
    out = []
    for c in value:
        f = fold(c)
        if f.isdigit():
            out.append("9" if c == f else "９")
        elif f.isascii() and f.isalpha():
            out.append("a")
        else:
            out.append(c)
    return "".join(out)


def hits(text: str, lang: str, names=None, side=None) -> list[tuple[str, str]]:
    dets = build_detectors(None if names is None else {n: (n in names) for n in DETECTORS.names()})
    out = find_all(text, lang, side, dets)
    for h in out:
        assert 0 <= h.start < h.end <= len(text)
    return [(text[h.start:h.end], h.type) for h in out]


DIGEST = hashlib.sha256(b"test key").digest()
OTHER = hashlib.sha256(b"other key").digest()


def surrogate(name: str, value: str, type_: str, digest: bytes = DIGEST) -> str:
    det = DETECTORS.get(name)()
    out = det.surrogate(value, type_, digest)
    assert out == det.surrogate(value, type_, digest), "not deterministic"
    assert out != value
    assert shape(out) == shape(value), (value, out)
    return out


# ----------------------------------------------------------------------------- Chinese resident ID
ID18 = cn_id()
ID18X = next(cn_id("440305", "19850613", f"{s:03d}") for s in range(1000)
             if cn_id("440305", "19850613", f"{s:03d}").endswith("X"))


@pytest.mark.parametrize("frame,lang", [
    ("我的身份证号码是{}，请核对。", "zh"),
    ("身分證字號{}", "zh"),
    ("Số CCCD của ông ấy là {} nhé.", "vi"),
    ("เลขบัตรประชาชนจีน{}ครับ", "th"),
    ("Nomor identitas Tiongkok: {}.", "id"),
    ("Nombor kad pengenalan China {} sah.", "ms"),
    ("His Chinese ID number is {}.", "en"),
])
def test_cn_resident_id_in_frames(frame: str, lang: str) -> None:
    for value in (ID18, ID18X, ID18X.lower(), ID18.translate(FULLWIDTH), f"{ID18[:6]} {ID18[6:14]} {ID18[14:]}"):
        text = frame.format(value)
        assert hits(text, lang, {"cn-resident-id"}) == [(value, "CN_RESIDENT_ID")], text


def test_cn_resident_id_non_hits() -> None:
    bad_check = ID18[:17] + str((int(ID18[17]) + 1) % 10) if ID18[17] != "X" else ID18[:17] + "0"
    bad_date = cn_id("110105", "19490231")  # 31 February
    future = cn_id("110105", f"{datetime.date.today().year + 1}0101")
    for text in (f"编号{bad_check}", f"编号{bad_date}", f"编号{future}", f"订单{ID18[:17]}", f"流水号{ID18}7",
                 "1998年出生", "售价¥1,299元"):
        assert hits(text, "zh", {"cn-resident-id"}) == [], text


def test_cn_resident_id_legacy_needs_context() -> None:
    legacy = "110105491231002"
    assert hits(f"身份证：{legacy}", "zh", {"cn-resident-id"}) == [(legacy, "CN_RESIDENT_ID")]
    assert hits(f"编号 {legacy}", "zh", {"cn-resident-id"}) == []
    det = DETECTORS.get("cn-resident-id")(legacy="always")
    assert [(h.start, h.end) for h in det.find(f"编号 {legacy}", "zh")] == [(3, 18)]


def test_cn_resident_id_surrogate_valid_and_same_shape() -> None:
    for value in (ID18, ID18X, ID18.translate(FULLWIDTH), f"{ID18[:6]}-{ID18[6:14]}-{ID18[14:]}"):
        out = surrogate("cn-resident-id", value, "CN_RESIDENT_ID")
        d = digits_of(out)
        assert cn_check_ok(d), out
        assert datetime.date(int(d[6:10]), int(d[10:12]), int(d[12:14]))
        assert hits(f"身份证{out}", "zh", {"cn-resident-id"}) == [(out, "CN_RESIDENT_ID")]
    assert surrogate("cn-resident-id", ID18, "CN_RESIDENT_ID", OTHER) != surrogate("cn-resident-id", ID18,
                                                                                    "CN_RESIDENT_ID")


# ----------------------------------------------------------------------------- phones
PHONES = [
    ("请拨打电话{}联系我", "zh", "13800138000"),
    ("我的手机是{}。", "zh", "138 0013 8000"),
    ("电话：{}", "zh", "(010) 6552-9988"),
    ("联系电话{}（工作日）", "zh", "+86 138-0013-8000"),
    ("国际拨号{}即可", "zh", "0086 13800138000"),
    ("手机：{}", "zh", "１３８００１３８０００"),
    ("香港办公室电话{}", "zh-HK", "9123 4567"),
    ("澳门 {}", "zh", "+853 6612 3456"),
    ("台北手機{}", "zh-TW", "0912-345-678"),
    ("Số điện thoại: {}.", "vi", "0912 345 678"),
    ("Gọi {} nhé", "vi", "0912.345.678"),
    ("Liên hệ {} (Zalo)", "vi", "+84 912 345 678"),
    ("โทร{}ได้เลย", "th", "081-234-5678"),
    ("เบอร์ {} ค่ะ", "th", "๐๘๑ ๒๓๔ ๕๖๗๘"),
    ("Silakan hubungi telepon {}.", "id", "0812-3456-7890"),
    ("HP: {}", "id", "+62 812 3456 7890"),
    ("Sila hubungi nombor telefon {} segera.", "ms", "012-345 6789"),
    ("Call me at {} tomorrow.", "en", "+65 9123 4567"),
    ("Text {} please", "en", "+63 917 123 4567"),
    ("Tawagan mo ako sa {}.", "fil", "0905 123 4567"),
    ("ទូរស័ព្ទ {}", "km", "091 234 567"),
    ("ໂທ {} ໄດ້", "lo", "020 23 123 456"),
    ("ဖုန်း {}", "my", "၀၉ ၂၁၂ ၃၄၅၆"),
    ("Brunei office {}", "en", "+673 712 3456"),
]


@pytest.mark.parametrize("frame,lang,value", PHONES)
def test_phones_as_people_write_them(frame: str, lang: str, value: str) -> None:
    text = frame.format(value)
    assert hits(text, lang, {"phone"}) == [(value, "PHONE")], text


@pytest.mark.parametrize("text,lang", [
    ("他1998年出生，2020年毕业。", "zh"),
    ("售价¥1,299，或299元。", "zh"),
    ("总价 1,299,000 元", "zh"),
    ("比分3-1，时间2020-03-15 10:30。", "zh"),
    ("Giá 50.000 đồng, năm 2020 có 1.000.000 người.", "vi"),
    ("ราคา 500 บาท เมื่อ 15/03/2020 เวลา 10:30 น.", "th"),
    ("Harganya Rp 15.000.000 pada tahun 2019.", "id"),
    ("Harga RM 1,250,000 untuk 3 bilik.", "ms"),
    ("The score was 3-1 on 15/03/2020; revenue grew 12.5% to $1,234,567.", "en"),
    ("ISBN 978-7-111-12345-6", "en"),
    ("人口 14,1178,7724 人", "zh"),
])
def test_numbers_that_are_not_personal(text: str, lang: str) -> None:
    assert hits(text, lang) == [], text


@pytest.mark.parametrize("frame,lang", [
    ("លេខអត្តសញ្ញាណប័ណ្ណចិន {} ត្រូវបានបញ្ជាក់។", "km"),
    ("ເລກບັດປະຈຳຕົວຈີນ {} ຖືກຕ້ອງ.", "lo"),
    ("တရုတ်မှတ်ပုံတင်နံပါတ် {} ဖြစ်သည်။", "my"),
    ("ผู้โดยสารถือบัตรประชาชนจีน{}เดินทางมา", "th"),
    ("Hộ khẩu ở Hà Nội, số định danh Trung Quốc {} đã xác minh.", "vi"),
    ("他的证件号{}已核实。", "zh"),
])
def test_every_script_family(frame: str, lang: str) -> None:
    assert hits(frame.format(ID18), lang) == [(ID18, "CN_RESIDENT_ID")]
    assert hits(frame.format("2024"), lang) == []
    assert hits(frame.format(ID18[:17]), lang) == []


def test_phone_of_another_region_needs_a_phone_word() -> None:
    # a Vietnamese mobile written nationally in the Chinese side of a pair: read as VN only next to 电话
    assert hits("越南同事的电话是0868 345 678。", "zh", {"phone"}) == [("0868 345 678", "PHONE")]
    assert hits("越南同事的编号是0868 345 678。", "zh", {"phone"}) == []
    assert hits("Gọi 0868 345 678 nhé", "vi", {"phone"}) == [("0868 345 678", "PHONE")]


def test_phone_context_raises_score() -> None:
    det = DETECTORS.get("phone")()
    with_word = det.find("电话13800138000", "zh")[0]
    bare = det.find("见13800138000", "zh")[0]
    assert with_word.score > bare.score


def test_phone_surrogates_keep_form_and_validity() -> None:
    import phonenumbers

    for value, region in (("138 0013 8000", "CN"), ("+86 138-0013-8000", None), ("0912.345.678", "VN"),
                          ("１３８００１３８０００", "CN"), ("๐๘๑ ๒๓๔ ๕๖๗๘", "TH"), ("+65 9123 4567", None)):
        out = surrogate("phone", value, "PHONE")
        assert phonenumbers.is_valid_number(phonenumbers.parse(fold(out), region)), out
    # one number, one surrogate, however it is written
    a = DETECTORS.get("phone")()
    same = {digits_of(a.surrogate(v, "PHONE", hashlib.sha256(a.normalise(v, "PHONE").encode()).digest()))[-8:]
            for v in ("138 0013 8000", "+86 138-0013-8000", "0086 13800138000")}
    assert len(same) == 1


# ----------------------------------------------------------------------------- ASEAN national IDs
THAI = th_id()
NRIC_MY = "900101-14-5678"
NIK = "3171015708450001"  # a woman (day 17 + 40) born 17 August 1945, Jakarta


@pytest.mark.parametrize("frame,lang,value,type_", [
    ("เลขประจำตัวประชาชน {} ค่ะ", "th", THAI, "TH_NATIONAL_ID"),
    ("เลขบัตร{}", "th", f"{THAI[0]}-{THAI[1:5]}-{THAI[5:10]}-{THAI[10:12]}-{THAI[12]}", "TH_NATIONAL_ID"),
    ("Thai ID {}", "en", THAI.translate(FULLWIDTH), "TH_NATIONAL_ID"),
    ("No. kad pengenalan: {}.", "ms", NRIC_MY, "MY_NRIC"),
    ("MyKad {} (IC)", "en", "900101145678", "MY_NRIC"),
    ("身份证 {} 是马来西亚的", "zh", NRIC_MY, "MY_NRIC"),
    ("NRIC {} is valid", "en", "S1234567D", "SG_NRIC"),
    ("FIN: {}", "en", "G1234567X", "SG_NRIC"),
    ("新加坡身份证{}", "zh", "T1234567J", "SG_NRIC"),
    ("NIK saya {}.", "id", NIK, "ID_NIK"),
    ("Nomor KTP: {}", "id", "3171-0157-0845-0001", "ID_NIK"),
    ("Số CCCD: {}.", "vi", "001090123456", "VN_CCCD"),
    ("Căn cước công dân {} cấp năm 2021", "vi", "079 203 001 234", "VN_CCCD"),
    ("TIN: {}", "en", "123-456-789-000", "PH_TIN"),
    ("Ang SSS number ko ay {}.", "fil", "34-1234567-8", "PH_SSS"),
    ("UMID CRN {}", "en", "0111-1234567-8", "PH_UMID"),
    ("PhilSys PCN: {}", "en", "1234-5678-9012-3456", "PH_PSN"),
])
def test_national_ids_in_frames(frame: str, lang: str, value: str, type_: str) -> None:
    text = frame.format(value)
    assert hits(text, lang) == [(value, type_)], text


@pytest.mark.parametrize("text,lang,name", [
    (f"เลขที่ {THAI[:12]}{(int(THAI[12]) + 1) % 10}", "th", "th-id"),  # bad check digit
    (f"บาร์โค้ด 9{THAI[1:]}", "th", "th-id"),  # first digit 9
    ("IC 901301-14-5678", "ms", "my-nric"),  # month 13
    ("NRIC S1234567A", "en", "sg-nric"),  # wrong letter
    ("NIK 3171019908450001", "id", "id-nik"),  # day 99
    ("Nomor 9971011708450001", "id", "id-nik"),  # province 99
    ("Mã đơn hàng 001090123456", "vi", "vn-cccd"),  # no identity word
    ("Số CCCD 099090123456", "vi", "vn-cccd"),  # province 099
    ("Order 34-1234567-8 shipped", "en", "ph-id"),  # an SSS shape without its word
])
def test_national_id_non_hits(text: str, lang: str, name: str) -> None:
    assert hits(text, lang, {name}) == [], text


def test_mykad_plain_digits_need_context() -> None:
    assert hits("Kod 900101145678", "ms", {"my-nric"}) == []
    assert hits("Kod 900101-14-5678", "ms", {"my-nric"}) == [("900101-14-5678", "MY_NRIC")]


def test_national_id_surrogates() -> None:
    from stdnum.my import nric

    out = surrogate("th-id", THAI, "TH_NATIONAL_ID")
    assert th_ok(digits_of(out)) and out[0] == THAI[0]
    out = surrogate("th-id", THAI.translate(FULLWIDTH), "TH_NATIONAL_ID")
    assert th_ok(digits_of(out))
    out = surrogate("my-nric", NRIC_MY, "MY_NRIC")
    assert nric.is_valid(out) and out[7:9] == "14"
    for value in ("S1234567D", "G1234567X", "M1234567K"):
        out = surrogate("sg-nric", value, "SG_NRIC")
        assert sg_ok(out) and out[0] == value[0], out
    out = surrogate("id-nik", NIK, "ID_NIK")
    assert int(out[6:8]) > 40 and hits(f"NIK {out}", "id", {"id-nik"}) == [(out, "ID_NIK")]
    out = surrogate("vn-cccd", "079203001234", "VN_CCCD")
    assert out[:4] == "0792" and hits(f"CCCD {out}", "vi", {"vn-cccd"}) == [(out, "VN_CCCD")]
    surrogate("ph-id", "34-1234567-8", "PH_SSS")


def test_sg_m_series() -> None:
    assert hits("FIN M1234567K", "en", {"sg-nric"}) == [("M1234567K", "SG_NRIC")]


# ----------------------------------------------------------------------------- bank cards
VISA = luhn_complete("411111111111111")
UNIONPAY19 = luhn_complete("622202123456789012")
MASTER2 = luhn_complete("222100000000000")
AMEX = luhn_complete("37828224631000")
JCB = luhn_complete("353011133330000")


@pytest.mark.parametrize("frame,lang,value", [
    ("银行卡号：{}，请勿外传", "zh", f"{UNIONPAY19[:6]} {UNIONPAY19[6:]}"),
    ("卡号{}", "zh", " ".join(VISA[i:i + 4] for i in range(0, 16, 4))),
    ("Số thẻ {} hết hạn", "vi", "-".join(MASTER2[i:i + 4] for i in range(0, 16, 4))),
    ("หมายเลขบัตร {} ค่ะ", "th", f"{AMEX[:4]} {AMEX[4:10]} {AMEX[10:]}"),
    ("Nomor kartu kredit {}.", "id", JCB),
    ("Kad {} tamat tempoh", "ms", UNIONPAY19),
    ("Card: {}", "en", VISA.translate(FULLWIDTH)),
])
def test_bank_cards(frame: str, lang: str, value: str) -> None:
    text = frame.format(value)
    assert hits(text, lang, {"bank-card"}) == [(value, "BANK_CARD")], text


def test_bank_card_followed_by_a_number() -> None:
    grouped = " ".join(VISA[i:i + 4] for i in range(0, 16, 4))
    assert hits(f"卡号 {grouped} 2025 到期", "zh", {"bank-card"}) == [(grouped, "BANK_CARD")]


def test_bank_card_non_hits() -> None:
    bad = VISA[:-1] + str((int(VISA[-1]) + 1) % 10)
    other = luhn_complete("990000000000000")  # no scheme has 99
    for text in (f"Card {bad}", f"ref {other}", f"Card {VISA[:-1]}", "Total 1234 5678 9012 3456 items"):
        assert hits(text, "en", {"bank-card"}) == [], text


def test_bank_card_surrogate() -> None:
    for value in (VISA, f"{AMEX[:4]} {AMEX[4:10]} {AMEX[10:]}", UNIONPAY19.translate(FULLWIDTH)):
        out = surrogate("bank-card", value, "BANK_CARD")
        assert luhn_ok(digits_of(out)) and digits_of(out)[:6] == digits_of(value)[:6]


# ----------------------------------------------------------------------------- network
@pytest.mark.parametrize("frame,lang,value,type_", [
    ("邮箱zhang.san@example.com联系我", "zh", "zhang.san@example.com", "EMAIL"),
    ("请发邮件到 用户@例子.中国 谢谢", "zh", "用户@例子.中国", None),
    ("邮箱：wang@例子.中国，谢谢", "zh", "wang@例子.中国", "EMAIL"),
    ("Email: nguyen.van.a@gmail.com.", "vi", "nguyen.van.a@gmail.com", "EMAIL"),
    ("อีเมล somchai@mail.co.thเท่านั้น", "th", "somchai@mail.co.th", "EMAIL"),
    ("Kirim ke budi+kerja@xn--mgbai9azgqp6j.xn--mgbai9a5eva00b ya", "id",
     "budi+kerja@xn--mgbai9azgqp6j.xn--mgbai9a5eva00b", "EMAIL"),
    ("Login via ftp://admin:s3cr3t@files.example.org/pub now", "en", "ftp://admin:s3cr3t@files.example.org",
     "URL_CREDENTIALS"),
    ("服务器地址 192.168.10.23，请勿公开", "zh", "192.168.10.23", "IP_ADDRESS"),
    ("Địa chỉ IP 203.113.131.1 bị chặn", "vi", "203.113.131.1", "IP_ADDRESS"),
    ("IPv6 2001:db8:85a3::8a2e:370:7334 di server", "ms", "2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS"),
])
def test_network_values(frame: str, lang: str, value: str, type_: str | None) -> None:
    text = frame.format(value)
    found = hits(text, lang)
    if type_ is None:  # a Chinese local part is not looked for (documented): the domain alone is no hit
        assert found == []
    else:
        assert found == [(value, type_)], text


@pytest.mark.parametrize("text", [
    "Cập nhật lên phiên bản 1.2.3.4 ngay", "升级到版本 10.0.19041.1", "Android v4.4.2.1 released",
    "localhost 127.0.0.1 and 0.0.0.0", "netmask 255.255.255.0", "会议时间 10:30:45", "@everyone see you",
    "the ratio 3:2:1 holds",
])
def test_network_non_hits(text: str) -> None:
    assert hits(text, "en", {"email", "ip-address", "url-credentials"}) == [], text


def test_network_surrogates() -> None:
    out = surrogate("email", "zhang.san@example.com", "EMAIL")
    assert out.endswith(".com") and hits(out, "en", {"email"}) == [(out, "EMAIL")]
    out = surrogate("url-credentials", "ftp://admin:s3cr3t@files.example.org", "URL_CREDENTIALS")
    assert out.startswith("ftp://") and out.endswith("@files.example.org") and "admin" not in out
    import ipaddress

    out = surrogate("ip-address", "192.168.10.23", "IP_ADDRESS")
    assert ipaddress.IPv4Address(out) and out.startswith("192.")
    ipaddress.IPv6Address(surrogate("ip-address", "2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS"))


# ----------------------------------------------------------------------------- passports, plates
@pytest.mark.parametrize("frame,lang,value", [
    ("护照号码：{}", "zh", "E12345678"),
    ("他的护照是{}，有效期十年", "zh", "EA1234567"),
    ("Số hộ chiếu {}", "vi", "C1234567"),
    ("Hộ chiếu: {}", "vi", "C7654321"),
    ("PASSPORT {}", "en", "K1234567"),
    ("หนังสือเดินทางเลขที่ {}", "th", "AA1234567"),
    ("Nomor paspor: {}", "id", "X1234567"),
    ("No. pasport {} sah", "ms", "A12345678"),
    ("Passport No. {}", "en", "P1234567A"),
])
def test_passports(frame: str, lang: str, value: str) -> None:
    text = frame.format(value)
    assert hits(text, lang, {"passport"}) == [(value, "PASSPORT")], text


def test_each_trigger_lets_its_own_values_through() -> None:
    # find_all runs a detector only when the set's joined trigger matches: each detector alone must
    # still be reached by the values of its own tests
    for name, value in (("passport", "HỘ CHIẾU C7654321"), ("ph-id", "PhilSys PCN 1234 5678 9012 3456"),
                        ("cn-plate", "车牌京A12345"), ("ip-address", "IP fe80::1ff:fe23:4567:890a")):
        det = DETECTORS.get(name)()
        assert find_all(value, "vi", None, [det]), value


def test_passport_needs_its_word() -> None:
    assert hits("型号E12345678已售罄", "zh", {"passport"}) == []
    assert hits("Flight VN1234567 departs", "en", {"passport"}) == []
    out = surrogate("passport", "EA1234567", "PASSPORT")
    assert out.startswith("EA")


@pytest.mark.parametrize("value", ["京A12345", "粤B·D12345", "沪A·12345D", "苏E 5G8K2", "川A1234学"])
def test_cn_plates(value: str) -> None:
    text = f"车牌号{value}的车停在门口"
    assert hits(text, "zh", {"cn-plate"}) == [(value, "CN_PLATE")]
    out = surrogate("cn-plate", value, "CN_PLATE")
    assert out[:2] == value[:2]


def test_cn_plate_non_hits() -> None:
    for text in ("江苏AAAAA级景区", "京A座1234号", "云A12", "新AB的XYZ", "北京A12345"):
        found = hits(text, "zh", {"cn-plate"})
        assert found == [] or found == [("京A12345", "CN_PLATE")], text  # 北京 ends in a plate's 京
    assert hits("江苏AAAAA级景区", "zh", {"cn-plate"}) == []


# ----------------------------------------------------------------------------- entities
def test_entities_from_the_layer() -> None:
    text = "Nguyễn Văn An làm việc ở Hà Nội cho Vingroup."
    side = {"text": text, "layers": {"entities": {"items": [
        {"start": 0, "end": 13, "label": "PER"}, {"start": 25, "end": 31, "label": "LOC"},
        {"start": 36, "end": 44, "label": "ORG"}, {"start": 36, "end": 44, "label": "MISC"}]}}}
    assert hits(text, "vi", {"entities"}, side) == [
        ("Nguyễn Văn An", "PERSON"), ("Hà Nội", "LOCATION"), ("Vingroup", "ORGANIZATION")]
    assert hits(text, "vi", {"entities"}, {"text": text}) == []
    broken = {"text": text, "layers": {"entities": [{"start": 40, "end": 99, "label": "PER"}, {"label": "ORG"}]}}
    assert hits(text, "vi", {"entities"}, broken) == []
    det = DETECTORS.get("entities")(labels={"PER": "PERSON"})
    assert [h.type for h in find_all(text, "vi", side, [det])] == ["PERSON"]
    out = det.surrogate("王小明", "PERSON", DIGEST)
    assert len(out) == 3 and out != "王小明" and all("\u4e00" <= c <= "\u9fff" for c in out)
    out = det.surrogate("สมชาย", "PERSON", DIGEST)
    assert len(out) == len("สมชาย") and out != "สมชาย"


def test_entity_fragments() -> None:
    text = "Ông Nguyễn và bà Trần Thị Hoa"
    side = {"text": text, "layers": {"entities": {"items": [{"start": 4, "end": 29, "label": "PERSON",
                                                             "fragments": [[4, 10], [17, 29]]}]}}}
    assert hits(text, "vi", {"entities"}, side) == [("Nguyễn", "PERSON"), ("Trần Thị Hoa", "PERSON")]


# ----------------------------------------------------------------------------- the set
def test_overlaps_resolved_longer_then_score() -> None:
    from lancang.processing.detectors.base import Detector

    class Short(Detector):
        name, types = "short", ("A",)

        def find(self, text, lang, side=None):
            return [self.hit(0, 3, "A", 1.0), self.hit(10, 14, "A", 0.5)]

    class Long(Detector):
        name, types = "long", ("B",)

        def find(self, text, lang, side=None):
            return [self.hit(1, 6, "B", 0.2), self.hit(10, 14, "B", 0.9)]

    out = find_all("x" * 20, "en", None, [Short(), Long()])
    assert out == [Hit(1, 6, "B", "long", 0.2), Hit(10, 14, "B", "long", 0.9)]


def test_several_values_in_one_sentence() -> None:
    text = f"张三，身份证{ID18}，手机138-0013-8000，邮箱zs@qq.com，车牌粤B12345。"
    assert hits(text, "zh") == [(ID18, "CN_RESIDENT_ID"), ("138-0013-8000", "PHONE"), ("zs@qq.com", "EMAIL"),
                                ("粤B12345", "CN_PLATE")]


def test_build_detectors_config_and_types() -> None:
    names = [d.name for d in build_detectors()]
    assert names[0] == "cn-resident-id" and "phone" in names and "entities" in names
    assert "phone" not in [d.name for d in build_detectors({"phone": False})]
    only = build_detectors(None, ["PHONE", "email"])
    assert [d.name for d in only] == ["email", "phone"]
    ents = build_detectors(None, ["PERSON"])
    assert [d.name for d in ents] == ["entities"] and ents[0].emit == {"PERSON"}
    (leg,) = [d for d in build_detectors({"cn-resident-id": {"legacy": "always"}}) if d.name == "cn-resident-id"]
    assert leg.params["legacy"] == "always"
    with pytest.raises(UsageError, match="unknown detector 'nope'"):
        build_detectors({"nope": True})
    with pytest.raises(UsageError, match="unknown PII type 'SSN'"):
        build_detectors(None, ["SSN"])
    with pytest.raises(UsageError, match="parameter"):
        build_detectors({"phone": {"leniency": "loose"}})
    with pytest.raises(UsageError, match="unknown parameter"):
        build_detectors({"email": {"x": 1}})


def test_types_narrow_hits() -> None:
    text = "Ông Nguyễn ở Hà Nội"
    side = {"text": text, "layers": {"entities": [{"start": 4, "end": 10, "label": "PER"},
                                                  {"start": 13, "end": 19, "label": "LOC"}]}}
    assert [h.type for h in find_all(text, "vi", side, build_detectors(None, ["PERSON"]))] == ["PERSON"]


def test_every_detector_describes_itself() -> None:
    for name, cls in DETECTORS:
        d = cls.describe()
        assert d["name"] == name and d["types"] and d["notes"] and d["description"]
        cls()  # defaults validate against the parameter schema


def test_detectors_pickle() -> None:
    import pickle

    dets = pickle.loads(pickle.dumps(build_detectors()))
    assert [h.type for h in find_all("电话13800138000", "zh", None, dets)] == ["PHONE"]


def test_missing_library_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "phonenumbers" else real(n, *a))
    with pytest.raises(UsageError, match=r'lancang\[privacy\]'):
        build_detectors()


def test_reshape_keeps_digit_scripts() -> None:
    assert reshape("๐๘๑-๒๓๔", "123456") == "๑๒๓-๔๕๖"
    assert reshape("１３８ ００", "12345") == "１２３ ４５"
    assert reshape("AB-12", "XY34") == "XY-34"


# ----------------------------------------------------------------------------- real sentences
def _real_sentences() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, lang in (("zh", "zh"), ("en", "en"), ("th", "th"), ("id", "id")):
        path = DATA / "pud" / f"{name}_pud.conllu"
        out += [(line[8:].strip(), lang) for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("# text =")]
    for name, lang in (("eng_data_eng", "en"), ("vie_data_vie", "vi"), ("zsm_data_zsm", "ms"), ("myn_data_myn", "my"),
                       ("tha_data_tha", "th"), ("ind_data_ind", "id")):
        path = DATA / "talpco" / f"{name}.txt"
        out += [(line.split("\t", 1)[1], lang) for line in path.read_text(encoding="utf-8").splitlines()
                if "\t" in line]
    return out


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/parallel is absent")
def test_real_clean_sentences_are_left_alone() -> None:
    sents = _real_sentences()
    assert len(sents) > 5000
    dets = build_detectors()
    changed = [(t, find_all(t, lang, None, dets)) for t, lang in sents]
    changed = [(t, h) for t, h in changed if h]
    assert len(changed) < 0.01 * len(sents), changed[:5]


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/parallel is absent")
def test_real_sentences_with_values_inserted() -> None:
    sents = _real_sentences()[::50]
    # values any side may hold whatever its language: an international number, a Chinese ID, an address
    values = ("+86 138 0013 8000", ID18, "zs@example.com")
    for text, lang in sents:
        for value in values:
            mixed = f"{text} {value}"
            found = [mixed[h.start:h.end] for h in find_all(mixed, lang)]
            assert found == [value], (mixed, found)


def test_registry_order_builtins_first() -> None:
    from lancang.registry import Registry

    reg = Registry("thing", "lancang.no-such-group", {"zeta": "x:y", "alpha": "x:z"})
    reg.register("beta", object())
    assert reg.ordered() == ["zeta", "alpha", "beta"]


@pytest.mark.parametrize("tag,text", [
    ("ms", "Sehingga 25.7.2018, seramai 97575 orang mendaftar."),
    ("ms", "Sehingga 26/10/2000, seramai 7814395 orang mendaftar."),
    ("en", "Population: 7818974 (census 1977)."),
    ("en", "Sales rose 43.6% in 1951 to 2169587 units."),
    ("en", "As of 2022-11-27, 2448344 people had registered."),
])
def test_dates_and_ungrouped_counts_are_not_phones(tag: str, text: str) -> None:
    assert find_all(text, tag, None, build_detectors({}, ["PHONE"])) == []


def test_an_ungrouped_number_next_to_a_phone_word_is_still_a_phone() -> None:
    text = "Call me at 81234567 tonight."  # a Singapore mobile written in one piece
    hits = find_all(text, "en", None, build_detectors({}, ["PHONE"]))
    assert [text[h.start:h.end] for h in hits] == ["81234567"]
