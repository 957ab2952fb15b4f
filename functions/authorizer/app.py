"""The HTTP API's Lambda REQUEST authorizer (payload 2.0, simple responses).

It always answers ``isAuthorized: true`` and passes what it resolved as the context; the function
turns an unresolved credential into a JSON 401 with the reason (an HTTP API authorizer can only
produce a bare 403, which would break the API's error contract). The credential is the
``Authorization`` header, or on ``POST /api/telemetry`` and ``POST /api/scores`` a publishable key in ``?key=``, or the
dashboard's ``HttpOnly`` session cookie (with ``X-Grounded-CSRF`` on state-changing requests).
"""

from __future__ import annotations

from typing import Any

from grounded_core.identity.authorizer import resolve_request
from grounded_core.identity.session_cookie import CSRF_HEADER, cookie_token
from grounded_core.observability import logger
from grounded_core.startup import entry_point


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    headers = event.get("headers") or {}
    url_key = (event.get("queryStringParameters") or {}).get("key")
    credential = resolve_request(
        headers.get("authorization"),
        url_key,
        str(event.get("routeKey") or ""),
        session_cookie=cookie_token(event.get("cookies")),
        csrf_header=headers.get(CSRF_HEADER),
    )
    if not credential.authenticated:
        logger.info("credential refused", extra={"reason": credential.reason_code})
    return {"isAuthorized": True, "context": credential.context()}
