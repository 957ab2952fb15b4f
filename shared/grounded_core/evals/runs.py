"""Eval runs. Each run is one Step Functions execution (``statemachines/eval-run.asl.json``):
``submit`` mode waits on a task token for the client's results, ``endpoint`` mode calls the target
for every case in a Map state. Results are written once per case, with the run's counters, in one
transaction; the run is finalized — status, pass rate, daily rollups — exactly once, by a
conditional update on ``RUNNING``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grounded_core import adapters
from grounded_core.agents.service import find_snapshot
from grounded_core.alerts import notify
from grounded_core.clock import iso, utc_now
from grounded_core.errors import Conflict, Invalid, NotFound
from grounded_core.evals.assertions import Judge
from grounded_core.evals.grading import grade
from grounded_core.evals.models import (
    MAX_CASES_PER_RUN,
    Case,
    Result,
    ResultBatch,
    ResultIn,
    Run,
    RunCreate,
)
from grounded_core.evals.suites import get_suite, suite_cases
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.masking import MASK
from grounded_core.model import ApiModel
from grounded_core.observability import logger
from grounded_core.pagination import Page, PageRequest
from grounded_core.settings import get_settings
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Put, Update, absent, eq, matching
from grounded_core.store.counters import rollup_updates
from grounded_core.store.listing import query_page

HEADERS = "targetHeaders"  # stored on the run item, never shown
TOKEN = "taskToken"  # the submit-mode execution's task token, never shown
COUNTER = {"pass": "passed", "fail": "failed", "error": "errored"}


class CaseDiff(ApiModel):
    case_id: str
    case_name: str | None
    before: str | None
    after: str | None


class Comparison(ApiModel):
    run_id: str
    other_run_id: str
    regressions: list[CaseDiff]
    fixes: list[CaseDiff]
    unchanged: int
    only_in_one: list[CaseDiff]


class SubmitAnswer(ApiModel):
    run: Run
    results: list[Result]


# ---------------------------------------------------------------- creating and reading


def _shown_target(target: dict[str, Any] | None) -> dict[str, Any] | None:
    if target is None:
        return None
    return {**target, "headers": dict.fromkeys(target.get("headers", {}), MASK)}


def create_run(principal: Principal, request: RunCreate, now: datetime | None = None) -> Run:
    suite = get_suite(principal, request.suite_id)
    if request.snapshot_id:
        snapshot = find_snapshot(principal.org_id, request.snapshot_id)
        if snapshot is None or snapshot.agent_id != suite.agent_id:
            raise Invalid(
                f"Snapshot {request.snapshot_id} is not one of the suite's agent's.",
                details=[{"field": "snapshotId", "message": "not a snapshot of the suite's agent"}],
            )
    if request.mode == "endpoint" and request.target is None:
        raise Invalid("An endpoint run needs target.url.", details=[{"field": "target", "message": "required"}])
    cases = suite_cases(principal.org_id, suite.id)
    if not cases:
        raise Invalid("The suite has no cases.", code="suite_empty")
    if len(cases) > MAX_CASES_PER_RUN:
        raise Invalid(f"A run takes at most {MAX_CASES_PER_RUN} cases; the suite has {len(cases)}.")
    target = (
        request.target.model_dump(mode="json", by_alias=True) if request.target and request.mode == "endpoint" else None
    )
    run = Run(
        id=new_id("run"),
        org_id=principal.org_id,
        suite_id=suite.id,
        agent_id=suite.agent_id,
        snapshot_id=request.snapshot_id,
        mode=request.mode,
        target=_shown_target(target),
        total=len(cases),
        timeout_seconds=request.timeout_seconds if request.mode == "submit" else None,
        started_at=iso(now or utc_now()),
    )
    hidden = {HEADERS: target["headers"]} if target else {}
    table.put(run.to_item(**hidden), when=absent())
    table.batch_put(
        {**case.to_item(), "PK": keys.run(run.org_id, run.id), "SK": keys.run_case(case.id), "entity": "RunCase"}
        for case in cases
    )
    _start_execution(run, [case.id for case in cases])
    return run


def _start_execution(run: Run, case_ids: list[str]) -> None:
    execution_input = {
        "orgId": run.org_id,
        "runId": run.id,
        "mode": run.mode,
        "timeoutSeconds": run.timeout_seconds or 0,
        "caseIds": case_ids,
    }
    try:
        execution_arn = adapters.start_execution(get_settings().eval_state_machine_arn, run.id, execution_input)
    except Exception:
        end_run(run.org_id, run.id, "FAILED", reason="The run could not be started; try again.")
        raise
    table.update(keys.run(run.org_id, run.id), keys.RUN_SK, set={"executionArn": execution_arn})


def find_run(org_id: str, run_id: str) -> dict[str, Any] | None:
    return table.get(keys.run(org_id, run_id), keys.RUN_SK, consistent=True)


def get_run(principal: Principal, run_id: str) -> Run:
    item = find_run(principal.org_id, run_id)
    if item is None:
        raise NotFound(f"No run {run_id}.", code="run_not_found")
    run = Run.from_item(item)
    principal.require_agent(run.agent_id)
    return run


def list_runs(
    principal: Principal, page: PageRequest, suite_id: str | None, agent_id: str | None, status: str | None
) -> Page[Run]:
    """Newest first: a suite's runs, or the org's (filtered by agent and status)."""
    if suite_id:
        get_suite(principal, suite_id)
    where = matching(agentId=principal.agent_filter(agent_id), status=status)
    pk, index = (
        (keys.suite(principal.org_id, suite_id), "GSI1") if suite_id else (keys.org_runs(principal.org_id), "GSI2")
    )
    return query_page(Run, page, pk, keys.RUN_PREFIX, index=index, newest_first=True, where=where)


def list_results(principal: Principal, run_id: str, page: PageRequest) -> Page[Result]:
    get_run(principal, run_id)
    return query_page(Result, page, keys.run(principal.org_id, run_id), keys.RESULT_PREFIX)


# ---------------------------------------------------------------- results


def run_cases(org_id: str, run_id: str, case_ids: list[str]) -> dict[str, Case]:
    found = table.batch_get([(keys.run(org_id, run_id), keys.run_case(case_id)) for case_id in set(case_ids)])
    return {str(item["id"]): Case.from_item(item) for item in found.values()}


def record(result: Result) -> bool:
    """Store a case's result and count it on the run, together; ``False`` when the case already
    had one (a retry) or the run is no longer running."""
    count = Update(
        keys.run(result.org_id, result.run_id),
        keys.RUN_SK,
        add={COUNTER[result.verdict]: 1},
        when=eq("status", "RUNNING"),
        label="running",
    )
    try:
        table.transact([Put(result.to_item(), absent(), label="recorded"), count])
    except ConditionFailed:
        return False  # the case had its result already (a retry), or the run ended
    # a race lost again and again is a Conflict: it propagates, and the step is retried — a result
    # is never dropped for it
    return True


#: judge calls of one request made at once (a batch of results with ``judge`` assertions)
JUDGES_AT_ONCE = 8


def _graded(org_id: str, run_id: str, cases: dict[str, Case], batch: ResultBatch, recorded_at: str) -> list[Result]:
    """Each result graded; with LLM judges, several judged at once — and a result already recorded
    (a resent batch) is answered as it was, never judged (and paid for) again."""
    judged = [r for r in batch.results if any(isinstance(a, Judge) for a in cases[r.case_id].assertions)]
    if not judged:
        return [grade(cases[r.case_id], run_id, r.output, r.latency_ms, recorded_at, metadata=r.metadata)
                for r in batch.results]  # fmt: skip
    from concurrent.futures import ThreadPoolExecutor

    from grounded_core.judges.grading import judging_for  # only runs with judges pay for these imports

    kept = table.batch_get([(keys.run(org_id, run_id), keys.result(r.case_id)) for r in judged], consistent=True)
    judge = judging_for(org_id)

    def one(given: ResultIn) -> Result:
        stored = kept.get((keys.run(org_id, run_id), keys.result(given.case_id)))
        if stored is not None:
            return Result.from_item(stored)
        case = cases[given.case_id]
        return grade(case, run_id, given.output, given.latency_ms, recorded_at, metadata=given.metadata, judge=judge)

    with ThreadPoolExecutor(JUDGES_AT_ONCE) as pool:
        return list(pool.map(one, batch.results))


def submit_results(principal: Principal, run_id: str, batch: ResultBatch, now: datetime | None = None) -> SubmitAnswer:
    run = get_run(principal, run_id)
    if run.mode != "submit":
        raise Conflict("This run calls its target itself; it takes no results.", code="run_not_submit")
    if run.status != "RUNNING":
        raise Conflict(f"The run is {run.status}; it takes no more results.", code="run_not_running")
    cases = run_cases(principal.org_id, run_id, [r.case_id for r in batch.results])
    unknown = [r.case_id for r in batch.results if r.case_id not in cases]
    if unknown:
        raise Invalid(
            "Some results are for cases that are not in this run.",
            code="unknown_case",
            details=[{"field": f"results[{n}].caseId", "message": f"{r.case_id} is not in the run"}
                     for n, r in enumerate(batch.results) if r.case_id in unknown],
        )  # fmt: skip
    recorded_at = iso(now or utc_now())
    graded = []
    for given, result in zip(batch.results, _graded(principal.org_id, run_id, cases, batch, recorded_at), strict=True):
        if record(result):
            graded.append(result)
            continue
        stored = table.get(keys.run(principal.org_id, run_id), keys.result(given.case_id), consistent=True)
        if stored is None:  # not a duplicate: the run ended meanwhile
            raise Conflict("The run ended while these results were recorded.", code="run_not_running")
        graded.append(Result.from_item(stored))
    finalize_if_complete(principal.org_id, run_id)
    return SubmitAnswer(run=get_run(principal, run_id), results=graded)


# ---------------------------------------------------------------- ending


def end_run(
    org_id: str, run_id: str, status: str, reason: str | None = None, extra: dict[str, Any] | None = None
) -> bool:
    """RUNNING -> ``status``; ``False`` when the run had already ended."""
    fields = {"status": status, "completedAt": iso(utc_now()), "reason": reason, **(extra or {})}
    return table.compare_and_set(keys.run(org_id, run_id), keys.RUN_SK, "status", ("RUNNING",), fields) is not None


def finalize_if_complete(org_id: str, run_id: str) -> Run | None:
    """When every case has a result: COMPLETED with its pass rate over the cases that could be
    graded (an errored case is neither a pass nor a fail), or FAILED with the reason when none
    could be; the day's rollups once; and the waiting execution (submit mode) is released."""
    item = find_run(org_id, run_id)
    if item is None:
        return None
    run = Run.from_item(item)
    done = run.passed + run.failed + run.errored
    if run.status != "RUNNING" or done < run.total:
        return run
    graded = run.passed + run.failed
    pass_rate = round(run.passed / graded, 4) if graded else None
    status, reason = "COMPLETED", None
    if run.total and not graded:
        status = "FAILED"
        reason = (
            f"No case could be graded: all {run.total} errored (an unreachable or failing target, say); "
            "each result says why."
        )
    completed = iso(utc_now())
    update = Update(
        keys.run(org_id, run_id),
        keys.RUN_SK,
        set={"status": status, "passRate": pass_rate, "completedAt": completed, "reason": reason},
        when=eq("status", "RUNNING"),
        label="running",
    )
    # evalCases counts graded cases: the daily pass rate is over what could be graded, like a run's
    counters = {"evalRuns": 1, "evalCases": graded, "evalPassed": run.passed, "evalErrored": run.errored}
    try:
        table.transact([update, *rollup_updates(org_id, run.agent_id, completed, counters)])
        notify.agent_changed(org_id, run.agent_id)  # its pass rate moved
    except ConditionFailed:
        pass  # finalized by the other path meanwhile
    release_execution(item)
    return Run.from_item(find_run(org_id, run_id) or item)


def release_execution(item: dict[str, Any]) -> None:
    """Let a submit-mode execution waiting on its task token go on (to its finalize step)."""
    token = item.get(TOKEN)
    if token:
        try:
            adapters.send_task_success(token)
        except Exception as error:  # already released, or timed out: nothing waits any more
            logger.info("task token not released", extra={"runId": item.get("id"), "reason": type(error).__name__})


def cancel_run(principal: Principal, run_id: str) -> Run:
    run = get_run(principal, run_id)
    if not end_run(principal.org_id, run_id, "CANCELLED", reason="Cancelled."):
        raise Conflict(f"The run is {run.status}; only a running run can be cancelled.", code="run_not_running")
    item = find_run(principal.org_id, run_id) or {}
    if item.get("executionArn"):
        try:
            adapters.stop_execution(item["executionArn"], "Cancelled")
        except Exception as error:
            logger.info("execution not stopped", extra={"runId": run_id, "reason": type(error).__name__})
    return Run.from_item(item)


# ---------------------------------------------------------------- comparing


def compare(principal: Principal, run_id: str, other_run_id: str) -> Comparison:
    """Per case, ``other`` (before) against ``run`` (now): regressions passed before and do not now;
    fixes did not pass before and do now."""
    get_run(principal, run_id)
    get_run(principal, other_run_id)
    now = {r["caseId"]: r for r in table.query_all(keys.run(principal.org_id, run_id), keys.RESULT_PREFIX)}
    before = {r["caseId"]: r for r in table.query_all(keys.run(principal.org_id, other_run_id), keys.RESULT_PREFIX)}

    def diff(case_id: str) -> CaseDiff:
        either = now.get(case_id) or before[case_id]
        return CaseDiff(
            case_id=case_id,
            case_name=either.get("caseName"),
            before=(before.get(case_id) or {}).get("verdict"),
            after=(now.get(case_id) or {}).get("verdict"),
        )

    shared = sorted(set(now) & set(before))
    regressions = [diff(c) for c in shared if before[c]["verdict"] == "pass" and now[c]["verdict"] != "pass"]
    fixes = [diff(c) for c in shared if before[c]["verdict"] != "pass" and now[c]["verdict"] == "pass"]
    return Comparison(
        run_id=run_id,
        other_run_id=other_run_id,
        regressions=regressions,
        fixes=fixes,
        unchanged=len(shared) - len(regressions) - len(fixes),
        only_in_one=[diff(c) for c in sorted(set(now) ^ set(before))],
    )
