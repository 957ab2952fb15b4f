"""The local cloud's front door: an HTTP server that does what API Gateway's HTTP API does for the
template's routes — select the route, run the Lambda authorizer (with its result cache), build the
payload-2.0 event, invoke the function and return its answer. Unknown routes get API Gateway's 404.

Paths under ``/_local/`` are the local cloud's own (status, firing schedules); they do not exist
in AWS.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local.apigw import (
    MAX_REQUEST_BYTES,
    HttpRequest,
    HttpResponse,
    authorization,
    authorizer_event,
    gateway_error,
    http_event,
    http_response,
    select_route,
)
from local.runtime import FunctionFailed, LambdaRuntime
from local.static_site import StaticSite
from local.template import Authorizer, HttpRoute

log = logging.getLogger("grounded.local")

LocalRoute = Callable[[HttpRequest], HttpResponse]


@dataclass(frozen=True)
class ApiIdentity:
    api_id: str
    account_id: str
    region: str


class HttpApi:
    """The template's HTTP API: routes, authorizers and CORS, served by invoking functions."""

    def __init__(
        self,
        routes: list[HttpRoute],
        authorizers: dict[str, Authorizer],
        cors: dict[str, Any] | None,
        runtime: LambdaRuntime,
        identity: ApiIdentity,
    ):
        self.routes = routes
        self.authorizers = authorizers
        self.cors = cors
        self.runtime = runtime
        self.identity = identity
        self._cache: dict[tuple[str, tuple[str, ...]], tuple[float, bool, dict[str, Any]]] = {}
        self._cache_lock = threading.Lock()

    def handle(self, request: HttpRequest) -> HttpResponse:
        if len(request.body) > MAX_REQUEST_BYTES:
            return gateway_error(413, "Request Entity Too Large")
        if self._is_preflight(request):
            return self._preflight(request)
        response = self._route(request)
        self._add_cors(request, response)
        return response

    def _route(self, request: HttpRequest) -> HttpResponse:
        selected = select_route(self.routes, request.method, request.path)
        if selected is None:
            return gateway_error(404, "Not Found")
        route, params = selected
        context: dict[str, Any] | None = None
        if route.authorizer:
            outcome = self._authorize(request, route, params, self.authorizers[route.authorizer])
            if isinstance(outcome, HttpResponse):
                return outcome
            context = outcome
        event = http_event(request, route, params, self.identity.api_id, self.identity.account_id, context)
        try:
            result = self.runtime.invoke(route.function_id, event)
        except FunctionFailed as failure:
            log.error("%s: %s", route.route_key, failure, exc_info=failure.error)
            return gateway_error(500, "Internal Server Error")
        response = http_response(result)
        response.headers["apigw-requestid"] = event["requestContext"]["requestId"]  # as API Gateway adds
        return response

    def _authorize(
        self, request: HttpRequest, route: HttpRoute, params: dict[str, str], authorizer: Authorizer
    ) -> dict[str, Any] | HttpResponse:
        identity = [request.header(name) for name in authorizer.identity_headers]
        if not all(identity):
            return gateway_error(401, "Unauthorized")
        values = tuple(value for value in identity if value)
        key = (authorizer.name, values)
        with self._cache_lock:
            cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            allowed, context = cached[1], cached[2]
        else:
            event = authorizer_event(
                request,
                route,
                params,
                list(values),
                self.identity.api_id,
                self.identity.account_id,
                self.identity.region,
            )
            try:
                allowed, context = authorization(
                    self.runtime.invoke(authorizer.function_id, event), authorizer.simple_responses
                )
            except (FunctionFailed, ValueError) as failure:
                log.error("authorizer %s: %s", authorizer.name, failure)
                return gateway_error(500, "Internal Server Error")
            if authorizer.cache_ttl_seconds > 0:
                with self._cache_lock:
                    self._cache[key] = (time.monotonic() + authorizer.cache_ttl_seconds, allowed, context)
        return context if allowed else gateway_error(403, "Forbidden")

    def _is_preflight(self, request: HttpRequest) -> bool:
        return bool(
            self.cors
            and request.method.upper() == "OPTIONS"
            and request.header("origin")
            and request.header("access-control-request-method")
        )

    def _allowed_origin(self, request: HttpRequest) -> str | None:
        origin = request.header("origin")
        allowed = (self.cors or {}).get("AllowOrigins", [])
        if not origin or not allowed:
            return None
        return "*" if "*" in allowed else origin if origin in allowed else None

    def _preflight(self, request: HttpRequest) -> HttpResponse:
        origin = self._allowed_origin(request)
        if origin is None:
            return HttpResponse(204)
        assert self.cors is not None
        headers = {
            "access-control-allow-origin": origin,
            "access-control-allow-methods": ",".join(self.cors.get("AllowMethods", ["*"])),
            "access-control-allow-headers": ",".join(self.cors.get("AllowHeaders", ["*"])),
            "access-control-max-age": str(self.cors.get("MaxAge", 0)),
        }
        return HttpResponse(204, headers)

    def _add_cors(self, request: HttpRequest, response: HttpResponse) -> None:
        origin = self._allowed_origin(request)
        if origin is not None:
            response.headers.setdefault("access-control-allow-origin", origin)
            exposed = (self.cors or {}).get("ExposeHeaders")
            if exposed:
                response.headers.setdefault("access-control-expose-headers", ",".join(exposed))


class _Server(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: a burst of concurrent clients (an SDK flushing
    # from several threads) would see connections refused, which API Gateway never does.
    request_queue_size = 256
    daemon_threads = True


class FrontDoor:
    """A threaded HTTP server in front of :class:`HttpApi` plus the ``/_local/`` routes."""

    def __init__(
        self,
        api: HttpApi,
        local_routes: dict[tuple[str, str], LocalRoute],
        host: str,
        port: int,
        site: StaticSite | None = None,
    ):
        self.api = api
        self.local_routes = local_routes
        self.site = site
        self._server = _Server((host, port), _handler_class(self))
        self._thread = threading.Thread(target=self._server.serve_forever, name="front-door", daemon=True)
        self._answering = 0
        self._answered_at = time.monotonic()
        self._counting = threading.Lock()

    def quiet_for(self, seconds: float) -> bool:
        """No request is being answered, nor was for ``seconds``."""
        return self._answering == 0 and time.monotonic() - self._answered_at >= seconds

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def respond(self, request: HttpRequest) -> HttpResponse:
        with self._counting:
            self._answering += 1
        try:
            return self._respond(request)
        finally:
            with self._counting:
                self._answering -= 1
                self._answered_at = time.monotonic()

    def _respond(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/_local/"):
            for (method, prefix), route in self.local_routes.items():
                if request.method.upper() == method and request.path.startswith(prefix):
                    return route(request)
            return gateway_error(404, "Not Found")
        if self.site is not None and not (request.path == "/api" or request.path.startswith("/api/")):
            return self.site.respond(request)  # CloudFront: everything but /api/* is the dashboard
        return self.api.handle(request)


def _handler_class(front_door: FrontDoor) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "GroundedLocalCloud"
        # TCP_NODELAY: the headers and the body are two writes; with Nagle's algorithm the body
        # waited for the client's delayed ACK of the headers — 40 ms added to every response.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_REQUEST_BYTES:
                self._write(gateway_error(413, "Request Entity Too Large"), close=True)
                return
            body = self.rfile.read(length) if length else b""
            request = HttpRequest(self.command, path, query, list(self.headers.items()), body, self.client_address[0])
            try:
                response = front_door.respond(request)
            except Exception:  # a bug in the local cloud itself, not in a function
                log.exception("front door failed on %s %s", self.command, path)
                response = gateway_error(500, "Internal Server Error")
            self._write(response)

        def _write(self, response: HttpResponse, close: bool = False) -> None:
            self.send_response(response.status)
            for key, value in response.headers.items():
                if key not in {"content-length", "connection", "transfer-encoding"}:
                    self.send_header(key, value)
            for cookie in response.cookies:
                self.send_header("set-cookie", cookie)
            self.send_header("content-length", str(len(response.body)))
            if close:
                self.send_header("connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

        def __getattr__(self, name: str) -> Any:
            # any other method (TRACE, QUERY, …) reaches the API, which answers as API Gateway does
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

    return Handler


def json_response(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())
