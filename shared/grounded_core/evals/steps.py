"""The eval run state machine's steps, each one Lambda invocation (``{"step": …}``)."""

from __future__ import annotations

from typing import Any

from grounded_core.clock import iso, utc_now
from grounded_core.evals import runs
from grounded_core.evals.assertions import Judge
from grounded_core.evals.grading import grade
from grounded_core.evals.target import call_target
from grounded_core.store import keys, table
from grounded_core.store.conditions import exists


def await_results(org_id: str, run_id: str, token: str) -> None:
    """Keep the task token on the run; if every result is already in, release it at once."""
    item = table.update(keys.run(org_id, run_id), keys.RUN_SK, set={runs.TOKEN: token}, when=exists())
    if item.get("status") != "RUNNING":
        runs.release_execution(item)
    else:
        runs.finalize_if_complete(org_id, run_id)


def call_case(org_id: str, run_id: str, case_id: str) -> str:
    """Ask the target about one case, grade the answer and record it (once)."""
    item = runs.find_run(org_id, run_id)
    if item is None or item.get("status") != "RUNNING":
        return "skipped"
    if table.get(keys.run(org_id, run_id), keys.result(case_id), consistent=True):
        return "recorded"  # a retried invocation
    case = runs.run_cases(org_id, run_id, [case_id])[case_id]
    target = item["target"]
    payload = {"runId": run_id, "caseId": case_id, "input": case.input}
    answer = call_target(target["url"], item.get(runs.HEADERS) or {}, int(target["timeoutMs"]), payload)
    judge = None
    if any(isinstance(assertion, Judge) for assertion in case.assertions):
        from grounded_core.judges.grading import judging_for  # only cases with judges pay for its import

        judge = judging_for(org_id)
    result = grade(case, run_id, answer.output, answer.latency_ms, iso(utc_now()), error=answer.error, judge=judge)
    runs.record(result)
    return result.verdict


def finalize(org_id: str, run_id: str) -> None:
    run = runs.finalize_if_complete(org_id, run_id)
    if run is not None and run.status == "RUNNING":
        done = run.passed + run.failed + run.errored
        runs.end_run(org_id, run_id, "FAILED", reason=f"Only {done} of {run.total} cases have a result.")


def timed_out(org_id: str, run_id: str) -> None:
    item = runs.find_run(org_id, run_id) or {}
    done = sum(int(item.get(name, 0)) for name in ("passed", "failed", "errored"))
    waited = item.get("timeoutSeconds")
    reason = f"No complete results within {waited} s ({done} of {item.get('total')} cases had one)."
    runs.end_run(org_id, run_id, "FAILED", reason=reason)


def failed(org_id: str, run_id: str, error: dict[str, Any] | None) -> None:
    what = (error or {}).get("Error") or "an error"
    runs.end_run(org_id, run_id, "FAILED", reason=f"The run's execution failed ({what}).")


def handle(event: dict[str, Any]) -> dict[str, Any]:
    org_id, run_id, step = str(event["orgId"]), str(event["runId"]), event["step"]
    if step == "await":
        await_results(org_id, run_id, str(event["token"]))
    elif step == "call":
        return {"verdict": call_case(org_id, run_id, str(event["caseId"]))}
    elif step == "finalize":
        finalize(org_id, run_id)
    elif step == "timeout":
        timed_out(org_id, run_id)
    elif step == "fail":
        failed(org_id, run_id, event.get("error"))
    else:
        raise ValueError(f"unknown step {step!r}")
    return {}
