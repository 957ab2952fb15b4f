"""Signed webhooks (pure). Each alert has its own signing secret, derived from the stack's webhook
secret and the alert's id (nothing to store; shown once, when the alert is made). A delivery
carries ``Grounded-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``; a receiver
recomputes it with its secret, compares in constant time and refuses an old ``t``."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "whsec_"
HEADER = "grounded-signature"


def alert_secret(master: str, org_id: str, alert_id: str) -> str:
    digest = hmac.new(master.encode(), f"{org_id}:{alert_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:48]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance_seconds: int = 300) -> bool:
    """What a receiver does (and the tests' fake receiver)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return abs(now - timestamp) <= tolerance_seconds and hmac.compare_digest(expected, parts.get("v1", ""))
