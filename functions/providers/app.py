"""The org's model providers for LLM judges: an OpenAI-compatible base URL, a default model and an
API key that is written here and never shown again."""

from __future__ import annotations

from fastapi import APIRouter, Response

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.judges import providers
from grounded_core.judges.providers import Provider, ProviderIn
from grounded_core.model import ApiModel

router = APIRouter(prefix="/api")


class Providers(ApiModel):
    items: list[Provider]


@router.get("/providers", response_model=Providers)
def list_providers(principal: Caller) -> Providers:
    return Providers(items=providers.list_providers(principal))


@router.put("/providers/{name}", response_model=Provider)
def put_provider(name: str, request: ProviderIn, principal: Caller) -> Provider:
    return providers.put_provider(principal, name, request)


@router.get("/providers/{name}", response_model=Provider)
def get_provider(name: str, principal: Caller) -> Provider:
    return providers.get_provider(principal, name)


@router.delete("/providers/{name}", status_code=204)
def delete_provider(name: str, principal: Caller) -> Response:
    providers.delete_provider(principal, name)
    return Response(status_code=204)


app = make_app(router, title="Grounded model providers")
handler = make_handler(app)
