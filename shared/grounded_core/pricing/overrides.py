"""An org's price overrides (``PUT /api/pricing/{modelPrefix}``), and the table it prices with."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from grounded_core.errors import Invalid, NotFound
from grounded_core.model import ApiModel
from grounded_core.pricing.cost import normalize_model, price_table
from grounded_core.pricing.table import Price, built_in_prices
from grounded_core.store import keys, table

PREFIX = re.compile(r"^[a-z0-9][a-z0-9._\-]{0,99}$")
CACHE_SECONDS = 60.0

_cache: dict[str, tuple[float, dict[str, Price]]] = {}
_cache_lock = threading.Lock()


class PriceEntry(ApiModel):
    model_prefix: str
    source: str  # "built-in" or "org"
    input_per_m_tok: float
    output_per_m_tok: float
    cache_read_per_m_tok: float | None
    cache_write_per_m_tok: float | None


def _entry(prefix: str, price: Price, source: str) -> PriceEntry:
    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return PriceEntry(
        model_prefix=prefix,
        source=source,
        input_per_m_tok=float(price.input_per_m_tok),
        output_per_m_tok=float(price.output_per_m_tok),
        cache_read_per_m_tok=number(price.cache_read_per_m_tok),
        cache_write_per_m_tok=number(price.cache_write_per_m_tok),
    )


def org_overrides(org_id: str) -> dict[str, Price]:
    items = table.query_all(keys.org(org_id), keys.PRICE_PREFIX)
    return {item["modelPrefix"]: Price.model_validate(item["price"]) for item in items}


def prices_for(org_id: str) -> dict[str, Price]:
    """The org's price table, cached for a minute per container (overrides change rarely)."""
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(org_id)
    if cached and cached[0] > now:
        return cached[1]
    prices = price_table(org_overrides(org_id))
    with _cache_lock:
        _cache[org_id] = (now + CACHE_SECONDS, prices)
    return prices


def list_prices(org_id: str) -> list[PriceEntry]:
    overrides = org_overrides(org_id)
    entries = [
        _entry(prefix, price, "built-in") for prefix, price in built_in_prices().items() if prefix not in overrides
    ]
    entries += [_entry(prefix, price, "org") for prefix, price in overrides.items()]
    return sorted(entries, key=lambda entry: entry.model_prefix)


def check_prefix(model_prefix: str) -> str:
    prefix = normalize_model(model_prefix)
    if not PREFIX.match(prefix):
        raise Invalid(
            "A model prefix is a model name or the start of one.",
            details=[{"field": "modelPrefix", "message": "lower-case letters, digits, '.', '_' and '-', up to 100"}],
        )
    return prefix


def set_override(org_id: str, model_prefix: str, price: Price) -> PriceEntry:
    prefix = check_prefix(model_prefix)
    table.put(
        {
            "PK": keys.org(org_id),
            "SK": keys.price_override(prefix),
            "entity": "PriceOverride",
            "modelPrefix": prefix,
            "price": price.model_dump(mode="json", by_alias=True),
        }
    )
    with _cache_lock:
        _cache.pop(org_id, None)
    return _entry(prefix, price, "org")


def remove_override(org_id: str, model_prefix: str) -> None:
    prefix = check_prefix(model_prefix)
    if table.get(keys.org(org_id), keys.price_override(prefix)) is None:
        raise NotFound(f"No price override for {prefix}.")
    table.delete(keys.org(org_id), keys.price_override(prefix))
    with _cache_lock:
        _cache.pop(org_id, None)
