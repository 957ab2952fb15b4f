"""Password hashing with bcrypt (a deliberately slow hash). Plaintexts are never stored or logged."""

from __future__ import annotations

from functools import cache

from grounded_core.settings import get_settings

#: bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated.
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    import bcrypt

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=get_settings().password_hash_rounds)).decode()


@cache
def _decoy_hash() -> bytes:
    import bcrypt

    return bcrypt.hashpw(b"decoy password", bcrypt.gensalt(rounds=get_settings().password_hash_rounds))


def password_matches(password: str, stored_hash: str | None) -> bool:
    """Whether ``password`` matches. With no stored hash (unknown email) it still spends the same
    time on a decoy, so response times do not tell which emails exist."""
    import bcrypt

    candidate = password.encode()[:MAX_PASSWORD_BYTES]
    if stored_hash is None:
        bcrypt.checkpw(candidate, _decoy_hash())
        return False
    return bool(bcrypt.checkpw(candidate, stored_hash.encode()))
