import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { Grounded, type TraceIn } from "@grounded/client";
import { currentTrace, type Rejection, Tracing, TracingError } from "@grounded/tracing";
import { FakeServer, type Seen } from "../../../test-support/server.js";

function accepted(request: Seen) {
  const traces = (request.body as { traces: TraceIn[] }).traces;
  const results = traces.map((trace, index) =>
    trace.name === "refused"
      ? { index, status: "rejected", code: "validation_error", error: "name is refused", httpStatus: 422 }
      : { index, status: "accepted", traceId: trace.id },
  );
  return { status: results.some((r) => r.status === "rejected") ? 207 : 202, body: { results } };
}

const sentTraces = (server: FakeServer) =>
  server.seen
    .filter((r) => r.url === "/api/traces/batch")
    .flatMap((r) => (r.body as { traces: TraceIn[] }).traces);

describe("tracing", () => {
  const server = new FakeServer(accepted);
  let client: Grounded;
  let tracing: Tracing;
  const rejections: Rejection[] = [];

  before(async () => {
    client = new Grounded({ apiKey: "sk_live_test", baseUrl: await server.start(), backoffMs: 1 });
    tracing = new Tracing({
      client,
      agentId: "agt_1",
      flushOnExit: false,
      onRejected: (r) => rejections.push(r),
    });
  });
  after(async () => {
    await tracing.shutdown();
    await server.stop();
  });

  test("startTrace throws before anything is sent without an agent or a stitch key", async () => {
    const before = server.seen.length;
    const agentless = new Tracing({ client, flushOnExit: false });
    delete process.env.GROUNDED_AGENT_ID;
    assert.throws(() => agentless.startTrace({ sessionId: "s" }), TracingError);
    assert.throws(
      () => tracing.startTrace({}),
      /sessionId, an anonymousId, or a userId with correlationKeys/,
    );
    assert.throws(() => tracing.startTrace({ userId: "u" }), TracingError);
    assert.throws(() => tracing.startTrace({ userId: "u", correlationKeys: {} }), TracingError);
    assert.ok(tracing.startTrace({ userId: "u", correlationKeys: { ticket: "T-1" } }));
    assert.ok(tracing.startTrace({ anonymousId: "a" }));
    process.env.GROUNDED_AGENT_ID = "agt_env";
    assert.equal(
      new Tracing({ client, flushOnExit: false }).startTrace({ sessionId: "s" }).fields.agentId,
      "agt_env",
    );
    delete process.env.GROUNDED_AGENT_ID;
    await agentless.shutdown();
    assert.equal(server.seen.length, before);
  });

  test("run makes the trace current across awaits; spans nest, time and record errors", async () => {
    const trace = tracing.startTrace({ sessionId: "conv-1", input: { q: "hi" }, name: "answer" });
    assert.equal(currentTrace(), undefined);
    const answer = await trace.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(currentTrace(), trace);
      return trace.span("chain", "plan", async (outer) => {
        outer.attributes.step = 1;
        await trace.span("tool", "search", async () => ["doc-1"]);
        await trace.span("tool", "broken", () => Promise.reject(new Error("boom"))).catch(() => undefined);
        await Promise.all([1, 2].map((n) => trace.span("llm", `call-${n}`, async () => n)));
        return "It ships tomorrow.";
      });
    });
    trace.end({ output: answer });
    await tracing.flush();
    const sent = sentTraces(server).find((t) => t.id === trace.id);
    assert.ok(sent);
    assert.equal(sent.sessionId, "conv-1");
    assert.equal(sent.output, "It ships tomorrow.");
    const spans = Object.fromEntries((sent.spans ?? []).map((span) => [span.name, span]));
    const plan = spans.plan;
    assert.ok(plan);
    assert.equal(plan.parentId, undefined);
    for (const name of ["search", "broken", "call-1", "call-2"])
      assert.equal(spans[name]?.parentId, plan.id, name);
    assert.deepEqual(spans.search?.output, ["doc-1"]);
    assert.equal(spans.broken?.status, "error");
    assert.equal(spans.broken?.error, "Error: boom");
    assert.ok((spans.plan?.endedAt ?? "") >= (spans.plan?.startedAt ?? "z"));
  });

  test("a run that throws ends the trace as failed, and the error goes on", async () => {
    const trace = tracing.startTrace({ sessionId: "conv-2" });
    await assert.rejects(
      trace.run(async () => {
        throw new TypeError("no tool");
      }),
      TypeError,
    );
    await tracing.flush();
    const sent = sentTraces(server).find((t) => t.id === trace.id);
    assert.equal(sent?.status, "error");
    assert.equal(sent?.error, "TypeError: no tool");
  });

  test("flush sends in batches; a 207 rejection reaches onRejected; the rest are stored", async () => {
    const small = new Tracing({
      client,
      agentId: "agt_1",
      batchSize: 2,
      flushOnExit: false,
      onRejected: (r) => rejections.push(r),
    });
    const before = server.seen.length;
    for (const name of ["a", "refused", "c", "d", "e"]) small.startTrace({ sessionId: "conv-3", name }).end();
    await small.flush();
    assert.equal(small.pending, 0);
    assert.deepEqual(
      server.seen.slice(before).map((r) => (r.body as { traces: TraceIn[] }).traces.length),
      [2, 2, 1],
    );
    assert.deepEqual(
      rejections.map((r) => [r.trace.name, r.code]),
      [["refused", "validation_error"]],
    );
    await small.shutdown();
  });

  test("a trace refused for a rate limit is sent again after the wait it names", async () => {
    server.reply({
      status: 207,
      body: {
        results: [
          {
            index: 0,
            status: "rejected",
            code: "rate_limited",
            error: "slow",
            httpStatus: 429,
            retryAfterSeconds: 1,
          },
        ],
      },
    });
    const trace = tracing.startTrace({ sessionId: "conv-4" });
    trace.end();
    const started = Date.now();
    await tracing.flush();
    const attempts = server.seen.filter((r) =>
      sentTraces({ seen: [r] } as FakeServer).some((t) => t.id === trace.id),
    );
    assert.equal(attempts.length, 2);
    assert.ok(Date.now() - started >= 950);
    assert.equal(rejections.filter((r) => r.trace.id === trace.id).length, 0);
  });

  test("a batch that cannot be sent is tried again, then reported to onError", async () => {
    const failed: TraceIn[][] = [];
    const down = new Grounded({ apiKey: "k", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
    const lonely = new Tracing({
      client: down,
      agentId: "agt_1",
      maxAttempts: 2,
      flushOnExit: false,
      onError: (_, t) => failed.push(t),
    });
    lonely.startTrace({ sessionId: "conv-5" }).end();
    await lonely.flush();
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.length, 1);
    await lonely.shutdown();
  });

  test("what is queued is sent when the process exits on its own", async () => {
    const script = `
      import { Grounded } from "@grounded/client";
      import { Tracing } from "@grounded/tracing";
      const tracing = new Tracing({ client: new Grounded({ apiKey: "k", baseUrl: process.argv[1] }), agentId: "agt_1", flushIntervalMs: 60000 });
      tracing.startTrace({ sessionId: "conv-exit", name: "at-exit" }).end({ output: "bye" });
    `;
    const url = `http://127.0.0.1:${new URL(client.baseUrl).port}`;
    // the fake server runs in this process: the child must run while this one keeps serving
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, url], { stdio: "inherit" });
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
    assert.ok(sentTraces(server).some((t) => t.name === "at-exit" && t.output === "bye"));
  });
});
