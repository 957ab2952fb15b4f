"""API Gateway HTTP API behaviour the front door reproduces: route choice, events, responses."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from local.apigw import (
    HttpRequest,
    authorization,
    authorizer_event,
    http_event,
    http_response,
    match_path,
    select_route,
)
from local.template import HttpRoute

ROUTES = [
    HttpRoute("GET", "/api/agents", "Agents", "Auth"),
    HttpRoute("GET", "/api/agents/{agentId}", "Agents", "Auth"),
    HttpRoute("GET", "/api/agents/baseline", "Baseline", "Auth"),
    HttpRoute("ANY", "/api/agents/{agentId}", "AnyAgent", "Auth"),
    HttpRoute("ANY", "/api/{proxy+}", "Proxy", None),
]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/api/agents/{agentId}", "/api/agents/agt_1", {"agentId": "agt_1"}),
        ("/api/agents/{agentId}", "/api/agents", None),
        ("/api/agents/{agentId}", "/api/agents/agt_1/snapshots", None),
        ("/api/{proxy+}", "/api/a/b/c", {"proxy": "a/b/c"}),
        ("/api/{proxy+}", "/api", None),
        ("/api/health", "/api/health", {}),
    ],
)
def test_match_path(pattern: str, path: str, expected: dict[str, str] | None) -> None:
    assert match_path(pattern, path) == expected


def test_literal_segments_beat_parameters_and_exact_methods_beat_any() -> None:
    assert select_route(ROUTES, "GET", "/api/agents/baseline")[0].function_id == "Baseline"  # type: ignore[index]
    assert select_route(ROUTES, "GET", "/api/agents/agt_1")[0].function_id == "Agents"  # type: ignore[index]
    assert select_route(ROUTES, "DELETE", "/api/agents/agt_1")[0].function_id == "AnyAgent"  # type: ignore[index]


def test_greedy_routes_come_last_and_nothing_matches_outside_them() -> None:
    assert select_route(ROUTES, "POST", "/api/x/y")[0].function_id == "Proxy"  # type: ignore[index]
    assert select_route(ROUTES, "GET", "/other") is None


def test_default_route_catches_what_nothing_else_does() -> None:
    routes = [*ROUTES[:1], HttpRoute("ANY", "$default", "Fallback", None)]
    assert select_route(routes, "GET", "/whatever")[0].function_id == "Fallback"  # type: ignore[index]


def request(body: bytes = b"", query: str = "") -> HttpRequest:
    headers = [("Host", "localhost:3001"), ("Cookie", "a=1; b=2"), ("X-Multi", "1"), ("X-Multi", "2")]
    return HttpRequest("POST", "/api/agents/agt_1", query, headers, body)


def test_http_event_is_payload_format_2() -> None:
    route = HttpRoute("POST", "/api/agents/{agentId}", "Agents", "Auth")

    event = http_event(
        request(b'{"a": 1}', "x=1&x=2&y="), route, {"agentId": "agt_1"}, "api", "123", {"orgId": "org_1"}
    )

    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /api/agents/{agentId}"
    assert event["rawPath"] == "/api/agents/agt_1"
    assert event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["headers"]["x-multi"] == "1,2"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["pathParameters"] == {"agentId": "agt_1"}
    assert event["body"] == '{"a": 1}'
    assert event["isBase64Encoded"] is False
    assert event["requestContext"]["authorizer"] == {"lambda": {"orgId": "org_1"}}
    assert event["requestContext"]["http"]["method"] == "POST"


def test_binary_bodies_are_base64_encoded() -> None:
    route = HttpRoute("POST", "/api/agents/{agentId}", "Agents", None)
    event = http_event(request(b"\xff\xfe"), route, {}, "api", "123", None)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\xfe"
    assert "authorizer" not in event["requestContext"]


def test_authorizer_event_carries_identity_and_route_arn() -> None:
    route = HttpRoute("POST", "/api/agents/{agentId}", "Agents", "Auth")
    event = authorizer_event(request(), route, {"agentId": "agt_1"}, ["Bearer k"], "api", "123", "eu-west-1")
    assert event["type"] == "REQUEST"
    assert event["identitySource"] == ["Bearer k"]
    assert event["routeArn"] == "arn:aws:execute-api:eu-west-1:123:api/$default/POST/api/agents/{agentId}"


def test_authorization_reads_simple_and_policy_responses() -> None:
    assert authorization({"isAuthorized": True, "context": {"a": 1}}, simple_responses=True) == (True, {"a": 1})
    assert authorization({"isAuthorized": False}, simple_responses=True) == (False, {})
    policy = {"policyDocument": {"Statement": [{"Effect": "Allow"}]}, "context": {"b": 2}}
    assert authorization(policy, simple_responses=False) == (True, {"b": 2})
    with pytest.raises(ValueError, match="isAuthorized"):
        authorization({"allowed": True}, simple_responses=True)


def test_function_results_become_http_responses() -> None:
    structured = http_response({"statusCode": 201, "headers": {"X-A": "1"}, "body": "hi", "cookies": ["c=1"]})
    assert (structured.status, structured.headers, structured.body, structured.cookies) == (
        201,
        {"x-a": "1"},
        b"hi",
        ["c=1"],
    )
    encoded = http_response({"statusCode": 200, "body": base64.b64encode(b"\x00").decode(), "isBase64Encoded": True})
    assert encoded.body == b"\x00"
    # A result without statusCode is taken as a JSON body with status 200
    bare = http_response({"ok": True})
    assert (bare.status, json.loads(bare.body)) == (200, {"ok": True})


def _sample(name: str) -> dict[str, object]:
    return json.loads((Path(__file__).resolve().parents[2] / "events" / name).read_text())  # type: ignore[no-any-return]


def test_built_events_have_every_field_of_api_gateways_sample() -> None:
    # Given the sample HTTP API event that `sam local generate-event` produces (events/)
    sample = _sample("http-api-request.json")
    route = HttpRoute("POST", "/api/agents/{agentId}", "Agents", "Auth")

    # When the front door builds an event for a request with a body, a query and cookies
    event = http_event(request(b"{}", "a=1"), route, {"agentId": "agt_1"}, "api", "123", {"orgId": "o"})

    # Then it carries every top-level field and request-context field the sample has (mTLS aside)
    missing = set(sample) - set(event) - {"stageVariables"}
    assert not missing
    sample_context = sample["requestContext"]
    assert isinstance(sample_context, dict)
    assert not set(sample_context) - set(event["requestContext"]) - {"authentication"}
    assert set(sample_context["http"]) == set(event["requestContext"]["http"])
