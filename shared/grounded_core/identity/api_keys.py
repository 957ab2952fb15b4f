"""API key material: ``sk_live_…`` (secret) and ``pk_live_…`` (publishable). Only the SHA-256 of a
key is stored; the plaintext exists once, in the response that creates it."""

from __future__ import annotations

import hashlib
import secrets
from typing import Literal

KeyKind = Literal["secret", "publishable"]
PREFIXES: dict[KeyKind, str] = {"secret": "sk_live_", "publishable": "pk_live_"}
DISPLAY_PREFIX_LENGTH = 12


def generate_key(kind: KeyKind) -> str:
    return PREFIXES[kind] + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def key_kind(secret: str) -> KeyKind | None:
    for kind, prefix in PREFIXES.items():
        if secret.startswith(prefix):
            return kind
    return None
