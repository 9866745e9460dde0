"""API key format: a kind tag, a visible lookup part and a secret part.

Only the prefix (tag + lookup part) and a SHA-256 digest of the whole key are stored.
The keys are 190 bits of randomness, so a plain digest is as safe as a slow hash here
and costs microseconds on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass

PUBLIC = "public"
SECRET = "secret"
KINDS = (PUBLIC, SECRET)
TAGS = {PUBLIC: "atk_pub_", SECRET: "atk_sec_"}
LOOKUP_LENGTH = 8
SECRET_LENGTH = 32
_ALPHABET = string.ascii_letters + string.digits
_KEY_LENGTH = len(TAGS[PUBLIC]) + LOOKUP_LENGTH + SECRET_LENGTH


@dataclass(frozen=True)
class NewKey:
    raw: str
    prefix: str
    digest: str


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def generate(kind: str) -> NewKey:
    """A fresh random key of `kind` with its stored prefix and digest."""
    raw = TAGS[kind] + _random(LOOKUP_LENGTH) + _random(SECRET_LENGTH)
    return NewKey(raw=raw, prefix=prefix_of(raw), digest=digest(raw))


def prefix_of(raw: str) -> str:
    return raw[: len(TAGS[PUBLIC]) + LOOKUP_LENGTH]


def kind_of(raw: str) -> str | None:
    """The kind a well-formed key claims, or None for anything that is not a key."""
    if len(raw) != _KEY_LENGTH or not raw.isascii():
        return None
    for kind, tag in TAGS.items():
        if raw.startswith(tag) and raw[len(tag) :].isalnum():
            return kind
    return None


def matches(raw: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(raw), stored_digest)
