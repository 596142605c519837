"""Context words in zh, vi, th, id, ms, fil, km, lo, my and en: what raises a detector's confidence
(a phone word before a number) and what says a number is not personal data (a currency, a year, a
version). One place, shared by every detector."""

from __future__ import annotations

import re

from .base import keyword_pattern, near

PHONE_WORDS = (
    # zh
    "电话", "電話", "手机", "手機", "联系电话", "聯絡電話", "致电", "致電", "热线", "熱線", "拨打", "撥打", "座机",
    "来电", "号码", "號碼", "微信", "传真", "傳真",
    # en
    "tel", "phone", "mobile", "cell", "call", "hotline", "whatsapp", "fax", "contact",
    # vi
    "số điện thoại", "điện thoại", "sđt", "đt", "gọi", "liên hệ", "di động", "zalo",
    # th
    "โทร", "เบอร์", "โทรศัพท์", "มือถือ", "ติดต่อ",
    # id / ms / fil
    "telepon", "telp", "hp", "no. hp", "nomor", "hubungi", "wa", "nombor telefon", "telefon", "no. tel",
    "tawagan", "numero", "cellphone",
    # km / lo / my
    "ទូរស័ព្ទ", "លេខ", "ໂທ", "ເບີ", "ໂທລະສັບ", "ဖုန်း",
)

ID_WORDS = (
    "身份证", "身份證", "身分證", "证件", "證件", "号码", "號碼", "公民身份号码", "证号", "證號",
    "id", "identity", "identification", "id card", "ic", "nric", "fin", "mykad", "kad pengenalan", "no. kp",
    "nik", "ktp", "kependudukan", "cccd", "căn cước", "cmnd", "cmt", "định danh", "chứng minh", "giấy tờ",
    "tùy thân", "k/p", "identiti", "identitas",
    "บัตรประชาชน", "เลขประจำตัวประชาชน", "ประจำตัว", "เลขบัตร", "บัตรประจำตัว",
    "អត្តសញ្ញាណប័ណ្ណ", "ບັດປະຈຳຕົວ", "မှတ်ပုံတင်",
)

CARD_WORDS = (
    "卡号", "卡號", "银行卡", "銀行卡", "信用卡", "借记卡", "银联", "銀聯", "card", "credit card", "visa",
    "mastercard", "thẻ", "số thẻ", "tài khoản", "บัตร", "บัตรเครดิต", "kartu", "kad", "kartu kredit",
)

PASSPORT_WORDS = (
    "护照", "護照", "hộ chiếu", "หนังสือเดินทาง", "พาสปอร์ต", "paspor", "pasport", "passport", "pasaporte",
    "លិខិតឆ្លងដែន", "ໜັງສືຜ່ານແດນ", "ပတ်စ်ပို့",
)

#: Money: a number right after one of these, or right before one of :data:`CURRENCY_AFTER`, is a price.
CURRENCY_BEFORE = ("¥", "￥", "$", "€", "£", "₫", "฿", "₱", "₹", "rp", "rm", "s$", "us$", "hk$", "nt$", "php", "usd",
                   "vnd", "idr", "myr", "thb", "sgd", "cny", "rmb", "人民币", "人民幣", "港币", "港幣", "kip", "riel")
CURRENCY_AFTER = ("元", "块", "塊", "圆", "万", "萬", "亿", "億", "đồng", "đ", "₫", "vnd", "บาท", "usd", "rupiah",
                  "ringgit", "peso", "piso", "kip", "ກີບ", "រៀល", "riel", "kyat", "ကျပ်", "dollar", "dollars", "sgd",
                  "%", "％")
#: Years, versions and quantities: a number after one of these is not personal data.
NOT_PII_BEFORE = ("năm", "tahun", "ปี", "พ.ศ.", "ค.ศ.", "version", "ver.", "phiên bản", "版本", "เวอร์ชัน", "versi",
                  "build", "release", "isbn", "issn", "doi", "订单号", "訂單號", "order")

PHONE = keyword_pattern(PHONE_WORDS)
IDENTITY = keyword_pattern(ID_WORDS)
CARD = keyword_pattern(CARD_WORDS)
PASSPORT = keyword_pattern(PASSPORT_WORDS)
_MONEY_BEFORE = keyword_pattern(CURRENCY_BEFORE)
_MONEY_AFTER = keyword_pattern(CURRENCY_AFTER)
_NOT_BEFORE = keyword_pattern(NOT_PII_BEFORE)
_SPACE = re.compile(r"[\s\u00a0]*")


def _right_before(pattern: re.Pattern[str], text: str, start: int) -> bool:
    """Whether a match of ``pattern`` ends right before ``start`` (spaces or a colon between)."""
    head = text[max(0, start - 16):start]
    ends = [m.end() for m in pattern.finditer(head)]
    return bool(ends) and not head[ends[-1]:].strip(" \u00a0:：")


def not_personal(text: str, start: int, end: int) -> bool:
    """Whether the number at ``[start, end)`` reads as a price, a year, a version or a reference
    number: a currency right before it (``¥``, ``Rp``, ``RM``...) or right after it (``元``, ``đồng``,
    ``บาท``...), or a year or version word right before it (``năm``, ``ปี``, ``version``...)."""
    if _right_before(_MONEY_BEFORE, text, start) or _right_before(_NOT_BEFORE, text, start):
        return True
    after = _SPACE.match(text, end).end()
    return bool(_MONEY_AFTER.match(text, after, after + 10))


__all__ = ["CARD", "CARD_WORDS", "CURRENCY_AFTER", "CURRENCY_BEFORE", "IDENTITY", "ID_WORDS", "NOT_PII_BEFORE",
           "PASSPORT", "PASSPORT_WORDS", "PHONE", "PHONE_WORDS", "near", "not_personal"]
