"""Which session an item belongs to: stitch keys in precedence order. Pure.

``sessionId`` > ``anonymousId`` > ``userId`` + ``correlationKeys``. The browser and the backend
that send the same ``sessionId`` or ``anonymousId`` land in one session; a user with the same
correlation keys (say, one support ticket) lands in one session.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

StitchKind = Literal["session", "anon", "user"]
RULES: dict[StitchKind, str] = {"session": "sessionId", "anon": "anonymousId", "user": "userId+correlationKeys"}


@dataclass(frozen=True)
class StitchKey:
    kind: StitchKind
    value: str

    @property
    def rule(self) -> str:
        return RULES[self.kind]


def correlation_fingerprint(user_id: str, correlation_keys: dict[str, str]) -> str:
    canonical = json.dumps(correlation_keys, sort_keys=True, separators=(",", ":"))
    return f"{user_id}|{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"


def stitch_keys(
    session_id: str | None, anonymous_id: str | None, user_id: str | None, correlation_keys: dict[str, str] | None
) -> list[StitchKey]:
    """Every stitch key an item carries, strongest first."""
    found = []
    if session_id:
        found.append(StitchKey("session", session_id))
    if anonymous_id:
        found.append(StitchKey("anon", anonymous_id))
    if user_id and correlation_keys:
        found.append(StitchKey("user", correlation_fingerprint(user_id, correlation_keys)))
    return found
