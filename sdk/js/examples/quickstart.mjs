// The README's JavaScript quickstart: trace one answer of an agent, then read its session back.
//
//   make dev                       # in one shell
//   source .grounded/demo.env      # in another: GROUNDED_BASE_URL, GROUNDED_API_KEY, GROUNDED_AGENT_ID
//   make js-install && npm run build --prefix sdk/js
//   node sdk/js/examples/quickstart.mjs
import { setTimeout as sleep } from "node:timers/promises";
import { Grounded } from "@grounded/client";
import { Tracing } from "@grounded/tracing";

const grounded = new Grounded(); // GROUNDED_API_KEY and GROUNDED_BASE_URL
const agentId = process.env.GROUNDED_AGENT_ID;
// a snapshot says which version of the agent ran (prompt, model, tools); traces are matched to it
await grounded.agents.snapshots.create(agentId, {
  label: "v1",
  modelId: "gpt-4o-mini",
  systemPrompt: "You answer order questions.",
});

const tracing = new Tracing({ client: grounded, agentId });
const trace = tracing.startTrace({ sessionId: "quickstart-conversation-js", input: "Where is my order?" });
const answer = await trace.run(async () => {
  await trace.span("tool", "lookup_order", async () => ({ order: "42", status: "shipped" }));
  return trace.span("llm", "answer", async (span) => {
    span.model = "gpt-4o-mini";
    span.usage = { inputTokens: 812, outputTokens: 64 };
    return "It ships tomorrow.";
  });
});
trace.end({ output: answer });
await tracing.flush(); // traces are sent in the background; flush before a short script (or a Lambda) ends

let stored = await grounded.traces.get(trace.id);
for (let i = 0; i < 100 && stored.normalization?.state !== "normalized"; i++) {
  await sleep(200); // the server normalizes traces asynchronously: give it a moment
  stored = await grounded.traces.get(trace.id);
}
const session = await grounded.sessions.get(stored.normalization.sessionId);
console.log(
  `session ${session.id}: ${session.traces} trace(s), ${session.turns} turn(s), cost $${session.costUsd}`,
);
