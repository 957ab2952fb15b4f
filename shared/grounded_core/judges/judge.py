"""Asking a judge: one chat completion through the org's provider, its verdict, and what it cost
(its tokens priced from the price table, with the org's overrides)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grounded_core.connectors.http import ProviderError, ProviderHttp, Unavailable, WaitLonger
from grounded_core.judges.providers import DEFAULT_PROVIDER, api_key, find_provider
from grounded_core.judges.verdict import VerdictError, messages, parse
from grounded_core.pricing.cost import Usage, price_call
from grounded_core.pricing.table import Price

#: a judge call's own time limit, and how often it is tried (5xx, timeouts; 429 waits)
TIMEOUT_SECONDS = 20.0
ATTEMPTS = 3


class JudgeError(Exception):
    """No verdict: why, in a sentence a user can act on (never holding the key)."""

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.message = message
        #: the provider kept failing or rate limiting: a later try may get a verdict
        self.transient = transient


@dataclass(frozen=True)
class Verdict:
    score: float
    reasoning: str
    model: str
    usage: Usage | None
    #: ``None`` when the model has no price
    cost_nanos: int | None


@dataclass(frozen=True)
class JudgeRequest:
    rubric: str
    given: Any
    output: Any
    expected: Any = None
    model: str | None = None
    provider: str = DEFAULT_PROVIDER


def _usage(body: dict[str, Any]) -> Usage | None:
    usage = body.get("usage") or {}
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
    reasoning = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
    return Usage.from_inclusive(
        int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0), int(cached), 0, int(reasoning)
    )


def ask(
    org_id: str,
    request: JudgeRequest,
    prices: Callable[[], dict[str, Price]],
    time_left: Callable[[], float] = lambda: 60.0,
) -> Verdict:
    provider = find_provider(org_id, request.provider)
    key = api_key(org_id, request.provider) if provider else None
    if provider is None or key is None:
        raise JudgeError(
            f"No model provider '{request.provider}' is set up: PUT /api/providers/{request.provider} "
            "with its baseUrl, apiKey and defaultModel."
        )
    model = request.model or provider.default_model
    http = ProviderHttp(
        "The judge's model provider",
        provider.base_url,
        {"authorization": f"Bearer {key}"},
        time_left,
        attempts=ATTEMPTS,
        timeout_seconds=TIMEOUT_SECONDS,
    )
    body = {
        "model": model,
        "messages": messages(request.rubric, request.given, request.output, request.expected),
        "temperature": 0,
        "response_format": {"type": "json_object"},
    }
    try:
        answer = http.post("/chat/completions", body).json()
    except (Unavailable, WaitLonger) as error:
        raise JudgeError(error.message, transient=True) from None
    except ProviderError as error:
        raise JudgeError(error.message) from None
    except ValueError:
        raise JudgeError("The judge's model provider did not answer JSON.") from None
    try:
        text = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise JudgeError("The judge's model provider answered no message.") from None
    try:
        score, reasoning = parse(text)
    except VerdictError as error:
        raise JudgeError(f"No verdict: {error}.") from None
    usage = _usage(answer if isinstance(answer, dict) else {})
    used = str(answer.get("model") or model) if isinstance(answer, dict) else model
    return Verdict(score, reasoning, used, usage, price_call(used, usage, prices()))
