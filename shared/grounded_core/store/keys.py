"""Every key prefix of the single table, in one place (see the data model). Keys that hold tenant
data start with the org id, which always comes from the caller's principal, never from input.
"""

from __future__ import annotations

import zlib


def org(org_id: str) -> str:
    return f"ORG#{org_id}"


ORG_SK = "ORG"
ORG_PREFIX = "ORG#"


def slug(value: str) -> str:
    return f"SLUG#{value}"


SLUG_SK = "SLUG"


def user(user_id: str) -> str:
    return f"USER#{user_id}"


USER_SK = "USER"


def email(address: str) -> str:
    return f"EMAIL#{address.strip().lower()}"


EMAIL_SK = "EMAIL"


def member(user_id: str) -> str:
    return f"MEMBER#{user_id}"


MEMBER_PREFIX = "MEMBER#"


def invite(token_hash: str) -> str:
    return f"INVITE#{token_hash}"


INVITE_SK = "INVITE"
INVITE_PREFIX = "INVITE#"


def api_key(key_hash: str) -> str:
    return f"KEY#{key_hash}"


API_KEY_SK = "KEY"
API_KEY_PREFIX = "KEY#"


def agent(agent_id: str) -> str:
    return f"AGENT#{agent_id}"


AGENT_PREFIX = "AGENT#"


def agent_partition(org_id: str, agent_id: str) -> str:
    """Partition for an agent's own collections (snapshots, drift reports, markers)."""
    return f"ORG#{org_id}#AGENT#{agent_id}"


def snapshot_sort(created_at: str, snapshot_id: str) -> str:
    return f"SNAP#{created_at}#{snapshot_id}"


SNAPSHOT_PREFIX = "SNAP#"


def snapshot_ref(snapshot_id: str) -> str:
    return f"SNAP#{snapshot_id}"


# ---------------------------------------------------------------- ingestion


def trace(org_id: str, trace_id: str) -> str:
    return f"ORG#{org_id}#TRACE#{trace_id}"


TRACE_SK = "TRACE"
APPLIED_SK = "APPLIED"  # the trace's effects (session totals, rollups) were applied, exactly once


def org_traces(org_id: str) -> str:
    """GSI2 partition listing an org's traces by start time."""
    return f"ORG#{org_id}#TRACES"


#: The listings every trace or session of an org writes to (the org's traces and sessions, an
#: agent's sessions) are spread over this many partitions of their index: one partition takes at
#: most 1,000 write units a second, which one busy org's traces would pass. A listing is read by
#: querying each shard and merging (:func:`grounded_core.store.listing.newest_across`). The number
#: may grow (items stay where they were written, and every shard up to it is read), never shrink.
LISTING_SHARDS = 4


def sharded(listing: str, item_id: str) -> str:
    """The shard of ``listing`` an item is written to: fixed by its id."""
    return f"{listing}#{zlib.crc32(item_id.encode()) % LISTING_SHARDS}"


def every_shard(listing: str) -> list[str]:
    """The partitions a sharded listing is read from: its shards, and itself (where items written
    before listings were sharded stay)."""
    return [listing, *(f"{listing}#{shard}" for shard in range(LISTING_SHARDS))]


def session(org_id: str, session_id: str) -> str:
    return f"ORG#{org_id}#SESSION#{session_id}"


SESSION_SK = "SESSION"
#: a session's entry in the session listings (:class:`grounded_core.sessions.models.SessionListing`)
LISTED_SK = "LISTED"
TURN_PREFIX = "TURN#"
EVENT_PREFIX = "EVT#"
TRACE_IN_SESSION_PREFIX = "T#"


def turn_sort(timestamp: str, turn_id: str) -> str:
    return f"TURN#{timestamp}#{turn_id}"


def trace_in_session(started_at: str, trace_id: str) -> str:
    """A trace's item in its session's partition (its summary and turns), sorted by its start."""
    return f"{TRACE_IN_SESSION_PREFIX}{started_at}#{trace_id}"


def event_sort(timestamp: str, event_id: str) -> str:
    return f"EVT#{timestamp}#{event_id}"


def agent_sessions(org_id: str, agent_id: str) -> str:
    """GSI1 partition listing an agent's sessions by start time."""
    return f"ORG#{org_id}#AGENT#{agent_id}#SESSIONS"


def org_sessions(org_id: str) -> str:
    """GSI2 partition listing an org's sessions by start time."""
    return f"ORG#{org_id}#SESSIONS"


def stitch(org_id: str, agent_id: str, kind: str, value: str) -> str:
    return f"ORG#{org_id}#AGENT#{agent_id}#STITCH#{kind}#{value}"


STITCH_SK = "STITCH"


def unresolved(trace_id: str) -> str:
    return f"UNRESOLVED#{trace_id}"


UNRESOLVED_PREFIX = "UNRESOLVED#"


def rollup(org_id: str, agent_id: str | None) -> str:
    """Daily counters for one agent, or for the whole org (``*``)."""
    return f"ORG#{org_id}#ROLLUP#{agent_id or '*'}"


def day(date: str) -> str:
    return f"DAY#{date}"


def price_override(prefix: str) -> str:
    return f"PRICE#{prefix}"


PRICE_PREFIX = "PRICE#"


# ---------------------------------------------------------------- jobs


def job(org_id: str, job_id: str) -> str:
    return f"ORG#{org_id}#JOB#{job_id}"


JOB_SK = "JOB"
JOB_PREFIX = "JOB#"


# ---------------------------------------------------------------- connectors


def connector(connector_id: str) -> str:
    return f"CONNECTOR#{connector_id}"


CONNECTOR_PREFIX = "CONNECTOR#"
#: Sparse GSI1 partition of connected connectors with a schedule, sorted by when they are due.
SCHEDULED = "SCHEDULED"


def scheduled_sort(next_run_at: str, org_id: str, connector_id: str) -> str:
    return f"{next_run_at}#{org_id}#{connector_id}"


def connector_partition(org_id: str, connector_id: str) -> str:
    return f"ORG#{org_id}#CONNECTOR#{connector_id}"


CHECKPOINT_SK = "CHECKPOINT"


# ---------------------------------------------------------------- evals


def suite(org_id: str, suite_id: str) -> str:
    return f"ORG#{org_id}#SUITE#{suite_id}"


SUITE_SK = "SUITE"
SUITE_PREFIX = "SUITE#"


def org_suites(org_id: str) -> str:
    return f"ORG#{org_id}#SUITES"


def case(case_id: str) -> str:
    return f"CASE#{case_id}"


CASE_PREFIX = "CASE#"
CASE_SK = "CASE"


def case_lookup(org_id: str, case_id: str) -> str:
    """GSI2 entry that finds a case by its id alone (``/api/evals/cases/{id}``)."""
    return f"ORG#{org_id}#CASE#{case_id}"


def template_marker(template_id: str) -> str:
    return f"TEMPLATE#{template_id}"


def run(org_id: str, run_id: str) -> str:
    return f"ORG#{org_id}#RUN#{run_id}"


RUN_SK = "RUN"
RUN_PREFIX = "RUN#"
RUN_CASE_PREFIX = "RCASE#"  # the run's copy of a case, as it was when the run started
RESULT_PREFIX = "RESULT#"


def org_runs(org_id: str) -> str:
    return f"ORG#{org_id}#RUNS"


def run_case(case_id: str) -> str:
    return f"RCASE#{case_id}"


def result(case_id: str) -> str:
    return f"RESULT#{case_id}"


# ---------------------------------------------------------------- LLM judges


def provider(name: str) -> str:
    """An org's model provider for LLM judges, in the org's own partition."""
    return f"{PROVIDER_PREFIX}{name}"


PROVIDER_PREFIX = "PROVIDER#"


def evaluator(evaluator_id: str) -> str:
    """An online evaluator, in its agent's partition."""
    return f"{EVALUATOR_PREFIX}{evaluator_id}"


EVALUATOR_PREFIX = "EVALUATOR#"


# ---------------------------------------------------------------- alerts


def alert(alert_id: str) -> str:
    """An alert rule, in its agent's partition."""
    return f"{ALERT_PREFIX}{alert_id}"


ALERT_PREFIX = "ALERT#"
#: Sparse GSI1 partition of enabled alert rules (what the sweep reads).
ALERTS = "ALERTS"


def org_alerts(org_id: str) -> str:
    """GSI2 listing of an org's alert rules by creation."""
    return f"ORG#{org_id}#ALERTS"


def alert_delivery(alert_id: str, created_at: str, delivery_id: str) -> str:
    """A delivery of an alert (its log), in the agent's partition, time-sorted per alert."""
    return f"{alert_deliveries(alert_id)}{created_at}#{delivery_id}"


def alert_deliveries(alert_id: str) -> str:
    return f"ALERTDLV#{alert_id}#"


# ---------------------------------------------------------------- scores


def score(score_id: str) -> str:
    """A score's item, in the partition of what it scores (a trace, a session, an eval run)."""
    return f"{SCORE_PREFIX}{score_id}"


SCORE_PREFIX = "SCORE#"


def named_scores(org_id: str, name: str) -> str:
    """GSI1 listing of an org's scores of one name by time (sharded: a judge may score every trace)."""
    return f"ORG#{org_id}#SCORES#{name}"


def score_sort(created_at: str, score_id: str) -> str:
    return f"{created_at}#{score_id}"


# ---------------------------------------------------------------- policies, drift, insights


def policy(policy_id: str) -> str:
    return f"POLICY#{policy_id}"


POLICY_PREFIX = "POLICY#"


def rate_window(org_id: str, policy_id: str, subject: str) -> str:
    return f"ORG#{org_id}#RL#{policy_id}#{subject}"


def window_sort(window_start: int) -> str:
    return f"W#{window_start}"


def drift_sort(created_at: str, report_id: str) -> str:
    return f"DRIFT#{created_at}#{report_id}"


DRIFT_PREFIX = "DRIFT#"
DRIFT_SK = "DRIFT"


def drift_lookup(org_id: str, report_id: str) -> str:
    return f"ORG#{org_id}#DRIFT#{report_id}"


#: Sparse GSI1 partition of agents that have a baseline (what the daily drift sweep reads).
BASELINED = "BASELINED"


def snapshot_stats(org_id: str, snapshot_id: str) -> str:
    """Running totals of what a snapshot did (sessions, traces, errors, cost, trace time)."""
    return f"ORG#{org_id}#SNAPSTATS#{snapshot_id}"


TOTAL_SK = "TOTAL"


def insight(rule: str) -> str:
    return f"INSIGHT#{rule}"


def org_insights(org_id: str) -> str:
    """GSI1 partition listing an org's insights by when they were detected."""
    return f"ORG#{org_id}#INSIGHTS"


#: Attributes that exist for the table, never for a client.
STORAGE_ATTRIBUTES = frozenset({"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "entity", "ttl"})


# ---------------------------------------------------------------- OpenTelemetry ingestion

OTEL_SPAN_PREFIX = "OSPAN#"  # a received OTLP span, in its trace's partition until and after assembly
OTEL_STATE_SK = "OTLP"  # a trace's assembly state: whose it is, when its last span came, root seen


def otel_span(span_id: str) -> str:
    return f"{OTEL_SPAN_PREFIX}{span_id}"


# ---------------------------------------------------------------- password resets


def password_reset(token_hash: str) -> str:
    return f"RESET#{token_hash}"


RESET_SK = "RESET"


def reset_window(subject: str) -> str:
    """A fixed-window counter of reset requests for one address or one caller (hashed)."""
    return f"RESETLIMIT#{subject}"
