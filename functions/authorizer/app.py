"""The HTTP API's Lambda REQUEST authorizer (payload 2.0, simple responses).

Until identities exist (API keys and users), no credential can be resolved, so every request to an
authenticated route is refused here; public routes (health) do not reach the authorizer.
"""

from __future__ import annotations

from typing import Any

from grounded_core.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"isAuthorized": False}
