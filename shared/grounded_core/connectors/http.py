"""HTTP to a provider, with the provider's failure modes turned into clear outcomes.

- 429: wait ``Retry-After`` (or a default) and try again, as long as the invocation has time;
  a wait longer than that is :class:`WaitLonger` (the sync continues in a later invocation).
- 5xx, 408, 425, timeouts and dropped connections: retried with exponential backoff and jitter;
  still failing after the attempts is :class:`Unavailable`.
- 401/403 is :class:`Rejected` with "<Provider> rejected the API key"; other 4xx are
  :class:`Rejected` with the provider's own message.

Standard library only (``urllib``): nothing to import at cold start, nothing to package.
Credentials travel in headers and are never part of an error message or a log line.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlencode

TRANSIENT = frozenset({408, 425, 500, 502, 503, 504})
DEFAULT_RETRY_AFTER = 10.0
MAX_RATE_LIMIT_WAITS = 30


class ProviderError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Rejected(ProviderError):
    """The provider refused the request; trying again will not help."""


class Unavailable(ProviderError):
    """The provider kept failing; a later attempt may succeed."""


class WaitLonger(ProviderError):
    """Rate limited for longer than this invocation has left."""

    def __init__(self, message: str, seconds: float):
        super().__init__(message)
        self.seconds = seconds


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    #: a successful answer asked for with ``keep_open``: the body, still to be read
    stream: BinaryIO | None = None

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def _detail(body: bytes) -> str:
    """The provider's own error message, short."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body[:200].decode(errors="replace").strip()
    if isinstance(parsed, dict):
        for key in ("detail", "message", "error"):
            if isinstance(parsed.get(key), str):
                return str(parsed[key])[:200]
    return ""


def retry_after_seconds(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:  # an HTTP date: not worth parsing, wait the default
        return DEFAULT_RETRY_AFTER


class ProviderHttp:
    def __init__(
        self,
        provider: str,
        base_url: str,
        headers: Mapping[str, str],
        time_left: Callable[[], float],
        *,
        attempts: int = 4,
        backoff_seconds: float = 0.5,
        timeout_seconds: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self._headers = dict(headers)
        self._time_left = time_left
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._timeout = timeout_seconds
        self._sleep = sleep
        self.requests = 0
        self.waited_seconds = 0.0

    def get(self, path: str, params: Mapping[str, Any] | None = None, authenticated: bool = True) -> Response:
        return self.request("GET", path, params=params, authenticated=authenticated)

    def post(self, path: str, body: Any) -> Response:
        return self.request("POST", path, body=body)

    @contextmanager
    def download(self, url: str, authenticated: bool = False) -> Iterator[BinaryIO]:
        """A large file, read as it arrives (never held whole in memory); opening it fails and
        retries like any request."""
        response = self.request("GET", url, authenticated=authenticated, keep_open=True)
        if response.stream is None:  # an empty answer
            import io

            yield io.BytesIO(response.body)
            return
        with response.stream as stream:
            yield stream

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        authenticated: bool = True,
        keep_open: bool = False,
    ) -> Response:
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        if params:
            url += "?" + urlencode({k: v for k, v in params.items() if v is not None})
        failures = 0
        waits = 0
        while True:
            outcome = self._send(method, url, body, authenticated, keep_open)
            if isinstance(outcome, Response) and outcome.status == 429:
                waits += 1
                self._wait_out(outcome, waits)
                continue
            if isinstance(outcome, Response) and outcome.status not in TRANSIENT:
                return self._checked(outcome)
            failures += 1
            why = f"HTTP {outcome.status}" if isinstance(outcome, Response) else outcome
            if failures >= self._attempts:
                raise Unavailable(f"{self.provider} kept failing ({why}) after {failures} attempts.")
            self._pause(self._backoff * 2 ** (failures - 1) * random.uniform(0.8, 1.2))

    def _send(self, method: str, url: str, body: Any, authenticated: bool, keep_open: bool = False) -> Response | str:
        """A response, or why there was none."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"accept": "application/json", "user-agent": "grounded-connector"}
        if data is not None:
            headers["content-type"] = "application/json"
        if authenticated:
            headers.update(self._headers)
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        self.requests += 1
        try:
            answer = urllib.request.urlopen(request, timeout=self._timeout)  # base URLs are checked http(s)
            if keep_open:
                return Response(answer.status, dict(answer.headers.items()), b"", stream=answer)
            with answer:
                return Response(answer.status, dict(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers.items()), error.read())
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            return f"no answer: {type(reason).__name__}"

    def _wait_out(self, response: Response, waits: int) -> None:
        seconds = retry_after_seconds(response.headers.get("Retry-After") or response.headers.get("retry-after"))
        message = f"{self.provider} is rate limiting (HTTP 429, Retry-After {seconds:g}s)."
        if waits > MAX_RATE_LIMIT_WAITS or seconds > self._time_left():
            raise WaitLonger(message, seconds)
        self._pause(seconds)

    def _pause(self, seconds: float) -> None:
        self.waited_seconds += seconds
        self._sleep(seconds)

    def _checked(self, response: Response) -> Response:
        if response.status in (401, 403):
            raise Rejected(f"{self.provider} rejected the API key (HTTP {response.status}).")
        if response.status >= 400:
            detail = _detail(response.body)
            said = f": {detail}" if detail else ""
            raise Rejected(f"{self.provider} refused the request (HTTP {response.status}){said}.")
        return response
