"""The health function as Lambda calls it, with API Gateway's own sample event (events/)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]


def test_health_handler_answers_api_gateways_event() -> None:
    from health.app import handler

    event = json.loads((ROOT / "events" / "http-api-request.json").read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/health"
    event["requestContext"]["http"]["method"] = "GET"
    event["routeKey"] = "GET /api/health"
    event.pop("body", None)
    context = SimpleNamespace(
        function_name="health",
        memory_limit_in_mb=256,
        invoked_function_arn="arn:aws:lambda:::function:health",
        aws_request_id="req-1",
        get_remaining_time_in_millis=lambda: 5000,
    )

    # Lambda's main thread has an event loop (Mangum needs one); an earlier test's asyncio.run()
    # may have left this thread without one
    asyncio.set_event_loop(asyncio.new_event_loop())
    response = handler(event, context)

    assert response["statusCode"] == 200
    assert json.loads(response["body"])["status"] == "ok"
