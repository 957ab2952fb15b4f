"""Prefixed, time-sortable ids (``org_…``, ``agt_…``): 10 characters of millisecond time then 16
of randomness, Crockford base32, so ids sort by creation time and never collide in practice.
"""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def _base32(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def new_id(prefix: str, now_ms: int | None = None) -> str:
    """A new id such as ``agt_01jd3k8x2q…``."""
    stamp = int(time.time() * 1000) if now_ms is None else now_ms
    return f"{prefix}_{_base32(stamp, 10)}{_base32(secrets.randbits(80), 16)}"
