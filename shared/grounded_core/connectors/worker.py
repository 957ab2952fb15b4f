"""The connector-sync worker: each SyncQueue message moves one job forward.

A job pages through the provider for its window. After every page the worker stores a checkpoint
(the provider's cursor and the counts so far), so a worker that crashes, times out or hands over
resumes after the last stored page; items of a page that is done again keep their deterministic
ids, so nothing is imported twice. Between pages (and chunks of a page) it records progress with a
conditional update, which is also how it notices that the job was cancelled.

Outcomes: the provider refuses (bad key, unknown project) -> the job fails with that sentence;
rate limited past the invocation's time -> the job continues in a delayed message; the provider
keeps failing -> the message is retried by SQS (resuming from the checkpoint) and, on its last
delivery, the job fails with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from grounded_core import adapters
from grounded_core.clock import iso, parse_iso, utc_now
from grounded_core.connectors import credentials, fullstory, langsmith, store
from grounded_core.connectors.http import ProviderHttp, Rejected, Unavailable, WaitLonger
from grounded_core.connectors.models import PROVIDER_NAMES, Checkpoint, Connector
from grounded_core.connectors.source import Source, SourcePage
from grounded_core.connectors.syncs import Window, sync_message
from grounded_core.identity.principal import PUBLISHABLE_SCOPES, Principal
from grounded_core.ingest.models import ItemResult
from grounded_core.ingest.service import accept_events, accept_traces
from grounded_core.jobs.models import TERMINAL, Job
from grounded_core.jobs.service import claim_job, find_job, finish_job, release_job, report_progress
from grounded_core.observability import logger
from grounded_core.settings import get_settings

#: The SyncQueue's maxReceiveCount in template.yaml: the last delivery fails the job instead of retrying.
MAX_RECEIVES = 5
#: Stop taking new pages when less than this is left of the invocation (a page must fit in it).
STOP_MARGIN_SECONDS = 120.0
INGEST_CHUNK = 50
ERRORS_KEPT = 5
LEASE_SLACK = timedelta(seconds=60)

TimeLeft = Callable[[], float]


@dataclass
class Counts:
    fetched: int = 0
    accepted: int = 0
    rejected: int = 0
    held_back: int = 0
    pages: int = 0
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> Counts:
        stored = stored or {}
        return cls(
            fetched=int(stored.get("fetched", 0)),
            accepted=int(stored.get("accepted", 0)),
            rejected=int(stored.get("rejected", 0)),
            held_back=int(stored.get("heldBack", 0)),
            pages=int(stored.get("pages", 0)),
            errors=list(stored.get("errors", [])),
        )

    def wire(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "heldBack": self.held_back,
            "pages": self.pages,
            "errors": self.errors,
        }

    def tally(self, items: list[dict[str, Any]], results: list[ItemResult]) -> None:
        self.fetched += len(items)
        for result in results:
            if result.status == "accepted":
                self.accepted += 1
                continue
            self.rejected += 1
            if len(self.errors) < ERRORS_KEPT:
                detail = "; ".join(f"{d['field']}: {d['message']}" for d in (result.details or [])[:3])
                self.errors.append(f"{items[result.index].get('id')}: {result.error}{' ' + detail if detail else ''}")


def handle_message(body: dict[str, Any], receive_count: int, time_left: TimeLeft) -> None:
    """Move the message's job forward. Raises only to have SQS deliver the message again."""
    org_id, job_id = str(body["orgId"]), str(body["jobId"])  # a malformed message raises: DLQ
    job = find_job(org_id, job_id)
    if job is None:
        logger.warning("sync message for a job that does not exist", extra={"jobId": job_id})
        return
    if job.status in TERMINAL:  # a duplicate, or cancelled before it ran
        release_connector(job)
        return
    claimed = claim_job(org_id, job_id, utc_now() + timedelta(seconds=time_left()) + LEASE_SLACK)
    if claimed is None:
        return  # another delivery of this job is at work
    try:
        run(claimed, time_left)
    except WaitLonger as wait:
        release_job(org_id, job_id)
        continue_later(claimed, wait.seconds)
    except Rejected as refusal:
        fail(claimed, refusal.message)
    except Unavailable as outage:
        if receive_count >= MAX_RECEIVES:
            fail(claimed, f"{outage.message} The sync stopped; start it again later.")
            return
        release_job(org_id, job_id)
        raise
    except Exception:
        logger.exception("sync failed unexpectedly", extra={"jobId": job_id})
        if receive_count >= MAX_RECEIVES:
            fail(claimed, "The sync failed unexpectedly; the message went to the sync dead-letter queue.")
        else:
            release_job(org_id, job_id)
        raise


def run(job: Job, time_left: TimeLeft) -> None:
    stored = store.load(job.org_id, job.connector_id or "")
    if stored is None:
        fail(job, "The connector was deleted.")
        return
    connector = stored.connector
    params = job.params or {}
    window = Window(parse_iso(params["from"]), parse_iso(params["to"]))
    checkpoint = store.load_checkpoint(job.org_id, connector.id)
    resumed = checkpoint if checkpoint is not None and checkpoint.job_id == job.id else None
    state: dict[str, Any] = dict(resumed.state) if resumed else {}
    counts = Counts.of(resumed.counts if resumed else None)
    held_since = resumed.held_back_since if resumed else None
    api_key = credentials.load(stored.secret_name).get("apiKey")
    if not api_key:
        raise Rejected("The connector has no API key; set config.apiKey.")
    importer = Principal(
        kind="secret_key",
        org_id=job.org_id,
        scopes=PUBLISHABLE_SCOPES,
        agent_id=connector.agent_id,
        key_id=f"connector:{connector.id}",
    )
    for page in source_for(connector, api_key, time_left).pages(window, state):
        if not ingest_page(job, importer, page, counts):
            release_connector(job)
            return
        if page.held_back_since is not None:
            held_since = min(held_since or iso(page.held_back_since), iso(page.held_back_since))
        store.save_checkpoint(
            Checkpoint(
                org_id=job.org_id,
                connector_id=connector.id,
                job_id=job.id,
                state=page.state,
                counts=counts.wire(),
                held_back_since=held_since,
            )
        )
        if time_left() < STOP_MARGIN_SECONDS:
            release_job(job.org_id, job.id)
            continue_later(job, 0)
            return
    result = {**counts.wire(), "window": window.wire()}
    done = finish_job(job.org_id, job.id, "succeeded", result=result, progress=progress(counts))
    store.delete_checkpoint(job.org_id, connector.id)
    if done is None:  # cancelled at the very end
        release_connector(job)
        return
    record_success(job, window, held_since)


def ingest_page(job: Job, importer: Principal, page: SourcePage, counts: Counts) -> bool:
    """Store a page's items through the ordinary ingest path; ``False`` when the job was cancelled."""
    for chunk in chunks(page.items, INGEST_CHUNK):
        accept = accept_traces if page.kind == "traces" else accept_events
        counts.tally(chunk, accept(importer, chunk, limited=False))
        if not report_progress(job.org_id, job.id, progress(counts)):
            return False
    counts.held_back += page.held_back
    counts.pages += 1 if page.items or page.held_back else 0
    return report_progress(job.org_id, job.id, progress(counts))


def chunks(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def progress(counts: Counts) -> dict[str, int | None]:
    return {"done": counts.accepted + counts.rejected, "total": None}


def source_for(connector: Connector, api_key: str, time_left: TimeLeft) -> Source:
    config = connector.config

    def budget() -> float:  # what a rate-limit wait or a poll may still use
        return time_left() - STOP_MARGIN_SECONDS

    name = PROVIDER_NAMES[connector.provider]
    if connector.provider == "langsmith":
        base = config.get("baseUrl") or langsmith.DEFAULT_BASE_URL
        http = ProviderHttp(name, base, langsmith.headers(api_key, config.get("workspaceId")), budget)
        return langsmith.LangSmithSource(http, str(config["projectName"]), connector.agent_id)
    base = config.get("baseUrl") or fullstory.DEFAULT_BASE_URL
    http = ProviderHttp(name, base, fullstory.headers(api_key), budget)
    return fullstory.FullStorySource(http, str(config.get("segmentId") or "everyone"), connector.agent_id, budget)


def continue_later(job: Job, delay_seconds: float) -> None:
    adapters.send_message(get_settings().sync_queue_url, sync_message(job), int(delay_seconds + 0.999))


def fail(job: Job, reason: str) -> None:
    logger.info("sync failed", extra={"jobId": job.id, "reason": reason})
    finish_job(job.org_id, job.id, "failed", error=reason)
    release_connector(job)


def release_connector(job: Job) -> None:
    """The connector is free for its next sync."""

    def release(connector: Connector) -> Connector | None:
        if connector.active_job_id != job.id:
            return None
        return connector.patched({"active_job_id": None, "updated_at": iso(utc_now())})

    if job.connector_id:
        store.mutate(job.org_id, job.connector_id, release)


def record_success(job: Job, window: Window, held_since: str | None, now: datetime | None = None) -> None:
    """Free the connector and move its high-water mark: to the window's end, or to the earliest
    item the provider had not finished (so the next incremental sync picks it up). A manual sync
    moves it only when its window joins the synced range."""
    moment = now or utc_now()
    reached = min(iso(window.end), held_since) if held_since else iso(window.end)
    trigger = (job.params or {}).get("trigger")

    def finished(connector: Connector) -> Connector:
        changes: dict[str, Any] = {"last_sync_at": iso(moment), "updated_at": iso(moment)}
        if connector.active_job_id == job.id:
            changes["active_job_id"] = None
        mark = connector.synced_through
        joins = mark is not None and iso(window.start) <= mark
        if (trigger != "manual" or joins) and (mark is None or reached > mark):
            changes["synced_through"] = reached
        return connector.patched(changes)

    if job.connector_id:
        store.mutate(job.org_id, job.connector_id, finished)
