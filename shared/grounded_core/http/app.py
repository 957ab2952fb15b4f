"""Every HTTP function is a FastAPI router turned into an app by :func:`make_app`, and a Lambda
handler by :func:`make_handler`. Errors are mapped to the API's JSON shape here, in one place:
routes never catch exceptions themselves.

Every route and every dependency is ``async def`` (``tests/unit/test_async_routes.py``). A Lambda
invocation serves one request, on an event loop of its own (Mangum's), so a route that blocks while
it calls AWS holds up nothing; a plain ``def`` would be sent to a thread pool and back, ~0.3 ms
each: with the access guard, the caller and the paging dependencies that was ~1 ms of CPU and 1-2 ms
of latency on every request.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from mangum import Mangum
from pydantic import BaseModel, ValidationError
from pydantic.warnings import UnsupportedFieldAttributeWarning
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grounded_core.errors import GroundedError, PayloadTooLarge
from grounded_core.http.access import ROUTE_ACCESS, Access, access_guard
from grounded_core.http.idempotency import KeyedPosts
from grounded_core.http.routes import DeferredRoute, Routes, documented
from grounded_core.observability import logger
from grounded_core.settings import get_settings
from grounded_core.startup import entry_point

M = TypeVar("M", bound=BaseModel)

# ApiModel builds each model on first use (defer_build: a function imports many models it never
# uses). FastAPI wraps a request body's model in a field carrying the parameter's name as alias,
# and silences pydantic's warning that such an alias "has no effect" (a false positive,
# pydantic#12356) while it builds the field — but a deferred model is built later, at the first
# request, where the warning would reach the logs once per body model and cold start.
warnings.filterwarnings("ignore", message="The 'alias' attribute with value", category=UnsupportedFieldAttributeWarning)
LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def _no_pydantic_v1_import() -> None:
    """FastAPI asks of every route's types whether they are pydantic v1 models (to refuse them),
    importing ``pydantic.v1`` to do it: ~40 ms of every HTTP function's cold start. No v1 model
    can exist before something imports ``pydantic.v1``, so until then the answer is no without
    the import. (Should FastAPI rename its check, nothing changes but the saving.)"""
    from fastapi._compat import shared

    check = getattr(shared, "is_pydantic_v1_model_class", None)
    if check is None or getattr(check, "grounded", False):
        return

    def is_pydantic_v1_model_class(cls: Any) -> bool:
        return "pydantic.v1" in sys.modules and bool(check(cls))

    is_pydantic_v1_model_class.grounded = True  # type: ignore[attr-defined]
    shared.is_pydantic_v1_model_class = is_pydantic_v1_model_class


_no_pydantic_v1_import()  # before any route is declared: every function's app imports this module first

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def request_id(request: Request) -> str | None:
    """API Gateway's request id, which is also on every log line of the request."""
    event = request.scope.get("aws.event") or {}
    return (event.get("requestContext") or {}).get("requestId")


def error_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, headers=headers)


async def _grounded_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GroundedError)
    wait = exc.retry_after_seconds
    headers = {"Retry-After": str(wait)} if wait is not None else None
    return error_response(exc.status, exc.body(), headers)


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] if parts[0] == "body" else parts
    return ".".join(parts) or "body"


def validate_body(model: type[M], body: Any) -> M:
    """Validate a body a route parses itself (say, one of two shapes) with the same 422 as FastAPI's."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = [{**problem, "loc": ("body", *problem["loc"])} for problem in error.errors(include_input=False)]
        raise RequestValidationError(problems) from None


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return error_response(400, {"error": "The request body is not valid JSON.", "code": "malformed_json"})
    body_errors = [error for error in errors if error.get("loc", ("",))[0] == "body"]
    content_type = request.headers.get("content-type", "")
    if body_errors and "json" not in content_type:
        return error_response(
            400,
            {
                "error": "The request body must be JSON (Content-Type: application/json).",
                "code": "unsupported_content_type",
            },
        )
    details = [{"field": _field_path(error.get("loc", ())), "message": error.get("msg", "invalid")} for error in errors]
    return error_response(422, {"error": "The request is not valid.", "code": "validation_error", "details": details})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "The request failed."
    return error_response(exc.status_code, {"error": message, "code": _STATUS_CODES.get(exc.status_code, "http_error")})


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    rid = request_id(request)
    logger.exception("Unhandled error", extra={"path": request.url.path, "request_id": rid})
    return error_response(
        500, {"error": "Something went wrong on our side.", "code": "internal_error", "requestId": rid}
    )


class Edges:
    """ASGI middleware: refuse oversized bodies before parsing them, and turn any bug into a JSON
    500 (and an error the other middleware raised, such as :class:`Busy`, into its answer). Plain
    ASGI (Starlette's ``BaseHTTPMiddleware`` costs ~0.2 ms of CPU and ~0.3 ms of latency per
    request: a task and a stream of its own)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            error = PayloadTooLarge(f"The request body is over the limit of {self.limit} bytes.")
            await error_response(error.status, error.body())(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # the one place a bug becomes a response; routes never catch
            if started:
                raise
            request = Request(scope)
            if isinstance(exc, GroundedError):  # raised outside the routes: the middleware's store calls (Busy)
                response = await _grounded_error(request, exc)
            else:
                response = await _unexpected_error(request, exc)
            await response(scope, receive, send)


def make_app(*routers: APIRouter, title: str = "Grounded", access: dict[str, Access] | None = None) -> FastAPI:
    """A FastAPI app serving ``routers`` under the API's error contract, every route guarded by
    its rule in :mod:`grounded_core.http.access`. The routes of a :class:`Routes` router are
    built when a request first needs them (:mod:`grounded_core.http.routes`)."""
    app = FastAPI(
        title=title,
        version=get_settings().version,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(access_guard(ROUTE_ACCESS if access is None else access))],
    )
    for router in routers:
        if isinstance(router, Routes):  # each route built when a request first needs it
            app.router.routes.extend(DeferredRoute(declared, app) for declared in router.declared)
            app.openapi = documented(app)  # type: ignore[method-assign]
        else:
            app.include_router(router)
    app.add_exception_handler(GroundedError, _grounded_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(KeyedPosts)
    app.add_middleware(Edges, limit=get_settings().max_body_bytes)  # added last: the outermost
    return app


def make_handler(app: FastAPI) -> LambdaHandler:
    """The Lambda entry point for ``app``: Mangum built once, wrapped by Powertools."""
    from aws_lambda_powertools.logging import correlation_paths

    asgi = Mangum(app, lifespan="off")

    @entry_point
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return asgi(event, context)

    return handler
