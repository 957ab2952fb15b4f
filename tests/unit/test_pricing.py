"""Model prices: longest-prefix matching after normalization, and cached tokens never counted twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grounded_core.pricing.cost import Usage, match_price, nanos_from_usd, normalize_model, price_call, price_table, usd
from grounded_core.pricing.table import Price, built_in_prices


@pytest.mark.parametrize(
    ("model", "prefix"),
    [
        ("claude-sonnet-4-20251022", "claude-sonnet-4"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"),
        ("us.anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku"),
        ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet"),
        ("openai/gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("GPT-4-Turbo-2024-04-09", "gpt-4-turbo"),
        ("gpt-4-0613", "gpt-4"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("o1", "o1"),
        ("gemini-2.0-flash-lite-001", "gemini-2.0-flash-lite"),
        ("models/gemini-1.5-pro-002", "gemini-1.5-pro"),
    ],
)
def test_longest_prefix_on_a_boundary(model: str, prefix: str) -> None:
    matched = match_price(model, built_in_prices())
    assert matched is not None
    assert matched[0] == prefix


@pytest.mark.parametrize("model", ["gpt-4.5-preview", "gpt-4oo", "llama-3-70b", "my-finetune", ""])
def test_unknown_models_have_no_price(model: str) -> None:
    assert match_price(model, built_in_prices()) is None


def test_normalize_model() -> None:
    assert normalize_model(" OpenAI/GPT-4o ") == "gpt-4o"
    assert normalize_model("bedrock/anthropic.claude-3-haiku-20240307-v1:0") == "claude-3-haiku-20240307-v1"


def test_cached_tokens_are_priced_at_their_own_rate_and_only_once() -> None:
    # 1000 fresh input + 9000 cache-read + 500 output on gpt-4o (2.5 / 1.25 / 10 per MTok)
    usage = Usage(inputTokens=1000, cacheReadTokens=9000, outputTokens=500, reasoningTokens=200)
    nanos = price_call("gpt-4o", usage, built_in_prices())
    expected_usd = Decimal("0.0025") + Decimal("0.01125") + Decimal("0.005")  # reasoning is inside output
    assert nanos == int(expected_usd * 1_000_000_000)


def test_cache_writes_default_to_the_input_price() -> None:
    price = Price(inputPerMTok=Decimal(2), outputPerMTok=Decimal(4))
    assert price_call("mine", Usage(cacheWriteTokens=1_000_000), {"mine": price}) == 2_000_000_000


def test_unknown_model_costs_null_never_zero_and_no_usage_costs_zero() -> None:
    assert price_call("llama-3-70b", Usage(inputTokens=10), built_in_prices()) is None
    assert price_call(None, Usage(inputTokens=10), built_in_prices()) is None
    assert price_call("llama-3-70b", Usage(), built_in_prices()) == 0


def test_org_overrides_win_and_add_models() -> None:
    prices = price_table(
        {
            "gpt-4o": Price(inputPerMTok=Decimal(1), outputPerMTok=Decimal(1)),
            "llama-3": Price(inputPerMTok=Decimal("0.2"), outputPerMTok=Decimal("0.2")),
        }
    )
    assert price_call("gpt-4o", Usage(inputTokens=1_000_000), prices) == 1_000_000_000
    assert price_call("llama-3-70b", Usage(outputTokens=1_000_000), prices) == 200_000_000


def test_usd_conversion_is_exact() -> None:
    assert nanos_from_usd(0.000123) == 123_000
    assert usd(123_000) == 0.000123
    assert usd(None) is None
