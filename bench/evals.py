"""An endpoint-mode eval run on the local cloud: wall time, Step Functions state transitions and
Lambda invocations per case.

    .venv/bin/python bench/evals.py [--cases 200]

The run goes through the real state machine (moto's ASL interpreter) and calls a local fake agent
that answers every case correctly. State transitions are counted from the execution's history
(``*StateEntered`` events: what Step Functions bills); invocations from the local runtime.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

from bench.counting import bench_cloud  # noqa: E402
from tests.fakes.agent import FakeAgent  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    cloud, api, headers, agent = bench_cloud()
    questions = {f"question {n}": f"answer {n}" for n in range(args.cases)}
    fake = FakeAgent(questions).start()
    suite = api.post("/api/evals/suites", json={"agentId": agent, "name": "bench"}, headers=headers).json()
    cases = [{"input": q, "assertions": [{"type": "equals", "value": a}]} for q, a in questions.items()]
    assert api.post(f"/api/evals/suites/{suite['id']}/cases", json={"cases": cases}, headers=headers).status_code == 201

    invoked_before = dict(cloud.status()["functions"])
    started = time.perf_counter()
    body = {"suiteId": suite["id"], "mode": "endpoint", "target": {"url": fake.url + "/right"}}
    run = api.post("/api/evals/runs", json=body, headers=headers).json()
    while (run := api.get(f"/api/evals/runs/{run['id']}", headers=headers).json())["status"] == "RUNNING":
        time.sleep(0.2)
    wall = time.perf_counter() - started
    assert run["status"] == "COMPLETED", run
    assert run["passed"] == args.cases, run

    sfn = cloud.client("stepfunctions")
    machine = next(m for m in sfn.list_state_machines()["stateMachines"] if "EvalRun" in m["name"])
    execution = next(
        e
        for e in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
        if e["name"] == run["id"]
    )
    events, token = [], None
    while True:
        page = sfn.get_execution_history(
            executionArn=execution["executionArn"], maxResults=1000, **({"nextToken": token} if token else {})
        )
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    transitions = sum(1 for event in events if event["type"].endswith("StateEntered"))
    invocations = {
        name: count - invoked_before.get(name, 0)
        for name, count in cloud.status()["functions"].items()
        if count - invoked_before.get(name, 0)
    }
    steps = sum(count for name, count in invocations.items() if "EvalSteps" in name)
    print(f"endpoint run of {args.cases} cases: {run['status']}, passRate {run['passRate']}")
    print(f"  wall time (create -> COMPLETED): {wall:.1f} s ({wall / args.cases * 1000:.0f} ms per case)")
    print(f"  state transitions: {transitions} ({transitions / args.cases:.2f} per case), history events {len(events)}")
    print(
        f"  Lambda invocations of the steps function: {steps} ({steps / args.cases:.2f} per case); all: {invocations}"
    )
    print(f"  target calls: {len(fake.requests)}")
    print(f"  local cloud, one process, python {sys.version.split()[0]}; Map MaxConcurrency 10")
    fake.stop()
    cloud.stop()


if __name__ == "__main__":
    main()
