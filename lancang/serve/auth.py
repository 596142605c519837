"""Who is asking: API tokens with roles, the page session cookie and the CSRF tokens of forms.

* A token is ``lct_`` + 32 random bytes (URL-safe base64); the store keeps its sha256 only
  (:meth:`lancang.store.Store.add_token`): a token has 256 bits of entropy, so a plain hash is as good as
  a slow one and costs nothing per request.
* Roles are ordered: ``read`` < ``submit`` < ``admin``. A user is the token's name: corpora uploaded with
  it are owned by that name, and a private corpus is seen by its owner's tokens and by admins only.
  Without a token a client is an anonymous reader of the public library.
* Pages: logging in with a token sets an HttpOnly, SameSite=Lax cookie holding the token's id, an expiry
  and an HMAC of both under the server's secret (a random key kept in the store's folder, so sessions
  survive a restart); a revoked token ends its sessions at the next request.
* Every form POST carries a CSRF token: the HMAC of a random per-browser nonce (a cookie of its own),
  compared in constant time (the double-submit pattern, signed so a sub-domain cannot forge it).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError

ROLES = ("read", "submit", "admin")
PREFIX = "lct_"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class User:
    """The client of a request: a token's user and role, or the anonymous reader (``name`` None)."""
    name: str | None
    role: str | None
    token_id: int | None = None

    def can(self, role: str) -> bool:
        """The user's role is at least ``role``."""
        return self.role is not None and ROLES.index(self.role) >= ROLES.index(role)

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    def sees(self, corpus: Any) -> bool:
        """A corpus is visible: public, owned by this user, or the user is an admin."""
        return not corpus.private or self.admin or (self.name is not None and corpus.owner == self.name)


ANONYMOUS = User(None, None)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Any, name: str, role: str) -> tuple[int, str]:
    """A new token for user ``name`` with ``role``, kept hashed in ``store``: (id, the token, shown once)."""
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    token = PREFIX + secrets.token_urlsafe(32)
    return store.add_token(name, role, digest(token)), token


def user_for(store: Any, token: str | None) -> User | None:
    """The user of a live token, or None (unknown, revoked or malformed)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = store.token(digest(token))
    return None if row is None else User(row["name"], row["role"], row["id"])


def load_secret(folder: Path) -> bytes:
    """The server's signing key, made on first use in ``folder`` (mode 0600)."""
    path = folder / "secret.key"
    if not path.exists():
        key = secrets.token_bytes(32)
        tmp = folder / f".secret.{secrets.token_hex(4)}"
        tmp.touch(mode=0o600)
        tmp.write_bytes(key)
        with contextlib.suppress(FileExistsError):  # another server made it first
            os.link(tmp, path)
        tmp.unlink()
    return path.read_bytes()


def _mac(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def session_cookie(secret: bytes, token_id: int, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + SESSION_SECONDS)
    body = f"{token_id}.{expires}"
    return f"{body}.{_mac(secret, 'session:' + body)}"


def session_token_id(secret: bytes, cookie: str | None, now: float | None = None) -> int | None:
    """The token id of a valid, unexpired session cookie, else None."""
    if not cookie:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2], _mac(secret, "session:" + body)):
        return None
    if int(parts[1]) < (now if now is not None else time.time()):
        return None
    return int(parts[0])


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def csrf_token(secret: bytes, nonce: str) -> str:
    return _mac(secret, "csrf:" + nonce)


def csrf_ok(secret: bytes, nonce: str | None, given: str | None) -> bool:
    return bool(nonce) and bool(given) and hmac.compare_digest(csrf_token(secret, nonce or ""), given or "")


__all__ = ["ANONYMOUS", "ROLES", "User", "create_token", "csrf_ok", "csrf_token", "digest", "load_secret",
           "new_nonce", "session_cookie", "session_token_id", "user_for"]
