"""The clients: :class:`Grounded` (synchronous) and :class:`AsyncGrounded`, with the same resources."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar, overload

from pydantic import TypeAdapter

from grounded import _async_resources as async_resources
from grounded import resources
from grounded._http import DEFAULT_RETRIES, DEFAULT_TIMEOUT, AsyncTransport, Retrying, SyncTransport, api_root
from grounded.errors import GroundedJobError, GroundedTimeoutError
from grounded.models import Job, Model, Page, Run
from grounded.resources import page_of

T = TypeVar("T")
M = TypeVar("M", bound=Model)
JOB_ENDED = frozenset({"succeeded", "failed", "cancelled"})
MAX_POLL_SECONDS = 5.0


def _cast(cast: Any, body: Any, pick: tuple[str, Any] | None) -> Any:
    if pick is not None:
        key, model = pick
        return [model.model_validate(item) for item in (body or {}).get(key, [])]
    if cast is None or body is None:
        return body
    return TypeAdapter(cast).validate_python(body)


class _BaseClient:
    def __init__(self, api_key: str | None, base_url: str | None, timeout: float, max_retries: int):
        self.api_key = api_key or os.environ.get("GROUNDED_API_KEY")
        self.base_url = api_root(base_url)
        self.timeout = timeout
        self.retrying = Retrying(max_retries=max_retries)


class _Polling:
    """When to look again (backing off up to 5 s), and when to give up; both clients' waits use it."""

    def __init__(self, timeout: float, interval: float, what: str):
        self.deadline = time.monotonic() + timeout
        self.timeout, self.wait, self.what = timeout, interval, what

    def next_wait(self, current: Any) -> float:
        if time.monotonic() + self.wait > self.deadline:
            raise GroundedTimeoutError(f"{self.what} did not end within {self.timeout:g} s (last: {current.status})")
        wait, self.wait = self.wait, min(self.wait * 1.5, MAX_POLL_SECONDS)
        return wait


def _job_outcome(job: Job) -> Job:
    if job.status in ("failed", "cancelled"):
        raise GroundedJobError(job)
    return job


class Grounded(_BaseClient):
    """``Grounded(api_key=..., base_url=...)``; both default to ``GROUNDED_API_KEY`` and
    ``GROUNDED_BASE_URL``. The base URL may end with ``/api`` or not."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_RETRIES,
        http_client: Any = None,
        org_id: str | None = None,
    ):
        super().__init__(api_key, base_url, timeout, max_retries)
        self._transport = SyncTransport(self.base_url, self.api_key, timeout, self.retrying, http_client, org_id)
        self.agents = resources.Agents(self)
        self.traces = resources.Traces(self)
        self.sessions = resources.Sessions(self)
        self.telemetry = resources.Telemetry(self)
        self.connectors = resources.Connectors(self)
        self.jobs = resources.Jobs(self)
        self.evals = resources.Evals(self)
        self.drift = resources.Drift(self)
        self.analytics = resources.Analytics(self)
        self.pricing = resources.Pricing(self)
        self.policies = resources.Policies(self)
        self.scores = resources.Scores(self)
        self.providers = resources.Providers(self)
        self.evaluators = resources.Evaluators(self)
        self.alerts = resources.Alerts(self)
        self.keys = resources.Keys(self)
        self.auth = resources.Auth(self)
        self.org = resources.Org(self)
        self.insights = resources.Insights(self)

    @overload
    def _call(
        self, method: str, path: str, cast: type[T], *, json: Any = None, params: Any = None, pick: None = None
    ) -> T: ...

    @overload
    def _call(
        self,
        method: str,
        path: str,
        cast: None = None,
        *,
        json: Any = None,
        params: Any = None,
        pick: tuple[str, Any] | None = None,
    ) -> Any: ...

    def _call(
        self,
        method: str,
        path: str,
        cast: Any = None,
        *,
        json: Any = None,
        params: Any = None,
        pick: tuple[str, Any] | None = None,
    ) -> Any:
        """One request; its answer as ``cast`` (a model), or as it came (``None``), or the list
        ``pick`` names in it."""
        return _cast(cast, self._transport.request(method, path, json=json, params=params), pick)

    def paginate(self, list_method: Callable[..., Page[Any]], /, *args: Any, **filters: Any) -> Iterator[Any]:
        """Every item of any list, page after page, with the same filters as the list method:
        ``for trace in client.paginate(client.traces.list, agent_id=agent): ...``."""
        cursor = None
        while True:
            page = list_method(*args, **filters, limit=200, cursor=cursor)
            yield from page.items
            cursor = page.next_cursor
            if not cursor:
                return

    def _paginate(self, path: str, cast: type[M], params: dict[str, Any]) -> Iterator[M]:
        return self.paginate(lambda **page: self._call("GET", path, page_of(cast), params={**params, **page}))

    def _poll(self, fetch: Any, done: Any, timeout: float, poll_interval: float, what: str) -> Any:
        polling = _Polling(timeout, poll_interval, what)
        while not done(current := fetch()):
            time.sleep(polling.next_wait(current))
        return current

    def _wait_job(self, job_id: str, timeout: float, poll_interval: float) -> Job:
        job = self._poll(
            lambda: self.jobs.get(job_id), lambda j: j.status in JOB_ENDED, timeout, poll_interval, f"job {job_id}"
        )
        return _job_outcome(job)

    def _wait_run(self, run_id: str, timeout: float, poll_interval: float) -> Run:
        return self._poll(  # type: ignore[no-any-return]
            lambda: self.evals.get_run(run_id), lambda r: r.status != "RUNNING", timeout, poll_interval, f"run {run_id}"
        )

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Grounded:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncGrounded(_BaseClient):
    """The same surface as :class:`Grounded`; every call is awaited, ``iter`` methods are async iterators."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_RETRIES,
        http_client: Any = None,
        org_id: str | None = None,
    ):
        super().__init__(api_key, base_url, timeout, max_retries)
        self._transport = AsyncTransport(self.base_url, self.api_key, timeout, self.retrying, http_client, org_id)
        self.agents = async_resources.AsyncAgents(self)
        self.traces = async_resources.AsyncTraces(self)
        self.sessions = async_resources.AsyncSessions(self)
        self.telemetry = async_resources.AsyncTelemetry(self)
        self.connectors = async_resources.AsyncConnectors(self)
        self.jobs = async_resources.AsyncJobs(self)
        self.evals = async_resources.AsyncEvals(self)
        self.drift = async_resources.AsyncDrift(self)
        self.analytics = async_resources.AsyncAnalytics(self)
        self.pricing = async_resources.AsyncPricing(self)
        self.policies = async_resources.AsyncPolicies(self)
        self.scores = async_resources.AsyncScores(self)
        self.providers = async_resources.AsyncProviders(self)
        self.evaluators = async_resources.AsyncEvaluators(self)
        self.alerts = async_resources.AsyncAlerts(self)
        self.keys = async_resources.AsyncKeys(self)
        self.auth = async_resources.AsyncAuth(self)
        self.org = async_resources.AsyncOrg(self)
        self.insights = async_resources.AsyncInsights(self)

    @overload
    async def _call(
        self, method: str, path: str, cast: type[T], *, json: Any = None, params: Any = None, pick: None = None
    ) -> T: ...

    @overload
    async def _call(
        self,
        method: str,
        path: str,
        cast: None = None,
        *,
        json: Any = None,
        params: Any = None,
        pick: tuple[str, Any] | None = None,
    ) -> Any: ...

    async def _call(
        self,
        method: str,
        path: str,
        cast: Any = None,
        *,
        json: Any = None,
        params: Any = None,
        pick: tuple[str, Any] | None = None,
    ) -> Any:
        """One request; its answer as ``cast`` (a model), or as it came (``None``), or the list
        ``pick`` names in it."""
        return _cast(cast, await self._transport.request(method, path, json=json, params=params), pick)

    async def paginate(self, list_method: Callable[..., Any], /, *args: Any, **filters: Any) -> AsyncIterator[Any]:
        """Every item of any list, page after page, with the same filters as the list method:
        ``async for trace in client.paginate(client.traces.list, agent_id=agent): ...``."""
        cursor = None
        while True:
            page = await list_method(*args, **filters, limit=200, cursor=cursor)
            for item in page.items:
                yield item
            cursor = page.next_cursor
            if not cursor:
                return

    def _paginate(self, path: str, cast: type[M], params: dict[str, Any]) -> AsyncIterator[M]:
        return self.paginate(lambda **page: self._call("GET", path, page_of(cast), params={**params, **page}))

    async def _poll(self, fetch: Any, done: Any, timeout: float, poll_interval: float, what: str) -> Any:
        polling = _Polling(timeout, poll_interval, what)
        while not done(current := await fetch()):
            await asyncio.sleep(polling.next_wait(current))
        return current

    async def _wait_job(self, job_id: str, timeout: float, poll_interval: float) -> Job:
        job = await self._poll(
            lambda: self.jobs.get(job_id), lambda j: j.status in JOB_ENDED, timeout, poll_interval, f"job {job_id}"
        )
        return _job_outcome(job)

    async def _wait_run(self, run_id: str, timeout: float, poll_interval: float) -> Run:
        return await self._poll(  # type: ignore[no-any-return]
            lambda: self.evals.get_run(run_id), lambda r: r.status != "RUNNING", timeout, poll_interval, f"run {run_id}"
        )

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncGrounded:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()
