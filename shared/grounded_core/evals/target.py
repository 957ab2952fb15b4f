"""Calling the agent under evaluation (``endpoint`` mode): ``POST {runId, caseId, input}``, the
answer is ``{"output": …}`` or a plain-text body. 5xx, timeouts and dropped connections are
retried with backoff; a case whose target keeps failing is recorded as an error, never a crash."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from grounded_core.storable import Unstorable, check_storable

ATTEMPTS = 3
BACKOFF_SECONDS = 0.2


@dataclass(frozen=True)
class Answer:
    output: Any = None
    latency_ms: float | None = None
    error: str | None = None


def _read_output(body: bytes) -> Any:
    text = body.decode(errors="replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    return parsed["output"] if isinstance(parsed, dict) and "output" in parsed else text


def _answer(body: bytes, latency_ms: float) -> Answer:
    """The target's output, if the store can keep it (else the case errors, saying why)."""
    output = _read_output(body)
    try:
        check_storable(output)
    except Unstorable as problem:
        return Answer(error=f"The target's answer cannot be stored: {problem}.", latency_ms=latency_ms)
    return Answer(output=output, latency_ms=latency_ms)


def call_target(url: str, headers: dict[str, str], timeout_ms: int, payload: dict[str, Any]) -> Answer:
    data = json.dumps(payload).encode()
    problem = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        request = urllib.request.Request(
            url, data=data, method="POST", headers={"content-type": "application/json", **headers}
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout_ms / 1000) as response:  # url checked http(s)
                body = response.read()
            return _answer(body, round((time.perf_counter() - started) * 1000, 1))
        except urllib.error.HTTPError as error:
            if error.code < 500 and error.code not in (408, 429):
                return Answer(error=f"The target refused the case (HTTP {error.code}).")
            problem = f"answered HTTP {error.code}"
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as error:
            timed_out = isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError)
            problem = f"did not answer within {timeout_ms} ms" if timed_out else "could not be reached"
    return Answer(error=f"The target {problem} ({ATTEMPTS} attempts).")
