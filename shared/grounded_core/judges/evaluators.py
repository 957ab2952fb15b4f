"""Online evaluators: an LLM judge that scores a sample of an agent's production traces. Each
evaluator has a rubric, a sampling rate and the score name it writes (``source: "judge"``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from grounded_core.agents.service import get_agent
from grounded_core.clock import iso, utc_now
from grounded_core.errors import NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.judges import PROVIDER_NAME
from grounded_core.judges.providers import DEFAULT_PROVIDER
from grounded_core.model import ApiModel, StoredModel
from grounded_core.pagination import Page, PageRequest
from grounded_core.scores.models import NAME_PATTERN
from grounded_core.store import keys, table
from grounded_core.store.conditions import absent, matching
from grounded_core.store.listing import query_page
from grounded_core.store.versioned import update_versioned


class EvaluatorCreate(ApiModel):
    agent_id: str = Field(min_length=1, max_length=64)
    #: the score it writes on each trace it judges
    name: str = Field(pattern=NAME_PATTERN)
    rubric: str = Field(min_length=1, max_length=4_000)
    #: the share of the agent's new traces it judges (0 to 1)
    sampling_rate: float = Field(0.1, ge=0, le=1)
    model: str | None = Field(None, min_length=1, max_length=200)
    provider: str = Field(DEFAULT_PROVIDER, pattern=PROVIDER_NAME)
    enabled: bool = True


class EvaluatorPatch(ApiModel):
    rubric: str | None = Field(None, min_length=1, max_length=4_000)
    sampling_rate: float | None = Field(None, ge=0, le=1)
    model: str | None = Field(None, min_length=1, max_length=200)
    provider: str | None = Field(None, pattern=PROVIDER_NAME)
    enabled: bool | None = None


class Evaluator(StoredModel):
    id: str
    org_id: str
    agent_id: str
    name: str
    rubric: str
    sampling_rate: float
    model: str | None = None
    provider: str = DEFAULT_PROVIDER
    enabled: bool = True
    created_at: str
    updated_at: str
    version: int = 0

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.agent_partition(self.org_id, self.agent_id),
            "SK": keys.evaluator(self.id),
            "GSI1PK": keys.org(self.org_id),
            "GSI1SK": keys.evaluator(self.id),
        }

    @property
    def score_id(self) -> str:
        """The id of the score it writes on a trace: one per trace and evaluator."""
        return f"judge-{self.id}"


def create_evaluator(principal: Principal, request: EvaluatorCreate, now: datetime | None = None) -> Evaluator:
    get_agent(principal, request.agent_id)
    moment = iso(now or utc_now())
    made = Evaluator(
        id=new_id("evl"), org_id=principal.org_id, created_at=moment, updated_at=moment, **request.model_dump()
    )
    table.put(made.to_item(), when=absent())
    return made


def get_evaluator(principal: Principal, evaluator_id: str) -> Evaluator:
    found, _ = table.query(keys.org(principal.org_id), keys.evaluator(evaluator_id), index="GSI1", limit=1)
    if not found or found[0]["id"] != evaluator_id:
        raise NotFound(f"No evaluator {evaluator_id}.", code="evaluator_not_found")
    evaluator = Evaluator.from_item(found[0])
    principal.require_agent(evaluator.agent_id)
    return evaluator


def list_evaluators(principal: Principal, page: PageRequest, agent_id: str | None) -> Page[Evaluator]:
    where = matching(agentId=principal.agent_filter(agent_id))
    return query_page(Evaluator, page, keys.org(principal.org_id), keys.EVALUATOR_PREFIX, index="GSI1", where=where)


def update_evaluator(
    principal: Principal, evaluator_id: str, patch: EvaluatorPatch, now: datetime | None = None
) -> Evaluator:
    changes = {**patch.model_dump(exclude_unset=True), "updated_at": iso(now or utc_now())}
    return update_versioned(Evaluator, lambda: get_evaluator(principal, evaluator_id), lambda e: e.patched(changes))


def delete_evaluator(principal: Principal, evaluator_id: str) -> None:
    evaluator = get_evaluator(principal, evaluator_id)
    table.delete(keys.agent_partition(principal.org_id, evaluator.agent_id), keys.evaluator(evaluator.id))


def find_evaluator(org_id: str, agent_id: str, evaluator_id: str) -> Evaluator | None:
    item = table.get(keys.agent_partition(org_id, agent_id), keys.evaluator(evaluator_id))
    return Evaluator.from_item(item) if item else None
