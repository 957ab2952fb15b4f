"""API Gateway HTTP API behaviour, as pure functions: route selection, the payload-2.0 events a
function and a REQUEST authorizer receive, and how a function's answer becomes an HTTP response.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from local.template import HttpRoute

#: HTTP APIs refuse request bodies over 10 MB.
MAX_REQUEST_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ",".join(values) if values else None


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    cookies: list[str] = field(default_factory=list)


def gateway_error(status: int, message: str) -> HttpResponse:
    """The errors API Gateway itself answers with, before or instead of a function."""
    return HttpResponse(status, {"content-type": "application/json"}, json.dumps({"message": message}).encode())


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def match_path(pattern: str, path: str) -> dict[str, str] | None:
    """Path parameters if ``path`` fits the route ``pattern`` (``{name}``, greedy ``{name+}``)."""
    wanted, actual = _segments(pattern), _segments(path)
    params: dict[str, str] = {}
    for index, segment in enumerate(wanted):
        if segment.startswith("{") and segment.endswith("+}"):
            if index >= len(actual):
                return None
            params[segment[1:-2]] = "/".join(actual[index:])
            return params
        if index >= len(actual):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            params[segment[1:-1]] = actual[index]
        elif segment != actual[index]:
            return None
    return params if len(wanted) == len(actual) else None


def _specificity(route: HttpRoute) -> tuple[int, int, int, int]:
    segments = _segments(route.path)
    literal = sum(1 for s in segments if not s.startswith("{"))
    greedy = 1 if any(s.endswith("+}") for s in segments) else 0
    return (-greedy, literal, len(segments), 0 if route.method == "ANY" else 1)


def select_route(routes: list[HttpRoute], method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
    """The route API Gateway would pick: the most specific path, then an exact method over ANY;
    ``$default`` only when nothing else matches.
    """
    candidates = []
    for route in routes:
        if route.path == "$default" or route.method not in {method.upper(), "ANY"}:
            continue
        params = match_path(route.path, path)
        if params is not None:
            candidates.append((route, params))
    if candidates:
        return max(candidates, key=lambda candidate: _specificity(candidate[0]))
    default = next((route for route in routes if route.path == "$default"), None)
    return (default, {}) if default else None


def _body_fields(body: bytes) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), True


def _request_parts(request: HttpRequest) -> dict[str, Any]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for key, value in request.headers:
        name = key.lower()
        if name == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    query: dict[str, str] = {}
    for key, value in parse_qsl(request.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    parts: dict[str, Any] = {"rawPath": request.path, "rawQueryString": request.query, "headers": headers}
    if cookies:
        parts["cookies"] = cookies
    if query:
        parts["queryStringParameters"] = query
    return parts


def _request_context(request: HttpRequest, route_key: str, api_id: str, account_id: str) -> dict[str, Any]:
    now = time.time()
    return {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": request.header("host") or "localhost",
        "domainPrefix": (request.header("host") or "localhost").split(".")[0],
        "http": {
            "method": request.method.upper(),
            "path": request.path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent") or "",
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now * 1000),
    }


def http_event(
    request: HttpRequest,
    route: HttpRoute,
    path_params: dict[str, str],
    api_id: str,
    account_id: str,
    authorizer_context: dict[str, Any] | None,
) -> dict[str, Any]:
    """The payload-2.0 event a function behind an HTTP API route receives."""
    body, is_base64 = _body_fields(request.body)
    context = _request_context(request, route.route_key, api_id, account_id)
    if authorizer_context is not None:
        context["authorizer"] = {"lambda": authorizer_context}
    event: dict[str, Any] = {"version": "2.0", "routeKey": route.route_key, **_request_parts(request)}
    event["requestContext"] = context
    if path_params:
        event["pathParameters"] = path_params
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = is_base64
    return event


def authorizer_event(
    request: HttpRequest,
    route: HttpRoute,
    path_params: dict[str, str],
    identity: list[str],
    api_id: str,
    account_id: str,
    region: str,
) -> dict[str, Any]:
    """The payload-2.0 event a Lambda REQUEST authorizer receives."""
    event: dict[str, Any] = {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:{region}:{account_id}:{api_id}/$default/{route.method}{route.path}",
        "identitySource": identity,
        "routeKey": route.route_key,
        **_request_parts(request),
        "requestContext": _request_context(request, route.route_key, api_id, account_id),
    }
    if path_params:
        event["pathParameters"] = path_params
    return event


def authorization(result: Any, simple_responses: bool) -> tuple[bool, dict[str, Any]]:
    """Whether an authorizer's answer allows the request, and the context it passes on."""
    if not isinstance(result, dict):
        raise ValueError("the authorizer returned something that is not an object")
    context = result.get("context") or {}
    if simple_responses:
        if not isinstance(result.get("isAuthorized"), bool):
            raise ValueError("a simple-response authorizer must return isAuthorized")
        return result["isAuthorized"], context
    statements = (result.get("policyDocument") or {}).get("Statement") or []
    allowed = any(statement.get("Effect") == "Allow" for statement in statements) and not any(
        statement.get("Effect") == "Deny" for statement in statements
    )
    return allowed, context


def http_response(result: Any) -> HttpResponse:
    """How API Gateway turns a payload-2.0 function result into the HTTP response."""
    if not (isinstance(result, dict) and "statusCode" in result):
        text = result if isinstance(result, str) else json.dumps(result)
        return HttpResponse(200, {"content-type": "application/json"}, text.encode())
    raw = str(result.get("body") or "")
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    headers = {str(key).lower(): str(value) for key, value in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[str(key).lower()] = ",".join(str(value) for value in values)
    return HttpResponse(int(result["statusCode"]), headers, body, list(result.get("cookies") or []))
