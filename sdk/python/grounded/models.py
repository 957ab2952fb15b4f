"""Response models. Lenient on purpose: fields a newer server adds are kept (``extra="allow"``)
and reachable as attributes, so an older SDK keeps working."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")


M = TypeVar("M", bound=Model)


class Page(BaseModel, Generic[M]):
    model_config = ConfigDict(populate_by_name=True)

    items: list[M]
    next_cursor: str | None = Field(None, alias="nextCursor")


class Agent(Model):
    id: str
    name: str
    description: str | None = None
    drift_threshold: float = 0.1
    baseline_snapshot_id: str | None = None
    created_at: str


class Snapshot(Model):
    id: str
    agent_id: str
    label: str
    system_prompt: str = ""
    model_id: str
    tools: list[dict[str, Any]] = []
    parameters: dict[str, Any] = {}
    created_at: str


class Accepted(Model):
    trace_id: str | None = None
    status: str = "accepted"


class ItemResult(Model):
    index: int
    status: str
    trace_id: str | None = None
    event_id: str | None = None
    error: str | None = None
    code: str | None = None
    http_status: int | None = None
    retry_after_seconds: int | None = None


class BatchResult(Model):
    results: list[ItemResult]

    @property
    def rejected(self) -> list[ItemResult]:
        return [result for result in self.results if result.status != "accepted"]


class Trace(Model):
    id: str
    agent_id: str
    session_id: str | None = None
    started_at: str
    normalization: dict[str, Any] = {}
    spans: list[dict[str, Any]] = []


class Session(Model):
    id: str
    agent_id: str
    external_id: str | None = None
    user_id: str | None = None
    anonymous_id: str | None = None
    started_at: str
    turns: int = 0
    traces: int = 0
    events: int = 0
    cost_usd: float | None = None


class TimelineEntry(Model):
    kind: str
    timestamp: str
    data: dict[str, Any] = {}


class Turn(Model):
    id: str
    role: str
    content: str
    cost_usd: float | None = None


class Job(Model):
    id: str
    type: str
    status: str
    progress: dict[str, Any] = {}
    result: dict[str, Any] | None = None
    error: str | None = None
    params: dict[str, Any] | None = None
    connector_id: str | None = None


class Connector(Model):
    id: str
    agent_id: str
    name: str
    provider: str
    category: str
    status: str
    config: dict[str, Any] = {}


class ConnectResult(Model):
    connector: Connector
    job: Job


class Suite(Model):
    id: str
    agent_id: str
    name: str


class Case(Model):
    id: str
    suite_id: str
    input: Any = None
    expected: Any = None
    assertions: list[dict[str, Any]] = []
    #: the production trace it was made of: ``{"traceId", "turnId", "sessionId", "agentId"}``
    source: dict[str, Any] | None = None


class Template(Model):
    id: str
    name: str
    description: str
    cases: list[dict[str, Any]] = []


class Run(Model):
    id: str
    suite_id: str
    status: str
    mode: str
    total: int
    passed: int = 0
    failed: int = 0
    errored: int = 0
    pass_rate: float | None = None
    reason: str | None = None


class Result(Model):
    case_id: str
    verdict: str
    assertions: list[dict[str, Any]] = []


class SubmitAnswer(Model):
    run: Run
    results: list[Result]


class Comparison(Model):
    regressions: list[dict[str, Any]]
    fixes: list[dict[str, Any]]
    unchanged: int


class DriftReport(Model):
    id: str
    agent_id: str
    snapshot_id: str
    score: float
    severity: str | None = None
    stored: bool = True
    explanation: list[str] = []


class Overview(Model):
    days: list[str]
    series: dict[str, Any]
    totals: dict[str, Any]


class Price(Model):
    model_prefix: str | None = None


class Policy(Model):
    id: str
    agent_id: str
    limit: int
    window_seconds: int
    per: str


class Score(Model):
    id: str
    name: str
    value: bool | float | str
    data_type: str
    source: str
    target: str
    agent_id: str
    comment: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    session_id: str | None = None
    run_id: str | None = None
    case_id: str | None = None
    created_at: str
    version: int = 0


class Provider(Model):
    name: str
    base_url: str
    default_model: str
    has_api_key: bool = True


class Evaluator(Model):
    id: str
    agent_id: str
    name: str
    rubric: str
    sampling_rate: float
    enabled: bool = True
    model: str | None = None
    provider: str = "default"


class Alert(Model):
    id: str
    agent_id: str
    name: str
    condition: dict[str, Any]
    webhook_url: str | None = None
    emails: list[str] = []
    enabled: bool = True
    state: str = "ok"
    last_value: float | None = None
    #: only in the answer that created it
    signing_secret: str | None = None


class Delivery(Model):
    id: str
    alert_id: str
    event: str
    channel: str
    status: str
    attempts: list[dict[str, Any]] = []


class ApiKey(Model):
    id: str
    name: str
    kind: str
    scopes: list[str] = []
    key: str | None = None  # only when created or rotated


class Org(Model):
    id: str
    name: str
    slug: str
    retention_days: int | None = None
    retention_job_id: str | None = None


class AuthSession(Model):
    """What logging in (or changing the password) answers: the user token and whom it is for."""

    token: str | None = None
    user: dict[str, Any]


class Insight(Model):
    id: str
    session_id: str
    rule: str
    reason: str
    link: str
