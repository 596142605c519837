"""Addresses on the network: e-mail addresses (internationalised domains too), URLs that carry a
user name and password, IPv4 and IPv6 addresses."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from . import context
from .base import Detector, DigestRng, Hit, fold, keyword_pattern, reshape, scramble

# An ASCII local part (text of scripts without spaces may touch it: 邮箱abc@x.com), a domain of ASCII
# or internationalised labels, a top-level domain of ASCII letters, punycode or a known IDN TLD.
_IDN_TLDS = ("中国", "中國", "公司", "网络", "網絡", "香港", "台湾", "台灣", "澳门", "澳門", "新加坡", "ไทย", "рф",
             "在线", "网址", "商城", "みんな")
_LABEL = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|[^\W\d_A-Za-z][^\W_]{0,62})"
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9_%+'-]+(?:\.[A-Za-z0-9_%+'-]+)*@"
    rf"(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}(?![A-Za-z0-9-])|xn--[A-Za-z0-9-]{{2,59}}|{'|'.join(_IDN_TLDS)})")
_CRED_URL = re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,15}://([^\s/?#@:]+):([^\s/?#@]+)@([^\s/?#:<>\"'，。]+)")
_IPV4 = re.compile(r"(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}"
                   r"|[1-9]?[0-9])(?![0-9]|\.[0-9])")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:])")
_VERSION_WORDS = keyword_pattern(context.NOT_PII_BEFORE + ("v", "版", "bản", "rev", "firmware", "固件", "系统", "ios",
                                                           "android", "windows", "python", "node"))


class Emails(Detector):
    name = "email"
    description = "E-mail addresses, internationalised domains (例子.中国, xn--) and Chinese or Thai text around them."
    types = ("EMAIL",)
    notes = ("The local part is ASCII (addresses with a Chinese or Thai local part, RFC 6531, are missed so "
             "that the text before an address is never swallowed); a domain label may be in any script; the "
             "top-level domain must be ASCII letters, punycode or one of a few IDN TLDs (.中国, .公司, .ไทย...).")
    trigger = "@"

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        return [self.hit(m.start(), m.end(), "EMAIL", 1.0) for m in _EMAIL.finditer(fold(text))]

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        # every letter and digit of the local part and of the domain labels changes; the top-level
        # domain stays, so the surrogate is still a well-formed address of a plausible kind
        local, _, domain = value.rpartition("@")
        labels = domain.split(".")
        return scramble(local, rng) + "@" + ".".join([scramble(x, rng) for x in labels[:-1]] + labels[-1:])


class CredentialUrls(Detector):
    name = "url-credentials"
    description = "URLs with a user name and password (scheme://user:password@host)."
    types = ("URL_CREDENTIALS",)
    notes = ("The hit covers scheme to host so that no e-mail-like piece of it is left; URLs with a user name "
             "but no password are not hits (the e-mail detector may find user@host).")
    trigger = "://"

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        return [self.hit(m.start(), m.end(), "URL_CREDENTIALS", 1.0) for m in _CRED_URL.finditer(fold(text))]

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        m = _CRED_URL.fullmatch(fold(value))
        if m is None:
            return scramble(value, rng)
        # user and password change; scheme and host stay
        return (value[:m.start(1)] + scramble(value[m.start(1):m.end(1)], rng) + ":"
                + scramble(value[m.start(2):m.end(2)], rng) + value[m.end(2):])


class IpAddresses(Detector):
    name = "ip-address"
    description = "IPv4 and IPv6 addresses, except loopback, unspecified and version numbers."
    types = ("IP_ADDRESS",)
    notes = ("A dotted quad of 0-255 is an IPv4 address unless a version word (version, v, 版本, phiên bản, "
             "เวอร์ชัน, versi, build...) stands within a few characters before it, so 'version 1.2.3.4' is not "
             "a hit but a bare '1.2.3.4' is. Loopback (127.0.0.0/8, ::1), unspecified (0.0.0.0, ::) and "
             "netmasks (255.x) are not. IPv6 must parse (Python ipaddress) and hold at least two colons.")
    trigger = r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]|[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:"

    def find(self, text: str, lang: str, side: dict[str, Any] | None = None) -> list[Hit]:
        folded = fold(text)
        hits: list[Hit] = []
        for m in _IPV4.finditer(folded):
            addr = ipaddress.IPv4Address(m.group())
            if addr.is_loopback or addr.is_unspecified or m.group().startswith("255."):
                continue
            if _VERSION_WORDS.search(folded, max(0, m.start() - 12), m.start()):
                continue
            hits.append(self.hit(m.start(), m.end(), "IP_ADDRESS", 0.9))
        for m in _IPV6.finditer(folded):
            try:
                addr6 = ipaddress.IPv6Address(m.group())
            except ValueError:
                continue
            if not (addr6.is_loopback or addr6.is_unspecified):
                hits.append(self.hit(m.start(), m.end(), "IP_ADDRESS", 0.95))
        return hits

    def make_surrogate(self, value: str, hit_type: str, rng: DigestRng) -> str:
        if ":" in value:
            # a hex digit stays a digit, a hex letter a letter of the same case
            return "".join(rng.choice("0123456789") if c.isdigit() else rng.choice("ABCDEF") if c in "ABCDEF"
                           else rng.choice("abcdef") if c in "abcdef" else c for c in value)
        # the first octet stays (the address class, whether it is private); the others change, each
        # with as many digits as it had
        octets = fold(value).split(".")
        lows, highs = {1: 0, 2: 10, 3: 100}, {1: 9, 2: 99, 3: 254}
        return reshape(value, "".join(octets[:1] + [str(rng.between(lows[len(o)], highs[len(o)])) for o in octets[1:]]))


__all__ = ["CredentialUrls", "Emails", "IpAddresses"]
