"""Pricing one LLM call. Pure: no AWS.

Usage is stored normalized — ``inputTokens`` excludes cache reads, ``cacheReadTokens`` and
``cacheWriteTokens`` have their own rates, ``reasoningTokens`` are already inside
``outputTokens`` — so cached tokens are never counted twice. Money is integer nano-USD inside
Grounded (exact for every listed price), and USD with 9 decimals at the edge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from pydantic import Field

from grounded_core.model import ApiModel
from grounded_core.pricing.table import Price, built_in_prices

NANOS_PER_USD = Decimal(1_000_000_000)
_PROVIDER_PREFIX = re.compile(
    r"^(?:(?:us|eu|apac|global)\.)?(?:openai|anthropic|google|azure|vertex_ai|bedrock|models|gemini|openrouter)[/.]"
)
_VERSION_SUFFIX = re.compile(r"(?::\d+|@[\w.-]+)$")
_BOUNDARY = {"-", "@", ":"}


class Usage(ApiModel):
    input_tokens: int = Field(0, ge=0)
    output_tokens: int = Field(0, ge=0)
    cache_read_tokens: int = Field(0, ge=0)
    cache_write_tokens: int = Field(0, ge=0)
    reasoning_tokens: int = Field(0, ge=0)  # part of output_tokens; shown, never priced again

    @classmethod
    def from_inclusive(
        cls, prompt: int, completion: int, cache_read: int = 0, cache_write: int = 0, reasoning: int = 0
    ) -> Usage | None:
        """From counts where the prompt includes cached tokens (OpenAI, LangChain, OpenTelemetry
        GenAI, OpenInference); ``None`` when no tokens were counted."""
        prompt, completion, cache_read, cache_write = (max(0, n) for n in (prompt, completion, cache_read, cache_write))
        if not (prompt or completion):
            return None
        return cls(
            input_tokens=max(0, prompt - cache_read - cache_write),
            output_tokens=completion,
            cache_read_tokens=cache_read,
            cache_write_tokens=cache_write,
            reasoning_tokens=min(completion, max(0, reasoning)),
        )

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens


def normalize_model(name: str) -> str:
    """``openai/gpt-4o-mini`` -> ``gpt-4o-mini``; ``us.anthropic.claude-3-5-haiku-20241022-v1:0``
    -> ``claude-3-5-haiku-20241022-v1``; ``claude-3-5-sonnet@20240620`` -> ``claude-3-5-sonnet``."""
    model = name.strip().lower()
    for _ in range(2):  # a region and a provider prefix may both be present
        model = _PROVIDER_PREFIX.sub("", model)
    return _VERSION_SUFFIX.sub("", model)


def match_price(model: str, prices: Mapping[str, Price]) -> tuple[str, Price] | None:
    """The longest prefix of the normalized model name that ends on a boundary."""
    name = normalize_model(model)
    best: tuple[str, Price] | None = None
    for prefix, price in prices.items():
        fits = name == prefix or (name.startswith(prefix) and name[len(prefix)] in _BOUNDARY)
        if fits and (best is None or len(prefix) > len(best[0])):
            best = (prefix, price)
    return best


def price_table(overrides: Mapping[str, Price] | None = None) -> dict[str, Price]:
    """The built-in table with an org's overrides on top."""
    return {**built_in_prices(), **(overrides or {})}


def cost_nanos(usage: Usage, price: Price) -> int:
    per_token = {
        "input": price.input_per_m_tok,
        "output": price.output_per_m_tok,
        "read": price.cache_read_per_m_tok if price.cache_read_per_m_tok is not None else price.input_per_m_tok,
        "write": price.cache_write_per_m_tok if price.cache_write_per_m_tok is not None else price.input_per_m_tok,
    }
    # tokens x USD per million tokens = micro-USD; x 1000 = nano-USD
    total = (
        usage.input_tokens * per_token["input"]
        + usage.output_tokens * per_token["output"]
        + usage.cache_read_tokens * per_token["read"]
        + usage.cache_write_tokens * per_token["write"]
    ) * 1000
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def price_call(model: str | None, usage: Usage | None, prices: Mapping[str, Price]) -> int | None:
    """Nano-USD for one call, or ``None`` when the model has no price (never 0 for unknown)."""
    if usage is None or usage.total == 0:
        return 0
    if not model:
        return None
    matched = match_price(model, prices)
    return cost_nanos(usage, matched[1]) if matched else None


def usd(nanos: int | None) -> float | None:
    return None if nanos is None else float(Decimal(nanos) / NANOS_PER_USD)


def nanos_from_usd(value: float | Decimal) -> int:
    return int((Decimal(str(value)) * NANOS_PER_USD).quantize(Decimal(1), rounding=ROUND_HALF_UP))
