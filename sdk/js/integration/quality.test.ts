import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, test } from "node:test";
import { Grounded, NotFoundError, UnprocessableEntityError } from "@grounded/client";
import { Tracing } from "@grounded/tracing";
import { env, waitFor } from "./env.js";

const grounded = new Grounded({ apiKey: env.apiKey, baseUrl: env.baseUrl });
const tracing = new Tracing({ client: grounded, agentId: env.agentId, flushIntervalMs: 200 });

describe("scores from @grounded/client and @grounded/tracing", () => {
  after(() => tracing.shutdown());

  test("client.scores creates (idempotent on its id), lists and refuses clearly", async () => {
    const sent = await grounded.traces.send({
      agentId: env.agentId,
      sessionId: `conv-${randomUUID()}`,
      name: "answer",
      startedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const traceId = sent.traceId as string;
    const made = await grounded.scores.create({
      id: `js-${randomUUID()}`,
      name: "correct",
      value: true,
      traceId,
    });
    assert.equal(made.dataType, "boolean");
    const again = await grounded.scores.create({ id: made.id, name: "correct", value: true, traceId });
    assert.equal(again.version, 0);
    const changed = await grounded.scores.create({ id: made.id, name: "correct", value: false, traceId });
    assert.equal(changed.version, 1);
    const listed = [];
    for await (const score of grounded.scores.list({ traceId })) listed.push([score.name, score.value]);
    assert.deepEqual(listed, [["correct", false]]);
    await assert.rejects(
      grounded.scores.create({ name: "correct", value: 1, traceId: "nope" }),
      NotFoundError,
    );
    await assert.rejects(
      grounded.scores.create({ name: "bad name", value: 1, traceId }),
      UnprocessableEntityError,
    );
  });

  test("trace.score is sent after its trace, given while it runs or after it ended", async () => {
    const trace = tracing.startTrace({ sessionId: `conv-${randomUUID()}`, input: "hi" });
    let spanId = "";
    await trace.run(() =>
      trace.span("llm", "draft", (span) => {
        spanId = span.id;
        return "hello";
      }),
    );
    const during = trace.score("grounded", 0.7, { spanId, comment: "mostly" });
    trace.end({ output: "hello" });
    const afterwards = trace.score("tone", "warm");
    await tracing.flush();
    const scores = await waitFor(async () => {
      const found = [];
      for await (const score of grounded.scores.list({ traceId: trace.id })) found.push(score);
      return found.length === 2 && found;
    }, "the trace's two scores");
    const byId = Object.fromEntries(scores.map((score) => [score.id, score]));
    assert.equal(byId[during]?.spanId, spanId);
    assert.equal(byId[during]?.value, 0.7);
    assert.equal(byId[afterwards]?.dataType, "categorical");
  });

  test("evals.cases.fromTrace makes a case of a production trace, linked back to it", async () => {
    const trace = tracing.startTrace({ sessionId: `conv-${randomUUID()}`, input: "Can I get a refund?" });
    trace.end({ output: "Yes, within 30 days." });
    await tracing.flush();
    await waitFor(
      async () => (await grounded.traces.get(trace.id)).normalization.state === "normalized",
      "the trace normalized",
    );
    const suite = await grounded.evals.suites.create({ agentId: env.agentId, name: "from production" });
    const made = await grounded.evals.cases.fromTrace(suite.id, { traceId: trace.id, expected: "output" });
    assert.equal(made.input, "Can I get a refund?");
    assert.equal(made.expected, "Yes, within 30 days.");
    assert.equal(made.source?.traceId, trace.id);
  });

  test("providers.put keeps the key write-only; evaluators are created, listed and removed", async () => {
    const provider = await grounded.providers.put("default", {
      baseUrl: `${env.openaiUrl}/v1`,
      apiKey: "sk-test",
      defaultModel: "gpt-4o-mini",
    });
    assert.equal(provider.hasApiKey, true);
    assert.ok(!JSON.stringify(await grounded.providers.list()).includes("sk-test"));
    const evaluator = await grounded.evaluators.create({
      agentId: env.agentId,
      name: "js_judge",
      rubric: 'Mentions "refund".',
      samplingRate: 0.2,
    });
    assert.equal(evaluator.samplingRate, 0.2);
    const listed = [];
    for await (const found of grounded.evaluators.list({ agentId: env.agentId })) listed.push(found.id);
    assert.ok(listed.includes(evaluator.id));
    await grounded.evaluators.delete(evaluator.id);
  });

  test("alerts.create shows the signing secret once; a test delivery is logged", async () => {
    const alert = await grounded.alerts.create({
      agentId: env.agentId,
      name: "js errors",
      condition: { metric: "error_rate", above: 0.5 },
      emails: ["js@example.com"],
    });
    assert.ok(alert.signingSecret.startsWith("whsec_"));
    assert.equal((await grounded.alerts.get(alert.id)).state, "ok");
    const sent = await grounded.alerts.test(alert.id);
    assert.deepEqual(
      sent.map((delivery) => delivery.channel),
      ["email"],
    );
    await grounded.alerts.delete(alert.id);
  });
});
