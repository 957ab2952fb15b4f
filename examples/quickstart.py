"""The README's SDK quickstart: trace one answer of an agent, then read its session back.

make dev                       # in one shell
source .grounded/demo.env      # in another: GROUNDED_BASE_URL, GROUNDED_API_KEY, GROUNDED_AGENT_ID
python examples/quickstart.py
"""

import os
import time

from grounded import Grounded, Tracing

client = Grounded()  # GROUNDED_API_KEY and GROUNDED_BASE_URL
agent_id = os.environ["GROUNDED_AGENT_ID"]
# a snapshot says which version of the agent ran (prompt, model, tools); traces are matched to it
client.agents.snapshots.create(
    agent_id, label="v1", model_id="gpt-4o-mini", system_prompt="You answer order questions."
)

tracing = Tracing(client, agent_id=agent_id)
with tracing.start_trace(session_id="quickstart-conversation", input="Where is my order?").run() as trace:
    with trace.span("tool", "lookup_order") as span:
        span.output = {"order": "42", "status": "shipped"}
    with trace.span("llm", "answer", model="gpt-4o-mini") as span:
        span.usage = {"inputTokens": 812, "outputTokens": 64}
        span.output = "It ships tomorrow."
    trace.output = "It ships tomorrow."
tracing.flush()  # traces are sent in the background; flush before a short script (or a Lambda) ends

for _ in range(100):  # the server normalizes traces asynchronously: give it a moment
    stored = client.traces.get(trace.id)
    if stored.normalization.get("state") == "normalized":
        break
    time.sleep(0.2)
session = client.sessions.get(stored.normalization["sessionId"])
print(f"session {session.id}: {session.traces} trace(s), {session.turns} turn(s), cost ${session.cost_usd}")
