"""Resolving ``Authorization: Bearer …`` into a :class:`Credential` — the authorizer's whole job.

A key costs one GetItem (by the SHA-256 of the key); ``lastUsedAt`` is written at most every few
minutes per key. A user token is verified without the table, then one Query lists the user's
memberships (and one consistent GetItem of the user checks the token's version is current); the
function picks the acting org from ``X-Grounded-Org`` per request, so the
authorizer's cached answer stays right whichever org a request names.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from grounded_core.clock import iso, parse_iso, utc_now
from grounded_core.errors import Unauthorized
from grounded_core.identity.accounts import SIGNED_OUT, memberships_of, token_version
from grounded_core.identity.api_keys import hash_secret, key_kind
from grounded_core.identity.models import ApiKey
from grounded_core.identity.principal import Credential
from grounded_core.identity.session_cookie import SAFE_METHODS
from grounded_core.identity.tokens import verify_token
from grounded_core.store import keys, table

LAST_USED_EVERY = timedelta(minutes=5)
#: routes that take a publishable key in the ``key`` query parameter (browsers' ``sendBeacon``
#: cannot set headers)
KEY_IN_URL_ROUTES = frozenset({"POST /api/telemetry", "POST /api/scores"})
KIND_OF_KEY = {"secret": "secret_key", "publishable": "publishable_key"}


def refused(reason: str, code: str) -> Credential:
    return Credential(authenticated=False, reason=reason, reason_code=code)


def _key_credential(secret: str, now: datetime) -> Credential:
    item = table.get(keys.api_key(hash_secret(secret)), keys.API_KEY_SK)
    if item is None:
        return refused("The API key is not valid.", "invalid_key")
    key = ApiKey.from_item(item)
    if key.revoked_at:
        return refused("The API key was revoked.", "key_revoked")
    if key.expires_at and parse_iso(key.expires_at) <= now:
        return refused("The API key has expired.", "key_expired")
    if not key.last_used_at or parse_iso(key.last_used_at) < now - LAST_USED_EVERY:
        table.update(item["PK"], item["SK"], set={"lastUsedAt": iso(now)})
    return Credential(
        authenticated=True,
        kind=KIND_OF_KEY[key.kind],  # type: ignore[arg-type]
        org_id=key.org_id,
        key_id=key.id,
        agent_id=key.agent_id or "",
        scopes=" ".join(key.scopes),
    )


def _user_credential(token: str) -> Credential:
    try:
        claims = verify_token(token)
    except Unauthorized as error:
        return refused(error.message, error.code)
    user_id = claims.user_id
    user = table.get(keys.user(user_id), keys.USER_SK, consistent=True)
    if user is None:
        return refused("This account no longer exists.", "account_gone")
    if claims.version < token_version(user):
        return refused(SIGNED_OUT, "token_revoked")
    memberships = sorted(memberships_of(user_id), key=lambda membership: membership.joined_at)
    roles = {membership.org_id: membership.role.value for membership in memberships}
    return Credential(authenticated=True, kind="user", user_id=user_id, memberships=json.dumps(roles))


def resolve_request(
    authorization: str | None,
    url_key: str | None,
    route_key: str,
    now: datetime | None = None,
    *,
    session_cookie: str | None = None,
    csrf_header: str | None = None,
) -> Credential:
    """The credential of a request: its ``Authorization`` header, else — on the routes that take
    one — a publishable key in the URL, else the dashboard's session cookie. A secret key in a URL
    is refused on every route: it would be written into logs and browser history on its way. With
    the cookie, a state-changing request must carry ``X-Grounded-CSRF`` (a cross-site form cannot)."""
    if url_key and key_kind(url_key) == "secret":
        return refused(
            "A secret key must never travel in a URL: send it in the Authorization header. "
            "Only a publishable key (pk_…) may be given as ?key= (on POST /api/telemetry and POST /api/scores).",
            "secret_key_in_url",
        )
    if not authorization and url_key and route_key in KEY_IN_URL_ROUTES:
        if key_kind(url_key) != "publishable":
            return refused("?key= takes a publishable key (pk_…).", "invalid_key")
        return _key_credential(url_key, now or utc_now())
    if not authorization and session_cookie:
        method = route_key.split(" ", 1)[0].upper()
        if method not in SAFE_METHODS and not csrf_header:
            return refused(
                "A request signed in by the session cookie must carry the X-Grounded-CSRF header.",
                "csrf_header_missing",
            )
        return _user_credential(session_cookie)
    return resolve_credential(authorization, now)


def resolve_credential(authorization: str | None, now: datetime | None = None) -> Credential:
    scheme, _, value = (authorization or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return refused("Send 'Authorization: Bearer <API key or token>'.", "malformed_authorization")
    if key_kind(value):
        return _key_credential(value, now or utc_now())
    return _user_credential(value)
