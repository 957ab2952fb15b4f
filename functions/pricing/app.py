"""The model price table and an org's overrides."""

from __future__ import annotations

from fastapi import Response

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.routes import Routes
from grounded_core.pagination import Page
from grounded_core.pricing import overrides
from grounded_core.pricing.overrides import PriceEntry
from grounded_core.pricing.table import Price

router = Routes(prefix="/api")


@router.get("/pricing", response_model=Page[PriceEntry])
async def list_prices(principal: Caller) -> Page[PriceEntry]:
    return Page(items=overrides.list_prices(principal.org_id), nextCursor=None)


@router.put("/pricing/{model_prefix}", response_model=PriceEntry)
async def set_price(model_prefix: str, price: Price, principal: Caller) -> PriceEntry:
    return overrides.set_override(principal.org_id, model_prefix, price)


@router.delete("/pricing/{model_prefix}", status_code=204)
async def remove_price(model_prefix: str, principal: Caller) -> Response:
    overrides.remove_override(principal.org_id, model_prefix)
    return Response(status_code=204)


app = make_app(router, title="Grounded pricing")
handler = make_handler(app)
