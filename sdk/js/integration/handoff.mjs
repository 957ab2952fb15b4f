// The backend half of the browser handoff: takes what the page's `analytics.getContext()` gave
// (JSON, as a backend receives it in a request) and records a trace on that visit's session.
// Prints the trace's id. Run by tests/browser/test_analytics_in_chromium.py.
import { Grounded } from "@grounded/client";
import { Tracing } from "@grounded/tracing";

const context = JSON.parse(process.argv[2] ?? "{}");
const tracing = new Tracing({ client: new Grounded(), agentId: process.env.GROUNDED_AGENT_ID });
const trace = tracing.startTraceFromBrowser(context, {
  name: "checkout-assistant",
  input: "Why did checkout fail?",
});
await trace.run(() =>
  trace.span("tool", "lookup_order", async () => ({ order: "A-1", state: "payment_declined" })),
);
trace.end({ output: "Your card was declined." });
await tracing.flush();
console.log(trace.id);
