"""The transport: one request with timeouts, and retries with exponential backoff and jitter on
429 (honouring ``Retry-After``), 5xx and connection errors."""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from grounded.errors import APIConnectionError, APITimeoutError, GroundedAPIError, error_for

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
USER_AGENT = "grounded-python/0.1.0"


def api_root(base_url: str | None) -> str:
    """The API's root, ending in ``/api``, whether or not ``base_url`` has it."""
    url = (base_url or os.environ.get("GROUNDED_BASE_URL") or "http://localhost:3001").rstrip("/")
    return url if url.endswith("/api") else url + "/api"


@dataclass(frozen=True)
class Retrying:
    max_retries: int = DEFAULT_RETRIES
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 20.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return float(min(retry_after, 60.0))
        base: float = min(self.max_backoff_seconds, self.backoff_seconds * 2.0**attempt)
        return base * random.uniform(0.5, 1.0)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _headers(api_key: str | None, org_id: str | None = None) -> dict[str, str]:
    headers = {"user-agent": USER_AGENT, "accept": "application/json"}
    if api_key:
        headers["authorization"] = f"Bearer {api_key}"
    if org_id:
        headers["x-grounded-org"] = org_id  # the org a user token acts in
    return headers


def _settle(
    retrying: Retrying,
    attempt: int,
    what: str,
    response: httpx.Response | None,
    error: Exception | None,
) -> tuple[bool, Any]:
    """One attempt's outcome, shared by both transports: ``(True, body)`` when done,
    ``(False, seconds)`` to wait before the next attempt; raises when there is nothing to retry.
    Every request may be retried: a ``POST`` carries an ``Idempotency-Key`` (:func:`_once`)."""
    last = attempt == retrying.max_retries
    if error is not None:
        if last:
            kind = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
            raise kind(f"{what}: {error or type(error).__name__}") from error
        return False, retrying.delay(attempt, None)
    assert response is not None
    if response.status_code < 400:
        return True, _body(response)
    request_id = response.headers.get("apigw-requestid") or response.headers.get("x-amzn-requestid")
    failure: GroundedAPIError = error_for(response.status_code, _body(response), _retry_after(response), request_id)
    if response.status_code not in RETRY_STATUSES or last:
        raise failure
    return False, retrying.delay(attempt, failure.retry_after)


def _clean(params: dict[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (params or {}).items() if value is not None}


def _once(method: str) -> dict[str, str]:
    """A ``POST`` carries an ``Idempotency-Key`` (the same on every retry of the call): the server
    answers a repeat with the first answer, so retrying it never creates anything twice."""
    return {"idempotency-key": str(uuid.uuid4())} if method.upper() == "POST" else {}


class SyncTransport:
    def __init__(
        self,
        root: str,
        api_key: str | None,
        timeout: float,
        retrying: Retrying,
        client: httpx.Client | None = None,
        org_id: str | None = None,
    ):
        self.retrying = retrying
        self._http = client or httpx.Client(base_url=root, timeout=timeout, headers=_headers(api_key, org_id))

    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        once = _once(method)
        for attempt in range(self.retrying.max_retries + 1):
            response, error = None, None
            try:
                response = self._http.request(method, path.lstrip("/"), json=json, params=_clean(params), headers=once)
            except httpx.TransportError as failure:  # timeouts included
                error = failure
            done, value = _settle(self.retrying, attempt, f"{method} {path}", response, error)
            if done:
                return value
            time.sleep(value)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._http.close()


class AsyncTransport:
    def __init__(
        self,
        root: str,
        api_key: str | None,
        timeout: float,
        retrying: Retrying,
        client: httpx.AsyncClient | None = None,
        org_id: str | None = None,
    ):
        self.retrying = retrying
        self._http = client or httpx.AsyncClient(base_url=root, timeout=timeout, headers=_headers(api_key, org_id))

    async def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        once = _once(method)
        for attempt in range(self.retrying.max_retries + 1):
            response, error = None, None
            try:
                response = await self._http.request(
                    method, path.lstrip("/"), json=json, params=_clean(params), headers=once
                )
            except httpx.TransportError as failure:  # timeouts included
                error = failure
            done, value = _settle(self.retrying, attempt, f"{method} {path}", response, error)
            if done:
                return value
            await asyncio.sleep(value)
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        await self._http.aclose()
