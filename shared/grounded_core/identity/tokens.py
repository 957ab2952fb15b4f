"""User tokens: HS256 JWTs valid 7 days, signed with a secret kept in Secrets Manager."""

from __future__ import annotations

from datetime import datetime, timedelta

from grounded_core import adapters
from grounded_core.clock import utc_now
from grounded_core.errors import Unauthorized

TOKEN_LIFETIME = timedelta(days=7)
ISSUER = "grounded"
ALGORITHM = "HS256"


def issue_token(user_id: str, now: datetime | None = None) -> str:
    import jwt

    issued = now or utc_now()
    claims = {"sub": user_id, "iss": ISSUER, "iat": issued, "exp": issued + TOKEN_LIFETIME}
    return jwt.encode(claims, adapters.jwt_signing_key(), algorithm=ALGORITHM)


def user_id_from_token(token: str) -> str:
    """The user a token was issued to; a bad, forged or expired token is :class:`Unauthorized`."""
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
    return str(claims["sub"])
