import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import {
  AuthenticationError,
  ConflictError,
  Grounded,
  NotFoundError,
  UnprocessableEntityError,
} from "@grounded/client";
import { env, waitFor } from "./env.js";

const grounded = new Grounded({ apiKey: env.apiKey, baseUrl: env.baseUrl });

describe("@grounded/client against the local cloud", () => {
  test("the base URL works with or without /api, and GROUNDED_* are the defaults", async () => {
    const withApi = new Grounded({ apiKey: env.apiKey, baseUrl: `${env.baseUrl}/api` });
    assert.equal((await withApi.me()).kind, "secret_key");
    assert.equal((await grounded.me()).kind, "secret_key");
    process.env.GROUNDED_API_KEY = env.apiKey;
    process.env.GROUNDED_BASE_URL = env.baseUrl;
    assert.equal((await new Grounded().me()).org.id, (await grounded.me()).org.id);
  });

  test("agents and snapshots round trip, typed", async () => {
    const agent = await grounded.agents.create({
      name: `js-${randomUUID().slice(0, 8)}`,
      description: "from JS",
    });
    const snapshot = await grounded.agents.snapshots.create(agent.id, {
      label: "v1",
      modelId: "gpt-4o-mini",
      systemPrompt: "Be brief.",
    });
    await grounded.agents.setBaseline(agent.id, snapshot.id);
    const updated = await grounded.agents.update(agent.id, { description: null });
    assert.equal(updated.description ?? null, null);
    assert.equal((await grounded.agents.get(agent.id)).baselineSnapshotId, snapshot.id);
    const mine = [];
    for await (const listed of grounded.agents.list({ limit: 1 })) mine.push(listed.id);
    assert.ok(mine.includes(agent.id));
  });

  test("a user's org: retention with its job, deletion, then the account", async () => {
    const anonymous = new Grounded({ apiKey: "unused", baseUrl: env.baseUrl });
    const email = `js-${randomUUID().slice(0, 8)}@example.com`;
    const password = "correct horse battery";
    const signedUp = await anonymous.auth.signUp({ email, password, name: "Js", orgName: "Js Org" });
    const user = new Grounded({ apiKey: signedUp.token ?? "", baseUrl: env.baseUrl });
    const kept = await user.org.update({ retentionDays: 14 });
    assert.equal(kept.retentionDays, 14);
    const job = await waitFor(async () => {
      const found = await user.jobs.get(kept.retentionJobId ?? "");
      return found.status === "succeeded" && found;
    }, "the re-stamping job");
    assert.equal(job.type, "org.retention");
    const lastOwner = await user.auth.deleteAccount({ password }).catch((e: unknown) => e);
    assert.ok(lastOwner instanceof ConflictError);
    const deletion = await user.org.delete({ confirm: signedUp.org?.slug ?? "" });
    assert.equal(deletion.type, "org.delete");
    await user.auth.deleteAccount({ password });
    const gone = await user.me().catch((e: unknown) => e);
    assert.ok(gone instanceof AuthenticationError);
  });

  test("errors are typed, with the code, the message and the request id", async () => {
    const missing = await grounded.agents.get("agt_missing").catch((e: unknown) => e);
    assert.ok(missing instanceof NotFoundError);
    assert.equal(missing.status, 404);
    assert.equal(missing.code, "agent_not_found");
    assert.ok(missing.requestId, "the request id is there to quote");
    const invalid = await grounded.agents.create({ name: "" }).catch((e: unknown) => e);
    assert.ok(invalid instanceof UnprocessableEntityError);
    assert.equal(invalid.code, "validation_error");
    assert.deepEqual(
      invalid.details.map((detail) => detail.field),
      ["name"],
    );
  });

  test("for await pages through every session with the filters given", async () => {
    const agent = await grounded.agents.create({ name: `pages-${randomUUID().slice(0, 8)}` });
    const made = [];
    for (let i = 0; i < 5; i++)
      made.push((await grounded.sessions.create({ agentId: agent.id, externalId: `conv-${i}` })).id);
    const seen = [];
    for await (const session of grounded.sessions.list({ agentId: agent.id, limit: 2 }))
      seen.push(session.id);
    assert.deepEqual(seen.sort(), made.sort());
    const first = await grounded.sessions.list({ agentId: agent.id, limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
  });

  test("traces are sent, normalized and read back", async () => {
    const sessionId = `conv-${randomUUID()}`;
    const accepted = await grounded.traces.send({
      agentId: env.agentId,
      sessionId,
      name: "answer",
      startedAt: new Date().toISOString(),
      input: { question: "Where is my order?" },
      output: "Tomorrow.",
    });
    const trace = await waitFor(async () => {
      const read = await grounded.traces.get(accepted.traceId);
      return read.normalization?.state === "normalized" && read;
    }, "the trace to be normalized");
    assert.equal(trace.output, "Tomorrow.");
  });

  test("an eval run in submit mode: results in, waitForCompletion out", async () => {
    const suite = await grounded.evals.suites.create({
      agentId: env.agentId,
      name: `js-suite-${randomUUID().slice(0, 8)}`,
    });
    const [hello, order] = await grounded.evals.cases.add(suite.id, [
      { name: "greets", input: "hi", assertions: [{ type: "contains", value: "hello" }] },
      { name: "order", input: "where?", assertions: [{ type: "equals", value: "Tomorrow." }] },
    ]);
    assert.ok(hello && order);
    const run = await grounded.evals.runs.create({ suiteId: suite.id, mode: "submit" });
    await grounded.evals.runs.submitResults(run.id, [
      { caseId: hello.id, output: "hello there" },
      { caseId: order.id, output: "Next week." },
    ]);
    const finished = await grounded.evals.runs.waitForCompletion(run.id, { timeoutMs: 60_000 });
    assert.equal(finished.status, "COMPLETED");
    const results = await grounded.evals.runs.results(run.id).all();
    assert.deepEqual(results.map((result) => result.verdict).sort(), ["fail", "pass"]);
  });
});
