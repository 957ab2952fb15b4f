"""The dashboard's sign-in: the user token in an ``HttpOnly`` cookie that page scripts never read.

Log-in, sign-up and invite acceptance set it; log-out clears it. It is ``SameSite=Strict`` (a
cross-site request never carries it) and ``Secure`` except on plain-HTTP localhost (the local
cloud). The authorizer takes it when a request has no ``Authorization`` header, and then a
state-changing request must also carry ``X-Grounded-CSRF`` — a header a cross-site form cannot
send. A client that asks with ``X-Grounded-Session: cookie`` gets the answer without the token in
its body, so nothing readable by scripts ever holds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from grounded_core.identity.tokens import TOKEN_LIFETIME

if TYPE_CHECKING:  # the authorizer imports this module: no web framework at run time
    from fastapi import Request
    from fastapi.responses import Response

R = TypeVar("R", bound="Response")

COOKIE = "grounded_session"
CSRF_HEADER = "x-grounded-csrf"
COOKIE_ONLY_HEADER = "x-grounded-session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _secure(request: Request) -> bool:
    """``Secure`` everywhere but plain-HTTP localhost (browsers drop a Secure cookie over HTTP)."""
    host = (request.headers.get("host") or "").rsplit(":", 1)[0].lower()
    forwarded = (request.headers.get("x-forwarded-proto") or "").lower()
    return forwarded == "https" or host not in LOCAL_HOSTS


def cookie_only(request: Request) -> bool:
    return (request.headers.get(COOKIE_ONLY_HEADER) or "").lower() == "cookie"


def with_session_cookie(request: Request, response: R, token: str) -> R:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(TOKEN_LIFETIME.total_seconds()),
        path="/api",
        httponly=True,
        secure=_secure(request),
        samesite="strict",
    )
    return response


def cleared(request: Request, response: R) -> R:
    response.delete_cookie(COOKIE, path="/api", httponly=True, secure=_secure(request), samesite="strict")
    return response


def cookie_token(cookies: list[str] | None) -> str | None:
    """The session token from payload 2.0's ``cookies`` list (``name=value`` strings)."""
    for cookie in cookies or []:
        name, _, value = cookie.partition("=")
        if name.strip() == COOKIE and value.strip():
            return value.strip()
    return None
