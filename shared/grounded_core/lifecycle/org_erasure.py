"""Deleting an org: cut off at once, erased by a job.

At the request (OWNER, confirmed by the slug): the org is marked as being deleted — workers stop
writing its content from then on — its API keys, invites and memberships are deleted in batches
(every key answers 401 and every member is out of it from the next request; their other orgs
are untouched), and the erasure job is queued. The job walks every family of the org's
partitions through the listings that name them (never a Scan): sessions and traces (with their
payloads), suites, runs (running ones are stopped), everything indexed under the org, connectors
(their secrets deleted from Secrets Manager), agents, rollups and snapshot totals, every object
under the org's prefix in S3 (all versions), the slug, the org's own partition, and last its own
job. A walk cut short is simply walked again: what was deleted is gone from the listings.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from grounded_core import adapters
from grounded_core.errors import Conflict, Invalid
from grounded_core.identity.accounts import get_org
from grounded_core.identity.members import OrgDeletion
from grounded_core.identity.principal import Principal, Role
from grounded_core.ingest.payloads import org_payloads
from grounded_core.jobs.models import Job
from grounded_core.jobs.service import create_job
from grounded_core.lifecycle.erase import erase_partition, erase_session, erase_traces
from grounded_core.observability import logger
from grounded_core.settings import get_settings
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, absent, eq

Item = dict[str, Any]
JOB_TYPE = "org.delete"
#: the erasure starts a few seconds after the request, once writes already under way have landed
START_DELAY_SECONDS = 5
PAGE = 100


def request_deletion(principal: Principal, request: OrgDeletion, now: datetime | None = None) -> Job:
    """Close the org and queue its erasure; the job (a second request answers the same job)."""
    principal.require_role(Role.OWNER)
    org = get_org(principal.org_id)
    if request.confirm != org.slug:
        raise Invalid(
            "Type the org's slug to confirm its deletion.",
            code="confirmation_mismatch",
            details=[{"field": "confirm", "message": f"must be '{org.slug}'"}],
        )
    try:
        job = create_job(org.id, JOB_TYPE, now)
        table.update(
            keys.org(org.id),
            keys.ORG_SK,
            set={"deletingAt": job.created_at, "deletionJobId": job.id},
            when=absent("deletingAt"),
        )
    except ConditionFailed:
        raise Conflict("This org is being deleted already.", code="org_deleting") from None
    cut_off(org.id)
    adapters.send_message(
        get_settings().lifecycle_queue_url,
        {"kind": "erase_org", "orgId": org.id, "jobId": job.id},
        delay_seconds=START_DELAY_SECONDS,
    )
    logger.info("org deletion requested", extra={"org_id": org.id, "job_id": job.id})
    return job


def cut_off(org_id: str) -> None:
    """Keys, invites and memberships, deleted now: the org answers nobody from the next request."""
    indexed = table.query_all(keys.org(org_id), index="GSI1")
    doomed = [
        (item["PK"], item["SK"])
        for item in indexed
        if str(item.get("GSI1SK", "")).startswith((keys.API_KEY_PREFIX, keys.INVITE_PREFIX))
    ]
    doomed += [(item["PK"], item["SK"]) for item in table.query_all(keys.org(org_id), keys.MEMBER_PREFIX)]
    table.batch_delete(doomed)


@dataclass
class Erasure:
    """What one erasure pass found and removed; ids of agents and snapshots are gathered on the
    way (an agent deleted long ago still has rollups and markers) and carried to the next pass."""

    org_id: str
    job_id: str
    deleted: int = 0
    agents: set[str] = field(default_factory=set)
    snapshots: set[str] = field(default_factory=set)

    def note(self, item: Item) -> None:
        if item.get("agentId"):
            self.agents.add(str(item["agentId"]))
        if item.get("snapshotId"):
            self.snapshots.add(str(item["snapshotId"]))

    def carried(self) -> dict[str, Any]:
        return {"deleted": self.deleted, "agents": sorted(self.agents), "snapshots": sorted(self.snapshots)}

    @classmethod
    def resumed(cls, org_id: str, job_id: str, carried: dict[str, Any] | None) -> Erasure:
        carried = carried or {}
        return cls(
            org_id,
            job_id,
            int(carried.get("deleted", 0)),
            set(carried.get("agents", [])),
            set(carried.get("snapshots", [])),
        )


def _listed(
    pk: str, index: str, erasure: Erasure, erase_one: Callable[[Item], int], out_of_time: Callable[[], bool]
) -> bool:
    """Erase what a listing names, page by page (one pass: what is added later is refused, the
    org being closed); ``False`` when time ran out first — the next pass starts over, finding only
    what is left."""
    start: Item | None = None
    while True:
        page, start = table.query(pk, index=index, limit=PAGE, start_key=start)
        for item in page:
            erasure.note(item)
            erasure.deleted += erase_one(item)
        if not start:
            return True
        if out_of_time():
            return False


def _stop_runs(org_id: str) -> None:
    """Running eval runs stop now, so no step writes results after the erasure passed."""
    for run in table.query_all(keys.org_runs(org_id), index="GSI2"):
        if run.get("status") == "RUNNING" and run.get("executionArn"):
            with contextlib.suppress(Exception):  # finished meanwhile
                adapters.stop_execution(str(run["executionArn"]), "The org was deleted.")


def _connector(org_id: str, item: Item) -> int:
    if item.get("secretName"):
        adapters.delete_secret(str(item["secretName"]))
    return erase_partition(keys.connector_partition(org_id, str(item["id"])))


def erase_org(erasure: Erasure, out_of_time: Callable[[], bool]) -> bool:
    """One pass over the org's data; ``True`` when nothing is left but the org's own job."""
    org_id = erasure.org_id
    _stop_runs(org_id)
    own_job = (keys.job(org_id, erasure.job_id), keys.JOB_SK)

    def session(item: Item) -> int:
        if item["SK"] == keys.LISTED_SK:  # the listing entry: the session says which snapshot it counted in
            erasure.note(table.get(str(item["PK"]), keys.SESSION_SK, consistent=True) or {})
        return erase_session(org_id, str(item["id"]))

    def trace(item: Item) -> int:
        return erase_traces(org_id, [str(item["id"])])

    listings: list[tuple[str, str, Callable[[Item], int]]] = [
        *((pk, "GSI2", session) for pk in keys.every_shard(keys.org_sessions(org_id))),
        *((pk, "GSI2", trace) for pk in keys.every_shard(keys.org_traces(org_id))),
        (keys.org_suites(org_id), "GSI2", lambda item: erase_partition(item["PK"], keys.SUITE_SK)),
        (keys.org_runs(org_id), "GSI2", lambda item: erase_partition(item["PK"], keys.RUN_SK)),
    ]
    for pk, index, erase_one in listings:
        if not _listed(pk, index, erasure, erase_one, out_of_time):
            return False
    indexed = [item for item in table.query_all(keys.org(org_id), index="GSI1") if (item["PK"], item["SK"]) != own_job]
    for item in indexed:
        erasure.note(item)
        if str(item["SK"]).startswith(keys.SNAPSHOT_PREFIX):
            erasure.snapshots.add(str(item["id"]))
    table.batch_delete((item["PK"], item["SK"]) for item in indexed)
    erasure.deleted += len(indexed)
    own = table.query_all(keys.org(org_id), consistent=True)
    for item in own:
        if str(item["SK"]).startswith(keys.AGENT_PREFIX):
            erasure.agents.add(str(item["id"]))
        elif str(item["SK"]).startswith(keys.CONNECTOR_PREFIX):
            erasure.deleted += _connector(org_id, item)
        elif str(item["SK"]).startswith(keys.PROVIDER_PREFIX) and item.get("secretName"):
            adapters.delete_secret(str(item["secretName"]))  # the item goes with the org's partition
    for agent_id in sorted(erasure.agents):
        erasure.deleted += erase_partition(keys.agent_partition(org_id, agent_id))
        erasure.deleted += erase_partition(keys.rollup(org_id, agent_id))
    erasure.deleted += erase_partition(keys.rollup(org_id, None))
    for snapshot_id in sorted(erasure.snapshots):
        erasure.deleted += erase_partition(keys.snapshot_stats(org_id, snapshot_id))
    adapters.erase_prefix(org_payloads(org_id))
    return True


def erase_last(org_id: str, job_id: str) -> int:
    """The slug, the org's own partition (the org item last) and the job: the org is gone."""
    org = table.get(keys.org(org_id), keys.ORG_SK, consistent=True)
    if org and org.get("slug"):
        with contextlib.suppress(ConditionFailed):  # taken by a new org meanwhile? never ours to delete
            table.delete(keys.slug(str(org["slug"])), keys.SLUG_SK, when=eq("orgId", org_id))
    deleted = erase_partition(keys.org(org_id), keys.ORG_SK)
    table.delete(keys.job(org_id, job_id), keys.JOB_SK)
    return deleted + 2
