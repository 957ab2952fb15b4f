"""User tokens: HS256 JWTs valid 7 days, signed with a secret kept in Secrets Manager.

Each carries the user's token version (``ver``) as of its issue. Changing the password, resetting
it or signing out everywhere raises the user's version, and the authorizer refuses every token of
an older version from the very next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from grounded_core import adapters
from grounded_core.clock import utc_now
from grounded_core.errors import Unauthorized

TOKEN_LIFETIME = timedelta(days=7)
ISSUER = "grounded"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    version: int


def issue_token(user_id: str, version: int = 0, now: datetime | None = None) -> str:
    import jwt

    issued = now or utc_now()
    claims = {"sub": user_id, "ver": version, "iss": ISSUER, "iat": issued, "exp": issued + TOKEN_LIFETIME}
    return jwt.encode(claims, adapters.jwt_signing_key(), algorithm=ALGORITHM)


def user_id_from_token(token: str) -> str:
    """The user a token was issued to; a bad, forged or expired token is :class:`Unauthorized`."""
    return verify_token(token).user_id


def verify_token(token: str) -> TokenClaims:
    """Who a token was issued to, and at which token version; a bad, forged or expired token is
    :class:`Unauthorized` (whether its version is still current is the authorizer's check)."""
    import jwt

    try:
        claims = jwt.decode(
            token,
            adapters.jwt_signing_key(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired; log in again.", code="token_expired") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("The token is not valid.", code="invalid_token") from None
    version = claims.get("ver", 0)
    return TokenClaims(user_id=str(claims["sub"]), version=version if isinstance(version, int) else -1)
