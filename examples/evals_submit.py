"""An eval run in submit mode: your code answers each case and posts the answers; Grounded grades.

source .grounded/demo.env && python examples/evals_submit.py
"""

import os

from grounded import Grounded

client = Grounded()
suite = client.evals.create_suite(agent_id=os.environ["GROUNDED_AGENT_ID"], name="examples")
capital = {"name": "capital", "input": "Capital of France?", "assertions": [{"type": "contains", "value": "paris"}]}
ok = {"type": "json_path_equals", "path": "$.ok", "value": True}
client.evals.add_cases(suite.id, [capital, {"name": "json", "input": 'Reply {"ok": true}', "assertions": [ok]}])
client.evals.import_template(suite.id, "no-pii-echo")


def my_agent(question: object) -> str:
    return "Paris" if "France" in str(question) else '{"ok": true}' if "ok" in str(question) else "I can't share that."


run = client.evals.create_run(suite_id=suite.id, mode="submit")
cases = client.evals.list_cases(suite.id).items
client.evals.submit_results(run.id, [{"caseId": case.id, "output": my_agent(case.input)} for case in cases])
done = client.evals.wait_for_completion(run.id, timeout_seconds=120)
print(f"run {done.id}: {done.status}, {done.passed}/{done.total} passed, pass rate {done.pass_rate}")
