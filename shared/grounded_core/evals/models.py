"""Eval entities and what clients send."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from grounded_core.checks import check_base_url
from grounded_core.evals.assertions import Assertion, Checked, Outcome
from grounded_core.model import ApiModel, RequiredJson, StoredModel
from grounded_core.store import keys

RunStatus = Literal["RUNNING", "COMPLETED", "FAILED", "CANCELLED"]
RunMode = Literal["submit", "endpoint"]
MAX_CASES_PER_RUN = 2_000
MAX_CASES_PER_REQUEST = 500
DEFAULT_SUBMIT_TIMEOUT_SECONDS = 3_600


class SuiteCreate(ApiModel):
    agent_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2_000)


class SuitePatch(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2_000)


class Suite(StoredModel):
    id: str
    org_id: str
    agent_id: str
    name: str
    description: str | None = None
    created_at: str
    updated_at: str
    #: bumped by every change; a write is conditional on the version it read
    version: int = 0

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.suite(self.org_id, self.id),
            "SK": keys.SUITE_SK,
            "GSI1PK": keys.agent_partition(self.org_id, self.agent_id),
            "GSI1SK": keys.SUITE_PREFIX + self.created_at,
            "GSI2PK": keys.org_suites(self.org_id),
            "GSI2SK": keys.SUITE_PREFIX + self.created_at,
        }


class CaseIn(ApiModel):
    name: str | None = Field(None, max_length=200)
    input: RequiredJson
    expected: Any = None
    assertions: list[Assertion] = Field(min_length=1, max_length=20)
    tags: list[str] = Field(default_factory=list, max_length=20)


class CaseBatch(ApiModel):
    cases: list[CaseIn] = Field(min_length=1, max_length=MAX_CASES_PER_REQUEST)


class CasePatch(ApiModel):
    name: str | None = Field(None, max_length=200)
    input: Any = None
    expected: Any = None
    assertions: list[Assertion] | None = Field(None, min_length=1, max_length=20)
    tags: list[str] | None = Field(None, max_length=20)


class CaseSource(ApiModel):
    """Where a case came from in production: the trace (and the turn) it was made of."""

    trace_id: str
    turn_id: str | None = None
    session_id: str | None = None
    agent_id: str | None = None


class CaseFromTrace(ApiModel):
    """A case made of a production trace: its input (or, with ``turnId``, that turn's user message)
    and, with ``expected: "output"``, what the agent answered as the expected output."""

    trace_id: str = Field(min_length=1, max_length=128)
    turn_id: str | None = Field(None, min_length=1, max_length=128)
    expected: Literal["output"] | None = None
    name: str | None = Field(None, max_length=200)
    #: what a run checks; default with ``expected``: the output equals it (text: ignoring case)
    assertions: list[Assertion] | None = Field(None, min_length=1, max_length=20)
    tags: list[str] = Field(default_factory=list, max_length=20)


class TemplateImport(StoredModel):
    """A template imported into a suite: put-if-absent makes a second import a 409."""

    org_id: str
    suite_id: str
    template_id: str
    imported_at: str

    def keys(self) -> dict[str, str]:
        return {"PK": keys.suite(self.org_id, self.suite_id), "SK": keys.template_marker(self.template_id)}


class Case(StoredModel):
    id: str
    org_id: str
    suite_id: str
    name: str | None = None
    input: RequiredJson
    expected: Any = None
    assertions: list[Assertion]
    tags: list[str] = Field(default_factory=list)
    template_id: str | None = None
    #: the production trace it was made of, when it was
    source: CaseSource | None = None
    created_at: str
    #: bumped by every change; a write is conditional on the version it read
    version: int = 0

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.suite(self.org_id, self.suite_id),
            "SK": keys.case(self.id),
            "GSI2PK": keys.case_lookup(self.org_id, self.id),
            "GSI2SK": keys.CASE_SK,
        }


class Target(ApiModel):
    url: str = Field(max_length=2_000)
    headers: dict[str, str] = Field(default_factory=dict, max_length=20)
    timeout_ms: int = Field(30_000, ge=100, le=120_000)

    @field_validator("url")
    @classmethod
    def _safe(cls, value: str) -> str:
        return str(check_base_url(value))


class RunCreate(ApiModel):
    suite_id: str = Field(min_length=1, max_length=64)
    snapshot_id: str | None = Field(None, max_length=64)
    mode: RunMode = "submit"
    target: Target | None = None
    #: submit mode: how long the run waits for results before it fails
    timeout_seconds: int = Field(DEFAULT_SUBMIT_TIMEOUT_SECONDS, ge=1, le=7 * 24 * 3_600)


class Run(StoredModel):
    id: str
    org_id: str
    suite_id: str
    agent_id: str
    snapshot_id: str | None = None
    mode: RunMode
    #: the target's URL and timeout, and its header names (values are write-only)
    target: dict[str, Any] | None = None
    status: RunStatus = "RUNNING"
    total: int
    passed: int = 0
    failed: int = 0
    errored: int = 0
    pass_rate: float | None = None
    reason: str | None = None
    timeout_seconds: int | None = None
    started_at: str
    completed_at: str | None = None

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.run(self.org_id, self.id),
            "SK": keys.RUN_SK,
            "GSI1PK": keys.suite(self.org_id, self.suite_id),
            "GSI1SK": keys.RUN_PREFIX + self.started_at,
            "GSI2PK": keys.org_runs(self.org_id),
            "GSI2SK": keys.RUN_PREFIX + self.started_at,
        }


class ResultIn(ApiModel):
    case_id: str = Field(min_length=1, max_length=64)
    output: Any
    latency_ms: float | None = Field(None, ge=0)
    metadata: dict[str, Any] = Field(default_factory=dict)


class ResultBatch(ApiModel):
    results: list[ResultIn] = Field(min_length=1, max_length=MAX_CASES_PER_REQUEST)


class Result(StoredModel):
    run_id: str
    org_id: str
    case_id: str
    case_name: str | None = None
    verdict: Outcome
    assertions: list[Checked]
    output: Any = None
    latency_ms: float | None = None
    error: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    recorded_at: str

    def keys(self) -> dict[str, str]:
        return {"PK": keys.run(self.org_id, self.run_id), "SK": keys.result(self.case_id)}


class Template(ApiModel):
    id: str
    name: str
    description: str
    cases: list[CaseIn]
