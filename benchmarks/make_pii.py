"""Make an evaluation set for personal-data masking (issue 15): real sentences with personal data
inserted in natural sentence frames, and the same sentences without it.

    python benchmarks/make_pii.py OUTDIR [--per-lang 500] [--seed 15]

Writes ``OUTDIR/pii.jsonl`` (lancang records, one side each) and ``OUTDIR/pii.truth.jsonl`` (one
line per record: ``id``, ``lang``, ``clean`` and ``spans`` = ``[[start, end, type], ...]`` in code
points of the side's text). For each language (zh-Hans, vi, th, id, ms, en) ``--per-lang``
records carry one value in a frame sentence appended to a real sentence, and as many are clean:
the same real sentences, half of them followed by a frame with tempting numbers that are not
personal data (years, dates, prices, scores, quantities, percentages, times, counts).

Real sentences (read from ../shared/data, never copied): zh UD GSDSimp; vi TALPCo and UD VTB; th
TALPCo and PUD; id PUD, TALPCo and UD GSD; ms TALPCo; en PUD and TALPCo.

Types and how the values are made (every value with a checksum is valid; each is checked with
python-stdnum or phonenumbers where they know the format):

* ``cn-id``: Chinese resident ID, 18 characters with the GB 11643 check digit (X included), a real
  birth date; one in ten the 15-digit legacy form;
* ``th-id``: Thai national ID, 13 digits with its check digit, plain or ``1-2345-67890-12-3``;
* ``id-nik``: Indonesian NIK, 16 digits: region, birth date (day + 40 for women), serial;
* ``my-nric``: Malaysian MyKad ``YYMMDD-PB-NNNN`` with a valid birth date and place code;
* ``sg-nric``: Singapore NRIC/FIN with its check letter;
* ``vn-cccd``: Vietnamese CCCD, 12 digits: province, century/sex digit, birth year, serial;
* ``phone``: valid mobile and fixed numbers (``phonenumbers.is_valid_number``) of the countries
  each language's speakers write, in the ways people write them: national with spaces, dashes or
  dots, ``+CC`` international, E.164, digits run together, full-width digits in Chinese text;
* ``email``, ``bank-card`` (UnionPay 62 with 16 or 19 digits, Visa, Mastercard; Luhn-valid;
  grouped by 4 or not), ``ip`` (IPv4, one in ten IPv6), ``cn-plate`` (Chinese plates, ordinary with at
  most two letters among five and new-energy, with or without the middle dot), ``passport`` (the
  issuing country's format, after a keyword).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import align_data as data  # noqa: E402

LANGS = ("zh", "vi", "th", "id", "ms", "en")
TAGS = {"zh": "zh-Hans"}
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# ---- values -------------------------------------------------------------------------------------

def birth(rnd: random.Random, lo: int = 1950, hi: int = 2005) -> dt.date:
    return dt.date(lo, 1, 1) + dt.timedelta(days=rnd.randrange((dt.date(hi, 12, 31) - dt.date(lo, 1, 1)).days))


def cn_id(rnd: random.Random) -> str:
    area = rnd.choice(["110101", "310104", "440305", "450103", "510107", "330106", "420111", "530102",
                       "350203", "610113", "450305", "460105"])
    d = birth(rnd)
    if rnd.random() < 0.1:
        return area + d.strftime("%y%m%d") + f"{rnd.randrange(1000):03d}"
    body = area + d.strftime("%Y%m%d") + f"{rnd.randrange(1000):03d}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w)) % 11]


def th_id(rnd: random.Random) -> str:
    d = [rnd.randint(1, 8)] + [rnd.randrange(10) for _ in range(11)]
    d.append((11 - sum(x * (13 - i) for i, x in enumerate(d)) % 11) % 10)
    s = "".join(map(str, d))
    if rnd.random() < 0.5:
        return f"{s[0]}-{s[1:5]}-{s[5:10]}-{s[10:12]}-{s[12]}"
    return s


def id_nik(rnd: random.Random) -> str:
    prov = rnd.choice(["31", "32", "33", "34", "35", "36", "51", "61", "73", "12", "14", "16"])
    d = birth(rnd)
    day = d.day + (40 if rnd.random() < 0.5 else 0)
    district = f"{rnd.randint(1, 20):02d}{rnd.randint(1, 30):02d}"
    return prov + district + f"{day:02d}{d:%m%y}" + f"{rnd.randint(1, 999):04d}"


def my_nric(rnd: random.Random) -> str:
    d = birth(rnd, 1950, 2005)
    pb = rnd.choice(["01", "02", "05", "07", "08", "10", "12", "13", "14", "21", "52", "71"])
    s = f"{d:%y%m%d}{pb}{rnd.randrange(10000):04d}"
    return f"{s[:6]}-{s[6:8]}-{s[8:]}" if rnd.random() < 0.7 else s


def sg_nric(rnd: random.Random) -> str:
    first = rnd.choice("STFG")
    digits = [rnd.randrange(10) for _ in range(7)]
    total = sum(x * w for x, w in zip(digits, [2, 7, 6, 5, 4, 3, 2])) + (4 if first in "TG" else 0)
    table = "JZIHGFEDCBA" if first in "ST" else "XWUTRQPNMLK"
    return first + "".join(map(str, digits)) + table[total % 11]


def vn_cccd(rnd: random.Random) -> str:
    prov = rnd.choice(["001", "079", "048", "031", "092", "038", "040", "036", "056", "075"])
    y = birth(rnd).year
    sex = (0 if y < 2000 else 2) + rnd.randrange(2)
    return f"{prov}{sex}{y % 100:02d}{rnd.randrange(10**6):06d}"


def luhn_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        x = int(c) * (2 if i % 2 == 0 else 1)
        total += x - 9 if x > 9 else x
    return str((10 - total % 10) % 10)


def bank_card(rnd: random.Random) -> str:
    kind = rnd.choice(["unionpay16", "unionpay19", "visa", "mastercard"])
    prefix, n = {"unionpay16": ("62" + str(rnd.choice([2, 5, 8])), 16), "unionpay19": ("621", 19),
                 "visa": ("4", 16), "mastercard": ("5" + str(rnd.randint(1, 5)), 16)}[kind]
    body = prefix + "".join(str(rnd.randrange(10)) for _ in range(n - 1 - len(prefix)))
    s = body + luhn_digit(body)
    style = rnd.random()
    if style < 0.5:
        return " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    if style < 0.65:
        return "-".join(s[i:i + 4] for i in range(0, len(s), 4))
    return s


def ip(rnd: random.Random) -> str:
    if rnd.random() < 0.1:
        return "2001:db8:" + ":".join(f"{rnd.randrange(65536):x}" for _ in range(6))
    first = rnd.choice([10, 172, 192, 203, 113, 58, 14, 101, 171, 118])
    return ".".join(str(x) for x in [first, rnd.randrange(256), rnd.randrange(256), rnd.randint(1, 254)])


def cn_plate(rnd: random.Random) -> str:
    prov = rnd.choice("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    city = rnd.choice(letters[:12])
    if rnd.random() < 0.25:  # new-energy: D or F and five digits
        tail = rnd.choice("DF") + "".join(rnd.choice("0123456789") for _ in range(5))
    else:  # five characters, at most two of them letters (GA 36)
        chars = [rnd.choice("0123456789") for _ in range(5)]
        for i in rnd.sample(range(5), rnd.choice([0, 0, 1, 1, 2])):
            chars[i] = rnd.choice(letters)
        tail = "".join(chars)
    return prov + city + rnd.choice(["", "·", " "]) + tail


def passport(rnd: random.Random, country: str) -> str:
    up = "ABCDEFGHJKLMNPRSTUVWXYZ"
    dig = lambda n: "".join(str(rnd.randrange(10)) for _ in range(n))  # noqa: E731
    if country == "CN":
        return rnd.choice(["E" + dig(8), "E" + rnd.choice(up) + dig(7), "G" + dig(8)])
    if country == "TH":
        return rnd.choice(up) + rnd.choice(up) + dig(7)
    if country == "MY":
        return rnd.choice("AH") + dig(8)
    if country == "SG":
        return "K" + dig(7) + rnd.choice(up)
    return rnd.choice("BCE") + dig(7) if country in ("VN", "ID") else dig(9)


NAMES = {"zh": ["zhangwei", "li.na", "wangfang", "liu_yang", "chenjing", "huang.lei"],
         "vi": ["nguyen.van.an", "tranthimai", "le.hoang", "pham_minh_tuan", "vuthuha"],
         "th": ["somchai.k", "suda_p", "anan.wong", "kanya1990", "niran.s"],
         "id": ["budi.santoso", "siti_rahma", "agus88", "dewi.lestari", "rizky.p"],
         "ms": ["ahmad.faiz", "nurul_aina", "tan.mei.ling", "siti.hajar", "razak77"],
         "en": ["john.smith", "mary_lee", "d.wong", "sarah.k.tan", "mike1987"]}
DOMAINS = {"zh": ["qq.com", "163.com", "126.com", "sina.com", "gmail.com", "company.com.cn"],
           "vi": ["gmail.com", "yahoo.com.vn", "fpt.vn", "vnpt.vn", "outlook.com"],
           "th": ["gmail.com", "hotmail.co.th", "true.co.th", "chula.ac.th"],
           "id": ["gmail.com", "yahoo.co.id", "ui.ac.id", "telkom.co.id"],
           "ms": ["gmail.com", "yahoo.com.my", "um.edu.my", "tm.com.my"],
           "en": ["gmail.com", "example.org", "nus.edu.sg", "outlook.com", "mail.ph"]}


def email(rnd: random.Random, lang: str) -> str:
    return rnd.choice(NAMES[lang]) + rnd.choice(["", str(rnd.randint(1, 99))]) + "@" + rnd.choice(DOMAINS[lang])


PHONE_REGIONS = {"zh": ["CN", "CN", "CN", "HK", "MO", "TW"], "vi": ["VN", "VN", "VN", "KH"],
                 "th": ["TH", "TH", "TH", "LA"], "id": ["ID", "ID", "ID"], "ms": ["MY", "MY", "SG", "BN"],
                 "en": ["SG", "PH", "MM", "MY", "HK", "KH", "LA", "BN"]}


def phone(rnd: random.Random, lang: str) -> str:
    import phonenumbers as pn

    region = rnd.choice(PHONE_REGIONS[lang])
    kind = pn.PhoneNumberType.MOBILE if rnd.random() < 0.75 else pn.PhoneNumberType.FIXED_LINE
    ex = pn.example_number_for_type(region, kind) or pn.example_number_for_type(region, pn.PhoneNumberType.MOBILE)
    nsn = str(ex.national_number)
    for keep in (2, 3, 4, 5, len(nsn) - 4):  # vary all but the leading digits when the plan allows it
        tail = "".join(str(rnd.randrange(10)) for _ in range(len(nsn) - keep))
        num = pn.parse("+" + str(ex.country_code) + nsn[:keep] + tail)
        if pn.is_valid_number(num) and pn.number_type(num) == pn.number_type(ex):
            break
    else:
        num = ex
    style = rnd.random()
    if style < 0.35:
        s = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL)
    elif style < 0.65:
        s = pn.format_number(num, pn.PhoneNumberFormat.INTERNATIONAL)
    elif style < 0.75:
        s = pn.format_number(num, pn.PhoneNumberFormat.E164)
    elif style < 0.9:
        s = pn.format_number(num, pn.PhoneNumberFormat.NATIONAL).replace(" ", "-").replace("(", "").replace(")", "")
    else:
        s = "".join(c for c in pn.format_number(num, pn.PhoneNumberFormat.NATIONAL) if c.isdigit())
    if lang == "vi" and region == "VN" and rnd.random() < 0.3:
        s = s.replace(" ", ".")
    if lang == "zh" and rnd.random() < 0.25:
        s = s.translate(FULLWIDTH)
    return s


# ---- frames -------------------------------------------------------------------------------------
# {v} is the value; every language has the universal types, national ones where they belong.

FRAMES: dict[str, dict[str, list[str]]] = {
    "zh": {
        "cn-id": [
            "我的身份证号码是{v}。",
            "身份证号：{v}，请核对。",
            "申请人{v}已完成登记。",
            "请提供身份证（{v}）复印件。",
        ],
        "phone": [
            "如有疑问请致电{v}。",
            "联系电话：{v}",
            "手机{v}，24小时开机。",
            "请拨打 {v} 联系王先生。",
            "他的号码是{v}。",
        ],
        "email": [
            "请发邮件至{v}。",
            "邮箱：{v}",
            "简历请投递 {v} 。",
        ],
        "bank-card": [
            "请汇款至银行卡{v}。",
            "卡号{v}已挂失。",
            "收款账户：{v}（工商银行）",
        ],
        "ip": [
            "登录地址为{v}。",
            "来自IP {v} 的访问被拦截。",
            "服务器IP：{v}",
        ],
        "cn-plate": [
            "车牌号为{v}的车辆违章停车。",
            "一辆{v}的白色轿车驶入小区。",
            "车牌：{v}",
        ],
        "passport": [
            "护照号码：{v}",
            "他持护照{v}入境。",
            "请填写护照号 {v} 。",
        ],
    },
    "vi": {
        "vn-cccd": [
            "Số CCCD của tôi là {v}.",
            "Căn cước công dân: {v}.",
            "Anh ấy cung cấp số căn cước {v} để làm thủ tục.",
        ],
        "phone": [
            "Vui lòng gọi số điện thoại {v}.",
            "Liên hệ: {v}",
            "Số điện thoại của chị ấy là {v}.",
            "Gọi cho tôi theo số {v} nhé.",
        ],
        "email": [
            "Gửi email cho tôi tại {v}.",
            "Địa chỉ email: {v}",
        ],
        "bank-card": [
            "Số thẻ ngân hàng: {v}.",
            "Chuyển khoản vào thẻ {v} giúp tôi.",
        ],
        "ip": [
            "Địa chỉ IP {v} đã bị chặn.",
            "Máy chủ có IP là {v}.",
        ],
        "passport": [
            "Số hộ chiếu của tôi là {v}.",
            "Hộ chiếu số {v} còn hạn.",
        ],
    },
    "th": {
        "th-id": [
            "เลขบัตรประชาชนของผม {v}",
            "เลขประจำตัวประชาชน {v} ครับ",
            "กรุณาแจ้งเลขบัตร {v} ที่เคาน์เตอร์",
        ],
        "phone": [
            "โทร {v} ได้ตลอด 24 ชั่วโมง",
            "เบอร์โทรศัพท์ของเธอคือ {v}",
            "ติดต่อได้ที่ {v} ค่ะ",
            "โทร.{v}",
        ],
        "email": [
            "ส่งอีเมลมาที่ {v} นะครับ",
            "อีเมล {v}",
        ],
        "bank-card": [
            "หมายเลขบัตร {v} ถูกระงับแล้ว",
            "บัตรเครดิตเลขที่ {v}",
        ],
        "ip": [
            "ไอพี {v} ถูกบล็อก",
            "เซิร์ฟเวอร์อยู่ที่ {v}",
        ],
        "passport": [
            "หนังสือเดินทางเลขที่ {v}",
            "เลขพาสปอร์ต {v} ค่ะ",
        ],
    },
    "id": {
        "id-nik": [
            "NIK saya {v}.",
            "Nomor Induk Kependudukan: {v}",
            "Pemohon dengan NIK {v} sudah terdaftar.",
            "KTP nomor {v} hilang kemarin.",
        ],
        "phone": [
            "Silakan hubungi nomor telepon {v}.",
            "Telp: {v}",
            "Nomor HP saya {v}, hubungi kapan saja.",
            "Hubungi kami di {v}.",
        ],
        "email": [
            "Kirim email ke {v}.",
            "Alamat surel: {v}",
        ],
        "bank-card": [
            "Nomor kartu {v} sudah diblokir.",
            "Kartu kredit {v} atas nama Budi.",
        ],
        "ip": [
            "Alamat IP {v} diblokir.",
            "Server berada di {v}.",
        ],
        "passport": [
            "Nomor paspor saya {v}.",
            "Paspor nomor {v} masih berlaku.",
        ],
    },
    "ms": {
        "my-nric": [
            "No. kad pengenalan saya {v}.",
            "MyKad: {v}",
            "Pemohon (No. KP {v}) telah hadir.",
        ],
        "sg-nric": [
            "Nombor NRIC beliau ialah {v}.",
            "NRIC: {v}",
        ],
        "phone": [
            "Sila hubungi nombor telefon {v}.",
            "Tel: {v}",
            "Nombor telefon bimbit saya {v}.",
            "Hubungi kami di {v}.",
        ],
        "email": [
            "Hantar e-mel ke {v}.",
            "E-mel: {v}",
        ],
        "bank-card": [
            "Nombor kad {v} telah disekat.",
            "Kad kredit {v} milik Ahmad.",
        ],
        "ip": [
            "Alamat IP {v} disekat.",
            "Pelayan di {v}.",
        ],
        "passport": [
            "Nombor pasport saya {v}.",
            "Pasport bernombor {v} masih sah.",
        ],
    },
    "en": {
        "sg-nric": [
            "My NRIC number is {v}.",
            "NRIC/FIN: {v}",
            "The applicant ({v}) has been verified.",
        ],
        "my-nric": [
            "Her MyKad number is {v}.",
            "IC no. {v}",
        ],
        "phone": [
            "Please call {v} for details.",
            "Tel: {v}",
            "You can reach him at {v}.",
            "Mobile: {v}",
        ],
        "email": [
            "Send your CV to {v}.",
            "Email: {v}",
            "Contact {v} for more information.",
        ],
        "bank-card": [
            "Card number {v} has been blocked.",
            "Please charge my card {v}.",
        ],
        "ip": [
            "Requests from {v} were blocked.",
            "The server's IP address is {v}.",
        ],
        "passport": [
            "Passport number: {v}",
            "He entered with passport {v}.",
        ],
    },
}

PASSPORT_COUNTRY = {"zh": "CN", "vi": "VN", "th": "TH", "id": "ID", "ms": "MY", "en": "SG"}

# Numbers that are not personal data; {y} year, {n} quantity, {p} price, {s} score, {d} date, {t} time
TEMPTING: dict[str, list[str]] = {
    "zh": [
        "该项目于{y}年启动，投资{p}元。",
        "比赛最终以{s}结束。",
        "截至{d}，共有{n}人报名。",
        "会议定于{t}开始，预计{n}人参加。",
        "今年销量增长了{pct}，达到{n}台。",
        "这款手机售价{p}元，比去年便宜。",
        "第{k}届运动会在{y}年举行。",
    ],
    "vi": [
        "Dự án bắt đầu năm {y} với kinh phí {p} đồng.",
        "Trận đấu kết thúc với tỷ số {s}.",
        "Tính đến {d}, có {n} người đăng ký.",
        "Cuộc họp bắt đầu lúc {t}.",
        "Doanh số tăng {pct} trong năm {y}.",
    ],
    "th": [
        "โครงการเริ่มในปี {y} ใช้งบประมาณ {p} บาท",
        "การแข่งขันจบลงด้วยสกอร์ {s}",
        "ณ วันที่ {d} มีผู้สมัคร {n} คน",
        "การประชุมเริ่มเวลา {t} น.",
        "ยอดขายเพิ่มขึ้น {pct} ในปี {y}",
    ],
    "id": [
        "Proyek dimulai tahun {y} dengan biaya Rp {p}.",
        "Pertandingan berakhir dengan skor {s}.",
        "Hingga {d}, tercatat {n} peserta.",
        "Rapat dimulai pukul {t}.",
        "Penjualan naik {pct} pada tahun {y}.",
    ],
    "ms": [
        "Projek bermula pada tahun {y} dengan kos RM{p}.",
        "Perlawanan berakhir dengan keputusan {s}.",
        "Sehingga {d}, seramai {n} orang mendaftar.",
        "Mesyuarat bermula pada pukul {t}.",
        "Jualan meningkat {pct} pada tahun {y}.",
    ],
    "en": [
        "The project started in {y} with a budget of ${p}.",
        "The match ended {s}.",
        "As of {d}, {n} people had registered.",
        "The meeting starts at {t}.",
        "Sales rose {pct} in {y} to {n} units.",
        "Population: {n} (census {y}).",
    ],
}


def tempting(lang: str, rnd: random.Random) -> str:
    y = rnd.randint(1950, 2026)
    big = rnd.randint(1000, 9_999_999)
    price = rnd.choice([f"{rnd.randint(10, 999_999):,}", f"{rnd.randint(1, 9999)}.{rnd.randint(0, 99):02d}",
                        str(rnd.randint(100, 99_999_999))])
    scores = [f"{rnd.randint(0, 9)}-{rnd.randint(0, 9)}", f"{rnd.randint(60, 130)}:{rnd.randint(60, 130)}"]
    goals = (rnd.randint(0, 5), rnd.randint(0, 5))
    score = rnd.choice(scores + [f"{goals[0]}比{goals[1]}" if lang == "zh" else f"{goals[0]}-{goals[1]}"])
    d = birth(rnd, 2000, 2026)
    local = f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day}.{d.month}.{d.year}"
    date = rnd.choice([d.isoformat(), f"{d.day}/{d.month}/{d.year}", local])
    fields = {"y": y, "n": f"{big:,}" if rnd.random() < 0.5 else str(big), "p": price, "s": score, "d": date,
              "t": f"{rnd.randint(0, 23):02d}:{rnd.choice([0, 15, 30, 45]):02d}",
              "pct": f"{rnd.randint(1, 99)}.{rnd.randint(0, 9)}%",
              "k": rnd.randint(1, 40)}
    return rnd.choice(TEMPTING[lang]).format(**fields)


def value(kind: str, lang: str, rnd: random.Random) -> str:
    if kind == "phone":
        return phone(rnd, lang)
    if kind == "email":
        return email(rnd, lang)
    if kind == "passport":
        return passport(rnd, PASSPORT_COUNTRY[lang])
    return {"cn-id": cn_id, "th-id": th_id, "id-nik": id_nik, "my-nric": my_nric, "sg-nric": sg_nric,
            "vn-cccd": vn_cccd, "bank-card": bank_card, "ip": ip, "cn-plate": cn_plate}[kind](rnd)


def check(kind: str, v: str) -> bool:
    """The value is valid by the reference library where one knows the format."""
    from stdnum import luhn
    from stdnum.cn import ric
    from stdnum.id import nik
    from stdnum.my import nric
    from stdnum.th import pin

    digits = v.translate({ord(c): None for c in " -"})
    if kind == "cn-id":  # check digit and birth date (stdnum's area table is out of date: 450103 fails)
        born = v[6:14] if len(v) == 18 else "19" + v[6:12]
        try:
            dt.datetime.strptime(born, "%Y%m%d")
        except ValueError:
            return False
        return len(v) == 15 or ric.calc_check_digit(v) == v[-1]
    if kind == "th-id":
        return pin.is_valid(digits)
    if kind == "id-nik":
        return nik.is_valid(digits)
    if kind == "my-nric":
        return nric.is_valid(digits)
    if kind == "bank-card":
        return luhn.is_valid(digits)
    return True


# ---- sentences ----------------------------------------------------------------------------------

def _ud(path: Path) -> list[str]:
    return [line.split("=", 1)[1].strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# text =")]


def sentences(lang: str) -> list[str]:
    ud = data.DATA / "ud"
    pud = lambda x: [s[2] for s in data.pud_sentences(x)]  # noqa: E731
    tal = lambda x: list(data.talpco(x).values())  # noqa: E731
    out = {"zh": lambda: _ud(ud / "zh_gsdsimp" / "zh_gsdsimp-ud-dev.conllu"),
           "vi": lambda: tal("vi") + _ud(ud / "vi_vtb" / "vi_vtb-ud-dev.conllu"),
           "th": lambda: tal("th") + pud("th"),
           "id": lambda: pud("id") + tal("id") + _ud(ud / "id_gsd" / "id_gsd-ud-dev.conllu"),
           "ms": lambda: tal("ms"),
           "en": lambda: pud("en") + tal("en")}[lang]()
    return sorted({s for s in out if s and len(s) < 400})


def make(per_lang: int, seed: int) -> tuple[list[dict], list[dict]]:
    records, truths = [], []
    for lang in LANGS:
        rnd = random.Random(f"{seed}-{lang}")
        sents = sentences(lang)
        rnd.shuffle(sents)
        kinds = list(FRAMES[lang])
        joiner = "" if lang in ("zh", "th") else " "
        if lang == "th":
            joiner = " "
        for i in range(2 * per_lang):
            base = sents[i % len(sents)]
            tag = TAGS.get(lang, lang)
            rid = f"{lang}-{i:05d}"
            if i % 2 == 0:
                kind = kinds[(i // 2) % len(kinds)]
                for _ in range(100):
                    v = value(kind, lang, rnd)
                    if check(kind, v):
                        break
                else:  # pragma: no cover - the generators make valid values
                    raise SystemExit(f"no valid {kind} value")
                frame = rnd.choice(FRAMES[lang][kind])
                head = base + joiner
                start = len(head) + frame.index("{v}")
                text = head + frame.format(v=v)
                spans = [[start, start + len(v), kind]]
                clean = False
            else:
                text = base + (joiner + tempting(lang, rnd) if rnd.random() < 0.5 else "")
                spans, clean = [], True
            records.append({"id": rid, "sides": {tag: {"text": text}}})
            truths.append({"id": rid, "lang": lang, "clean": clean, "spans": spans})
    return records, truths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--per-lang", type=int, default=500, help="records with a value per language (as many clean)")
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    recs, truth = make(args.per_lang, args.seed)
    for name, items in (("pii.jsonl", recs), ("pii.truth.jsonl", truth)):
        with (args.outdir / name).open("w", encoding="utf-8") as f:
            for x in items:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for t in truth:
        for s in t["spans"]:
            counts[s[2]] = counts.get(s[2], 0) + 1
    print(f"{len(recs)} records ({sum(t['clean'] for t in truth)} clean): "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
