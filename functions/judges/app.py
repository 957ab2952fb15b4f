"""LLM judges: the org's model providers (an OpenAI-compatible base URL, a default model and an API
key that is written here and never shown again), and online evaluators that judge a sample of an
agent's production traces."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.judges import evaluators, providers
from grounded_core.judges.evaluators import Evaluator, EvaluatorCreate, EvaluatorPatch
from grounded_core.judges.providers import Provider, ProviderIn
from grounded_core.model import ApiModel
from grounded_core.pagination import Page

router = Routes(prefix="/api")


class Providers(ApiModel):
    items: list[Provider]


@router.get("/providers", response_model=Providers)
async def list_providers(principal: Caller) -> Providers:
    return Providers(items=providers.list_providers(principal))


@router.put("/providers/{name}", response_model=Provider)
async def put_provider(name: str, request: ProviderIn, principal: Caller) -> Provider:
    return providers.put_provider(principal, name, request)


@router.get("/providers/{name}", response_model=Provider)
async def get_provider(name: str, principal: Caller) -> Provider:
    return providers.get_provider(principal, name)


@router.delete("/providers/{name}", status_code=204)
async def delete_provider(name: str, principal: Caller) -> Response:
    providers.delete_provider(principal, name)
    return Response(status_code=204)


@router.post("/evaluators", status_code=201, response_model=Evaluator)
async def create_evaluator(request: EvaluatorCreate, principal: Caller) -> Evaluator:
    return evaluators.create_evaluator(principal, request)


@router.get("/evaluators", response_model=Page[Evaluator])
async def list_evaluators(
    principal: Caller, page: Paging, agent_id: Annotated[str | None, Query(alias="agentId")] = None
) -> Page[Evaluator]:
    return evaluators.list_evaluators(principal, page, agent_id)


@router.get("/evaluators/{evaluator_id}", response_model=Evaluator)
async def get_evaluator(evaluator_id: str, principal: Caller) -> Evaluator:
    return evaluators.get_evaluator(principal, evaluator_id)


@router.patch("/evaluators/{evaluator_id}", response_model=Evaluator)
async def update_evaluator(evaluator_id: str, patch: EvaluatorPatch, principal: Caller) -> Evaluator:
    return evaluators.update_evaluator(principal, evaluator_id, patch)


@router.delete("/evaluators/{evaluator_id}", status_code=204)
async def delete_evaluator(evaluator_id: str, principal: Caller) -> Response:
    evaluators.delete_evaluator(principal, evaluator_id)
    return Response(status_code=204)


app = make_app(router, title="Grounded LLM judges")
handler = make_handler(app)
