"""The built-in model price table, in USD per million tokens (list prices as published by each
provider; check them against the provider's page before relying on them for billing). Orgs
override any entry with ``PUT /api/pricing/{modelPrefix}``.

A model name is matched by the **longest prefix** that ends on a boundary (end of name, ``-``,
``@`` or ``:``) after normalization, so ``claude-sonnet-4-20251022`` prices as ``claude-sonnet-4``,
``gpt-4o-mini`` never as ``gpt-4o``, and ``gpt-4.5`` not as ``gpt-4``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from types import MappingProxyType

from pydantic import Field

from grounded_core.model import ApiModel


class Price(ApiModel):
    """USD per million tokens. Without a cache-write price, cache writes cost the input price."""

    input_per_m_tok: Decimal = Field(ge=0, alias="inputPerMTok")
    output_per_m_tok: Decimal = Field(ge=0, alias="outputPerMTok")
    cache_read_per_m_tok: Decimal | None = Field(None, ge=0, alias="cacheReadPerMTok")
    cache_write_per_m_tok: Decimal | None = Field(None, ge=0, alias="cacheWritePerMTok")


def _p(inp: str, out: str, read: str | None = None, write: str | None = None) -> Price:
    return Price(
        input_per_m_tok=Decimal(inp),
        output_per_m_tok=Decimal(out),
        cache_read_per_m_tok=Decimal(read) if read else None,
        cache_write_per_m_tok=Decimal(write) if write else None,
    )


#: model prefix: input and output prices, then cache read and cache write where published (without them,
#: cache reads and writes cost the input price)
_BUILT_IN: dict[str, tuple[str, ...]] = {
    # Anthropic (cache write = 1.25x input for 5-minute writes; cache read = 0.1x input)
    "claude-opus-4-5": ("5", "25", "0.5", "6.25"),
    "claude-opus-4-1": ("15", "75", "1.5", "18.75"),
    "claude-opus-4": ("15", "75", "1.5", "18.75"),
    "claude-sonnet-4-5": ("3", "15", "0.3", "3.75"),
    "claude-sonnet-4": ("3", "15", "0.3", "3.75"),
    "claude-haiku-4-5": ("1", "5", "0.1", "1.25"),
    "claude-3-7-sonnet": ("3", "15", "0.3", "3.75"),
    "claude-3-5-sonnet": ("3", "15", "0.3", "3.75"),
    "claude-3-5-haiku": ("0.8", "4", "0.08", "1"),
    "claude-3-opus": ("15", "75", "1.5", "18.75"),
    "claude-3-sonnet": ("3", "15"),
    "claude-3-haiku": ("0.25", "1.25", "0.03", "0.3"),
    # OpenAI (cached input as published; no separate cache-write charge)
    "gpt-5": ("1.25", "10", "0.125", "1.25"),
    "gpt-5-mini": ("0.25", "2", "0.025", "0.25"),
    "gpt-5-nano": ("0.05", "0.4", "0.005", "0.05"),
    "gpt-4.1": ("2", "8", "0.5", "2"),
    "gpt-4.1-mini": ("0.4", "1.6", "0.1", "0.4"),
    "gpt-4.1-nano": ("0.1", "0.4", "0.025", "0.1"),
    "gpt-4o": ("2.5", "10", "1.25", "2.5"),
    "gpt-4o-mini": ("0.15", "0.6", "0.075", "0.15"),
    "gpt-4-turbo": ("10", "30"),
    "gpt-4": ("30", "60"),
    "gpt-3.5-turbo": ("0.5", "1.5"),
    "o1": ("15", "60", "7.5", "15"),
    "o1-mini": ("1.1", "4.4", "0.55", "1.1"),
    "o3": ("2", "8", "0.5", "2"),
    "o3-mini": ("1.1", "4.4", "0.55", "1.1"),
    "o4-mini": ("1.1", "4.4", "0.275", "1.1"),
    # Google (prompts up to 128k/200k tokens)
    "gemini-2.5-pro": ("1.25", "10", "0.31"),
    "gemini-2.5-flash": ("0.3", "2.5", "0.075"),
    "gemini-2.0-flash": ("0.1", "0.4", "0.025"),
    "gemini-2.0-flash-lite": ("0.075", "0.3"),
    "gemini-1.5-pro": ("1.25", "5", "0.3125"),
    "gemini-1.5-flash": ("0.075", "0.3", "0.01875"),
}


@cache
def built_in_prices() -> Mapping[str, Price]:
    """The built-in table, read-only. Made on first use, not as the module is imported: making a
    ``Price`` builds the model's validator, which a function that imports the table for its types
    (every one that reads a trace's usage) would otherwise pay at every cold start (~2 ms)."""
    return MappingProxyType({prefix: _p(*prices) for prefix, prices in _BUILT_IN.items()})
