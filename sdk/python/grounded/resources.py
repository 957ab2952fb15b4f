"""The API's resources for :class:`~grounded.Grounded`: each method builds one request and the
client runs it. ``_async_resources.py`` is generated from this file (``python
sdk/python/scripts/generate_async.py``) for :class:`~grounded.AsyncGrounded`: the same surface,
every call awaited — keep the two in step by editing this file and running the script."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from grounded import models as m

if TYPE_CHECKING:
    from grounded.client import Grounded

T = TypeVar("T")
M = TypeVar("M", bound=m.Model)


class _NotGiven:
    """A field left as it is by an update (``None`` clears it: ``update(description=None)``)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Any = _NotGiven()


def _body(**fields: Any) -> dict[str, Any]:
    """camelCase keys, ``None`` left out (for creates: not given)."""
    from pydantic.alias_generators import to_camel

    return {to_camel(key): value for key, value in fields.items() if value is not None and value is not NOT_GIVEN}


def _changes(**fields: Any) -> dict[str, Any]:
    """An update's body, camelCase: every field given is sent, ``None`` as null (it clears the
    field); :data:`NOT_GIVEN` ones are left out."""
    from pydantic.alias_generators import to_camel

    return {to_camel(key): value for key, value in fields.items() if value is not NOT_GIVEN}


def page_of(cast: type[M]) -> type[m.Page[M]]:
    """``Page[cast]``: a list's page of ``cast`` items."""
    return m.Page[cast]  # type: ignore[valid-type]


class _Resource:
    def __init__(self, client: Grounded):
        self._client = client

    def _call(self, method: str, path: str, cast: type[T], *, json: Any = None, params: Any = None) -> T:
        return self._client._call(method, path, cast, json=json, params=params)

    def _send(self, method: str, path: str, *, json: Any = None, pick: tuple[str, Any] | None = None) -> Any:
        """A request whose answer is not one model (or is nothing); ``pick`` takes a list out of it."""
        return self._client._call(method, path, None, json=json, pick=pick)

    def _list(self, path: str, cast: type[M], params: dict[str, Any]) -> m.Page[M]:
        return self._call("GET", path, page_of(cast), params=params)

    def _iter(self, path: str, cast: type[M], params: dict[str, Any]) -> Iterator[M]:
        return self._client._paginate(path, cast, params)


class Snapshots(_Resource):
    def create(
        self,
        agent_id: str,
        *,
        label: str,
        model_id: str,
        system_prompt: str = "",
        tools: list[dict[str, Any]] | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> m.Snapshot:
        body = _body(label=label, model_id=model_id, system_prompt=system_prompt, tools=tools, parameters=parameters)
        return self._call("POST", f"agents/{agent_id}/snapshots", m.Snapshot, json=body)

    def list(self, agent_id: str, *, limit: int | None = None, cursor: str | None = None) -> m.Page[m.Snapshot]:
        return self._list(f"agents/{agent_id}/snapshots", m.Snapshot, {"limit": limit, "cursor": cursor})

    def get(self, snapshot_id: str) -> m.Snapshot:
        return self._call("GET", f"snapshots/{snapshot_id}", m.Snapshot)


class Agents(_Resource):
    def __init__(self, client: Grounded):
        super().__init__(client)
        self.snapshots = Snapshots(client)

    def create(self, *, name: str, description: str | None = None, drift_threshold: float | None = None) -> m.Agent:
        body = _body(name=name, description=description, drift_threshold=drift_threshold)
        return self._call("POST", "agents", m.Agent, json=body)

    def get(self, agent_id: str) -> m.Agent:
        return self._call("GET", f"agents/{agent_id}", m.Agent)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> m.Page[m.Agent]:
        return self._list("agents", m.Agent, {"limit": limit, "cursor": cursor})

    def iter(self, **params: Any) -> Iterator[m.Agent]:
        return self._iter("agents", m.Agent, params)

    def update(self, agent_id: str, **fields: Any) -> m.Agent:
        return self._call("PATCH", f"agents/{agent_id}", m.Agent, json=_changes(**fields))

    def delete(self, agent_id: str) -> None:
        self._send("DELETE", f"agents/{agent_id}")

    def set_baseline(self, agent_id: str, snapshot_id: str) -> m.Agent:
        return self._call("PUT", f"agents/{agent_id}/baseline", m.Agent, json={"snapshotId": snapshot_id})


class Traces(_Resource):
    def send(self, trace: dict[str, Any]) -> m.Accepted:
        return self._call("POST", "traces", m.Accepted, json=trace)

    def send_batch(self, traces: list[dict[str, Any]]) -> m.BatchResult:
        return self._call("POST", "traces/batch", m.BatchResult, json={"traces": traces})

    def get(self, trace_id: str) -> m.Trace:
        return self._call("GET", f"traces/{trace_id}", m.Trace)

    def list(
        self,
        *,
        agent_id: str | None = None,
        session_id: str | None = None,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> m.Page[m.Trace]:
        params = {
            "agentId": agent_id,
            "sessionId": session_id,
            "status": status,
            "from": since,
            "to": until,
            "limit": limit,
            "cursor": cursor,
        }
        return self._list("traces", m.Trace, params)

    def iter(self, *, agent_id: str | None = None, session_id: str | None = None) -> Iterator[m.Trace]:
        return self._iter("traces", m.Trace, {"agentId": agent_id, "sessionId": session_id})

    def search(self, *, status: str | None = None, **filters: Any) -> m.Page[m.Trace]:
        """Traces of the window (default: the last 7 days) matching every filter given: ``q`` (text),
        ``metadata={key: value}``, ``tag``, ``model`` (``gpt-4o*`` by prefix), ``min_cost_usd`` /
        ``max_cost_usd``, ``min_latency_ms`` / ``max_latency_ms``, ``score_name`` with ``min_score``
        / ``max_score``; ``agent_id``, ``since``, ``until``, ``limit``, ``cursor``. A page may be
        short: go on with its ``next_cursor``."""
        return self._list("traces", m.Trace, {**_search_params(**filters), "status": status})


def _search_params(
    *,
    q: str | None = None,
    metadata: dict[str, str] | None = None,
    tag: str | None = None,
    model: str | None = None,
    min_cost_usd: float | None = None,
    max_cost_usd: float | None = None,
    min_latency_ms: float | None = None,
    max_latency_ms: float | None = None,
    score_name: str | None = None,
    min_score: float | None = None,
    max_score: float | None = None,
    agent_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    params = {
        "q": q, "tag": tag, "model": model, "minCostUsd": min_cost_usd, "maxCostUsd": max_cost_usd,
        "minLatencyMs": min_latency_ms, "maxLatencyMs": max_latency_ms, "scoreName": score_name,
        "minScore": min_score, "maxScore": max_score, "agentId": agent_id, "from": since, "to": until,
        "limit": limit, "cursor": cursor,
    }  # fmt: skip
    return {**params, **{f"metadata.{key}": value for key, value in (metadata or {}).items()}}


class Sessions(_Resource):
    def create(
        self,
        *,
        agent_id: str,
        external_id: str | None = None,
        user_id: str | None = None,
        anonymous_id: str | None = None,
        snapshot_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> m.Session:
        body = _body(
            agent_id=agent_id,
            external_id=external_id,
            user_id=user_id,
            anonymous_id=anonymous_id,
            snapshot_id=snapshot_id,
            metadata=metadata,
        )
        return self._call("POST", "sessions", m.Session, json=body)

    def get(self, session_id: str) -> m.Session:
        return self._call("GET", f"sessions/{session_id}", m.Session)

    def list(
        self, *, agent_id: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> m.Page[m.Session]:
        return self._list("sessions", m.Session, {"agentId": agent_id, "limit": limit, "cursor": cursor})

    def iter(self, *, agent_id: str | None = None) -> Iterator[m.Session]:
        return self._iter("sessions", m.Session, {"agentId": agent_id})

    def search(self, **filters: Any) -> m.Page[m.Session]:
        """The sessions of the traces that match (the filters of :meth:`Traces.search`)."""
        return self._list("sessions", m.Session, _search_params(**filters))

    def timeline(self, session_id: str) -> m.Page[m.TimelineEntry]:
        return self._list(f"sessions/{session_id}/timeline", m.TimelineEntry, {})

    def add_turn(self, session_id: str, *, role: str, content: str, **fields: Any) -> m.Turn:
        return self._call(
            "POST", f"sessions/{session_id}/turns", m.Turn, json=_body(role=role, content=content, **fields)
        )

    def end(self, session_id: str) -> m.Session:
        return self._call("POST", f"sessions/{session_id}/end", m.Session)

    def delete(self, session_id: str) -> None:
        self._send("DELETE", f"sessions/{session_id}")


class Telemetry(_Resource):
    def send(self, events: list[dict[str, Any]]) -> m.BatchResult:
        return self._call("POST", "telemetry", m.BatchResult, json={"events": events})


class Connectors(_Resource):
    def create(
        self,
        *,
        agent_id: str,
        name: str,
        provider: str,
        config: dict[str, Any],
        category: str | None = None,
        schedule: dict[str, Any] | None = None,
    ) -> m.Connector:
        category = category or {"langsmith": "llm-tracing", "fullstory": "session-data"}.get(provider)
        body = _body(
            agent_id=agent_id, name=name, provider=provider, category=category, config=config, schedule=schedule
        )
        return self._call("POST", "connectors", m.Connector, json=body)

    def list(
        self,
        *,
        agent_id: str | None = None,
        provider: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> m.Page[m.Connector]:
        params = {"agentId": agent_id, "provider": provider, "limit": limit, "cursor": cursor}
        return self._list("connectors", m.Connector, params)

    def get(self, connector_id: str) -> m.Connector:
        return self._call("GET", f"connectors/{connector_id}", m.Connector)

    def update(
        self,
        connector_id: str,
        *,
        name: str = NOT_GIVEN,
        config: dict[str, Any] = NOT_GIVEN,
        schedule: dict[str, Any] | None = NOT_GIVEN,
    ) -> m.Connector:
        body = _changes(name=name, config=config, schedule=schedule)
        return self._call("PATCH", f"connectors/{connector_id}", m.Connector, json=body)

    def connect(self, connector_id: str, *, config: dict[str, Any] | None = None) -> m.ConnectResult:
        return self._call("POST", f"connectors/{connector_id}/connect", m.ConnectResult, json=_body(config=config))

    def disconnect(self, connector_id: str) -> m.Connector:
        return self._call("POST", f"connectors/{connector_id}/disconnect", m.Connector)

    def sync(self, connector_id: str, *, since: str | None = None, until: str | None = None) -> m.Job:
        body = {key: value for key, value in (("from", since), ("to", until)) if value}
        return self._call("POST", f"connectors/{connector_id}/sync", m.Job, json=body)

    def delete(self, connector_id: str) -> None:
        self._send("DELETE", f"connectors/{connector_id}")


class Jobs(_Resource):
    def list(
        self,
        *,
        type: str | None = None,
        status: str | None = None,
        connector_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> m.Page[m.Job]:
        params = {"type": type, "status": status, "connectorId": connector_id, "limit": limit, "cursor": cursor}
        return self._list("jobs", m.Job, params)

    def get(self, job_id: str) -> m.Job:
        return self._call("GET", f"jobs/{job_id}", m.Job)

    def cancel(self, job_id: str) -> m.Job:
        return self._call("POST", f"jobs/{job_id}/cancel", m.Job)

    def wait(self, job_id: str, *, timeout: float = 300.0, poll_interval: float = 0.5) -> m.Job:
        """Poll (with backoff) until the job ends; ``GroundedJobError`` if it failed or was
        cancelled, ``GroundedTimeoutError`` when ``timeout`` seconds pass first."""
        return self._client._wait_job(job_id, timeout, poll_interval)


class Evals(_Resource):
    def create_suite(self, *, agent_id: str, name: str, description: str | None = None) -> m.Suite:
        return self._call(
            "POST", "evals/suites", m.Suite, json=_body(agent_id=agent_id, name=name, description=description)
        )

    def get_suite(self, suite_id: str) -> m.Suite:
        return self._call("GET", f"evals/suites/{suite_id}", m.Suite)

    def list_suites(
        self, *, agent_id: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> m.Page[m.Suite]:
        return self._list("evals/suites", m.Suite, {"agentId": agent_id, "limit": limit, "cursor": cursor})

    def update_suite(self, suite_id: str, **fields: Any) -> m.Suite:
        return self._call("PATCH", f"evals/suites/{suite_id}", m.Suite, json=_changes(**fields))

    def delete_suite(self, suite_id: str) -> None:
        self._send("DELETE", f"evals/suites/{suite_id}")

    def add_cases(self, suite_id: str, cases: list[dict[str, Any]]) -> Any:
        return self._send("POST", f"evals/suites/{suite_id}/cases", json={"cases": cases}, pick=("cases", m.Case))

    def add_case_from_trace(
        self,
        suite_id: str,
        *,
        trace_id: str,
        turn_id: str | None = None,
        expected_output: bool = False,
        assertions: list[dict[str, Any]] | None = None,
        name: str | None = None,
        tags: list[str] | None = None,
    ) -> m.Case:
        """A case made of a production trace (or, with ``turn_id``, one exchange of it), linked back
        to it; ``expected_output`` keeps what the agent answered as the expected output."""
        body = _body(
            trace_id=trace_id, turn_id=turn_id, expected="output" if expected_output else None,
            assertions=assertions, name=name, tags=tags,
        )  # fmt: skip
        return self._call("POST", f"evals/suites/{suite_id}/cases/from-trace", m.Case, json=body)

    def list_cases(self, suite_id: str, *, limit: int | None = None, cursor: str | None = None) -> m.Page[m.Case]:
        return self._list(f"evals/suites/{suite_id}/cases", m.Case, {"limit": limit, "cursor": cursor})

    def update_case(self, case_id: str, **fields: Any) -> m.Case:
        return self._call("PATCH", f"evals/cases/{case_id}", m.Case, json=_changes(**fields))

    def delete_case(self, case_id: str) -> None:
        self._send("DELETE", f"evals/cases/{case_id}")

    def templates(self) -> Any:
        return self._send("GET", "evals/templates", pick=("items", m.Template))

    def import_template(self, suite_id: str, template_id: str) -> Any:
        return self._send("POST", f"evals/suites/{suite_id}/import", json={"templateId": template_id})

    def create_run(
        self,
        *,
        suite_id: str,
        mode: str = "submit",
        snapshot_id: str | None = None,
        target: dict[str, Any] | None = None,
        timeout_seconds: int | None = None,
    ) -> m.Run:
        body = _body(
            suite_id=suite_id, mode=mode, snapshot_id=snapshot_id, target=target, timeout_seconds=timeout_seconds
        )
        return self._call("POST", "evals/runs", m.Run, json=body)

    def get_run(self, run_id: str) -> m.Run:
        return self._call("GET", f"evals/runs/{run_id}", m.Run)

    def list_runs(
        self,
        *,
        suite_id: str | None = None,
        agent_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> m.Page[m.Run]:
        params = {"suiteId": suite_id, "agentId": agent_id, "status": status, "limit": limit, "cursor": cursor}
        return self._list("evals/runs", m.Run, params)

    def submit_results(self, run_id: str, results: list[dict[str, Any]]) -> m.SubmitAnswer:
        return self._call("POST", f"evals/runs/{run_id}/results", m.SubmitAnswer, json={"results": results})

    def results(self, run_id: str, *, limit: int | None = None, cursor: str | None = None) -> m.Page[m.Result]:
        return self._list(f"evals/runs/{run_id}/results", m.Result, {"limit": limit, "cursor": cursor})

    def cancel_run(self, run_id: str) -> m.Run:
        return self._call("POST", f"evals/runs/{run_id}/cancel", m.Run)

    def compare(self, run_id: str, other_run_id: str) -> m.Comparison:
        return self._call("GET", f"evals/runs/{run_id}/compare/{other_run_id}", m.Comparison)

    def wait_for_completion(self, run_id: str, *, timeout_seconds: float = 300.0, poll_interval: float = 0.5) -> m.Run:
        """Poll until the run leaves RUNNING (any end: COMPLETED, FAILED, CANCELLED)."""
        return self._client._wait_run(run_id, timeout_seconds, poll_interval)


class Drift(_Resource):
    def check(self, agent_id: str, snapshot_id: str) -> m.DriftReport:
        return self._call("POST", f"agents/{agent_id}/drift", m.DriftReport, json={"snapshotId": snapshot_id})

    def list(
        self,
        *,
        agent_id: str | None = None,
        severity: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> m.Page[m.DriftReport]:
        params = {"agentId": agent_id, "severity": severity, "limit": limit, "cursor": cursor}
        return self._list("drift/reports", m.DriftReport, params)

    def get(self, report_id: str) -> m.DriftReport:
        return self._call("GET", f"drift/reports/{report_id}", m.DriftReport)


class Analytics(_Resource):
    def overview(
        self, *, since: str | None = None, until: str | None = None, agent_id: str | None = None
    ) -> m.Overview:
        return self._call(
            "GET", "analytics/overview", m.Overview, params={"from": since, "to": until, "agentId": agent_id}
        )


class Pricing(_Resource):
    def list(self) -> Any:
        return self._send("GET", "pricing")

    def set(
        self,
        model_prefix: str,
        *,
        input_per_mtok: float,
        output_per_mtok: float,
        cache_read_per_mtok: float | None = None,
        cache_write_per_mtok: float | None = None,
    ) -> Any:
        rates = {
            "inputPerMTok": input_per_mtok,
            "outputPerMTok": output_per_mtok,
            "cacheReadPerMTok": cache_read_per_mtok,
            "cacheWritePerMTok": cache_write_per_mtok,
        }
        return self._send("PUT", f"pricing/{model_prefix}", json={k: v for k, v in rates.items() if v is not None})

    def delete(self, model_prefix: str) -> None:
        self._send("DELETE", f"pricing/{model_prefix}")


class Policies(_Resource):
    def create(self, *, agent_id: str, limit: int, window_seconds: int, per: str = "agent") -> m.Policy:
        body = _body(agent_id=agent_id, type="rate_limit", limit=limit, window_seconds=window_seconds, per=per)
        return self._call("POST", "policies", m.Policy, json=body)

    def list(self, *, agent_id: str | None = None) -> m.Page[m.Policy]:
        return self._list("policies", m.Policy, {"agentId": agent_id})

    def get(self, policy_id: str) -> m.Policy:
        return self._call("GET", f"policies/{policy_id}", m.Policy)

    def update(self, policy_id: str, **fields: Any) -> m.Policy:
        return self._call("PATCH", f"policies/{policy_id}", m.Policy, json=_changes(**fields))

    def delete(self, policy_id: str) -> None:
        self._send("DELETE", f"policies/{policy_id}")


class Scores(_Resource):
    def create(
        self,
        *,
        name: str,
        value: bool | float | str,
        trace_id: str | None = None,
        span_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
        case_id: str | None = None,
        comment: str | None = None,
        source: str = "sdk",
        score_id: str | None = None,
    ) -> m.Score:
        """Score a trace (or one of its spans: ``span_id`` with ``trace_id``), a session, or an eval
        result (``run_id`` and ``case_id``). ``score_id`` makes it idempotent: sent again, the same
        score; with another value or comment, they replace the first."""
        body = _body(
            id=score_id, name=name, value=value, trace_id=trace_id, span_id=span_id, session_id=session_id,
            run_id=run_id, case_id=case_id, comment=comment, source=source,
        )  # fmt: skip
        return self._call("POST", "scores", m.Score, json=body)

    def list(
        self,
        *,
        trace_id: str | None = None,
        span_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
        case_id: str | None = None,
        name: str | None = None,
        source: str | None = None,
        agent_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> m.Page[m.Score]:
        """A target's scores, or (by ``name``) an org's scores of one name, newest first."""
        params = {
            "traceId": trace_id, "spanId": span_id, "sessionId": session_id, "runId": run_id, "caseId": case_id,
            "name": name, "source": source, "agentId": agent_id, "from": since, "to": until, "limit": limit,
            "cursor": cursor,
        }  # fmt: skip
        return self._list("scores", m.Score, params)


class Providers(_Resource):
    """The org's model providers for LLM judges (``judge`` assertions, online evaluators)."""

    def put(self, name: str, *, base_url: str, default_model: str, api_key: str | None = None) -> m.Provider:
        """Create or change one; ``api_key`` is required the first time and never shown again."""
        body = _body(base_url=base_url, default_model=default_model, api_key=api_key)
        return self._call("PUT", f"providers/{name}", m.Provider, json=body)

    def get(self, name: str) -> m.Provider:
        return self._call("GET", f"providers/{name}", m.Provider)

    def list(self) -> Any:
        return self._send("GET", "providers", pick=("items", m.Provider))

    def delete(self, name: str) -> None:
        self._send("DELETE", f"providers/{name}")


class Evaluators(_Resource):
    """Online evaluators: an LLM judge scores a sample of an agent's new traces."""

    def create(
        self,
        *,
        agent_id: str,
        name: str,
        rubric: str,
        sampling_rate: float = 0.1,
        model: str | None = None,
        provider: str | None = None,
        enabled: bool = True,
    ) -> m.Evaluator:
        body = _body(agent_id=agent_id, name=name, rubric=rubric, sampling_rate=sampling_rate, model=model,
                     provider=provider, enabled=enabled)  # fmt: skip
        return self._call("POST", "evaluators", m.Evaluator, json=body)

    def list(self, *, agent_id: str | None = None) -> m.Page[m.Evaluator]:
        return self._list("evaluators", m.Evaluator, {"agentId": agent_id})

    def get(self, evaluator_id: str) -> m.Evaluator:
        return self._call("GET", f"evaluators/{evaluator_id}", m.Evaluator)

    def update(self, evaluator_id: str, **fields: Any) -> m.Evaluator:
        return self._call("PATCH", f"evaluators/{evaluator_id}", m.Evaluator, json=_changes(**fields))

    def delete(self, evaluator_id: str) -> None:
        self._send("DELETE", f"evaluators/{evaluator_id}")


class Alerts(_Resource):
    """Alert rules per agent, delivered to a signed webhook and/or by email."""

    def create(
        self,
        *,
        agent_id: str,
        name: str,
        condition: dict[str, Any],
        webhook_url: str | None = None,
        emails: list[str] | None = None,
        enabled: bool = True,
    ) -> m.Alert:
        """``condition``: ``{"metric": "error_rate" | "cost_usd" | "eval_pass_rate" | "drift_reports"
        | "insights", "above" | "below": number, "window": "1d".."30d"}``. The answer's
        ``signing_secret`` verifies the webhook's ``Grounded-Signature``; it is shown this once."""
        body = _body(agent_id=agent_id, name=name, condition=condition, webhook_url=webhook_url, emails=emails,
                     enabled=enabled)  # fmt: skip
        return self._call("POST", "alerts", m.Alert, json=body)

    def list(self, *, agent_id: str | None = None) -> m.Page[m.Alert]:
        return self._list("alerts", m.Alert, {"agentId": agent_id})

    def get(self, alert_id: str) -> m.Alert:
        return self._call("GET", f"alerts/{alert_id}", m.Alert)

    def update(self, alert_id: str, **fields: Any) -> m.Alert:
        return self._call("PATCH", f"alerts/{alert_id}", m.Alert, json=_changes(**fields))

    def delete(self, alert_id: str) -> None:
        self._send("DELETE", f"alerts/{alert_id}")

    def deliveries(self, alert_id: str, *, limit: int | None = None, cursor: str | None = None) -> m.Page[m.Delivery]:
        return self._list(f"alerts/{alert_id}/deliveries", m.Delivery, {"limit": limit, "cursor": cursor})

    def test(self, alert_id: str) -> Any:
        """A test delivery to each of the alert's channels."""
        return self._send("POST", f"alerts/{alert_id}/test", pick=("items", m.Delivery))


class Keys(_Resource):
    def create(
        self,
        *,
        name: str,
        kind: str = "secret",
        scopes: list[str] | None = None,
        agent_id: str | None = None,
        expires_at: str | None = None,
    ) -> m.ApiKey:
        body = _body(name=name, kind=kind, scopes=scopes, agent_id=agent_id, expires_at=expires_at)
        return self._call("POST", "keys", m.ApiKey, json=body)

    def list(self) -> m.Page[m.ApiKey]:
        return self._list("keys", m.ApiKey, {})

    def revoke(self, key_id: str) -> m.ApiKey:
        return self._call("DELETE", f"keys/{key_id}", m.ApiKey)

    def rotate(self, key_id: str) -> m.ApiKey:
        return self._call("POST", f"keys/{key_id}/rotate", m.ApiKey)


class Auth(_Resource):
    """A user's own account. ``log_in`` needs no credential; the rest act as the user whose token
    the client holds (``Grounded(api_key=<user token>)``), never as an API key."""

    def log_in(self, *, email: str, password: str) -> m.AuthSession:
        return self._call("POST", "auth/login", m.AuthSession, json=_body(email=email, password=password))

    def log_out_everywhere(self) -> None:
        """Every token of the user issued until now stops working (the client's own included)."""
        self._send("POST", "auth/logout-all")

    def change_password(self, *, current_password: str, new_password: str) -> m.AuthSession:
        """Signs out every earlier token; the answer carries a fresh one."""
        body = _body(current_password=current_password, new_password=new_password)
        return self._call("POST", "auth/password", m.AuthSession, json=body)

    def request_password_reset(self, *, email: str) -> None:
        """Mails a one-hour, single-use reset link if the address has an account (the answer is
        the same either way)."""
        self._send("POST", "auth/password-reset", json=_body(email=email))

    def delete_account(self, *, password: str) -> None:
        """Deletes the user and their memberships (refused while they are an org's last OWNER);
        every token of theirs stops working."""
        self._send("DELETE", "me", json=_body(password=password))

    def reset_password(self, *, token: str, password: str) -> m.AuthSession:
        """Sets the password with the mailed token; every earlier token is signed out."""
        return self._call(
            "POST", "auth/password-reset/confirm", m.AuthSession, json=_body(token=token, password=password)
        )


class Org(_Resource):
    """The org the client acts in (a user token picks it with ``org_id`` on the client)."""

    def get(self) -> m.Org:
        return self._call("GET", "org", m.Org)

    def update(self, *, name: Any = NOT_GIVEN, slug: Any = NOT_GIVEN, retention_days: Any = NOT_GIVEN) -> m.Org:
        """``retention_days=None`` keeps everything forever; a change starts a job re-stamping what
        is stored (``retention_job_id``: follow it with ``jobs.wait``)."""
        return self._call("PATCH", "org", m.Org, json=_changes(name=name, slug=slug, retention_days=retention_days))

    def delete(self, *, confirm: str) -> m.Job:
        """OWNER only, ``confirm`` is the org's slug. Keys and members are cut off at once; the job
        erases everything else (and itself, last: it cannot be followed to the end)."""
        return self._call("DELETE", "org", m.Job, json=_body(confirm=confirm))


class Insights(_Resource):
    def list(
        self,
        *,
        agent_id: str | None = None,
        rule: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> m.Page[m.Insight]:
        return self._list("insights", m.Insight, {"agentId": agent_id, "rule": rule, "limit": limit, "cursor": cursor})
