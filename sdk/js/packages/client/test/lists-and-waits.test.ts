import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Grounded, GroundedJobError, GroundedTimeoutError } from "@grounded/client";
import { FakeServer, type Seen } from "../../../test-support/server.js";

const SESSIONS = Array.from({ length: 5 }, (_, i) => ({ id: `ses_${i}` }));

function pages(request: Seen) {
  const url = new URL(request.url, "http://x");
  if (url.pathname === "/api/sessions") {
    const start = Number(url.searchParams.get("cursor") ?? 0);
    const limit = Number(url.searchParams.get("limit"));
    const items = SESSIONS.slice(start, start + limit);
    const next = start + limit < SESSIONS.length ? String(start + limit) : null;
    return { status: 200, body: { items, nextCursor: next } };
  }
  return { status: 404, body: { error: "not found", code: "not_found" } };
}

describe("lists and waits", () => {
  const server = new FakeServer(pages);
  let grounded: Grounded;

  before(async () => {
    grounded = new Grounded({ apiKey: "sk_live_test", baseUrl: await server.start(), backoffMs: 1 });
  });
  after(() => server.stop());

  test("await gives one page; for await pages through nextCursor with the same filters", async () => {
    const first = await grounded.sessions.list({ agentId: "agt_1", limit: 2 });
    assert.deepEqual(first.items, SESSIONS.slice(0, 2));
    assert.equal(first.nextCursor, "2");
    const seen: string[] = [];
    for await (const session of grounded.sessions.list({ agentId: "agt_1", limit: 2 })) seen.push(session.id);
    assert.deepEqual(
      seen,
      SESSIONS.map((s) => s.id),
    );
    const asked = server.seen.slice(-3).map((request) => new URL(request.url, "http://x").searchParams);
    assert.deepEqual(
      asked.map((query) => [query.get("agentId"), query.get("cursor")]),
      [
        ["agt_1", null],
        ["agt_1", "2"],
        ["agt_1", "4"],
      ],
    );
    assert.deepEqual((await grounded.sessions.list({ limit: 2 }).all()).length, 5);
  });

  test("jobs.wait resolves with the job once it succeeded", async () => {
    server.reply(
      { status: 200, body: { id: "job_1", status: "queued" } },
      { status: 200, body: { id: "job_1", status: "running" } },
      { status: 200, body: { id: "job_1", status: "succeeded", result: { imported: 3 } } },
    );
    const job = await grounded.jobs.wait("job_1", { pollIntervalMs: 5 });
    assert.equal(job.status, "succeeded");
    assert.deepEqual(job.result, { imported: 3 });
  });

  for (const status of ["failed", "cancelled"]) {
    test(`jobs.wait throws GroundedJobError with the job when it ends ${status}`, async () => {
      const ended = { id: "job_2", status, error: status === "failed" ? "LangSmith said 401" : null };
      server.reply({ status: 200, body: { id: "job_2", status: "running" } }, { status: 200, body: ended });
      const error = await grounded.jobs.wait("job_2", { pollIntervalMs: 5 }).catch((e: unknown) => e);
      assert.ok(error instanceof GroundedJobError);
      assert.deepEqual(error.job, ended);
      assert.match(error.message, new RegExp(status));
    });
  }

  test("jobs.wait gives up after timeoutMs", async () => {
    const running = { status: 200, body: { id: "job_3", status: "running" } };
    server.reply(...Array.from({ length: 20 }, () => running));
    const error = await grounded.jobs
      .wait("job_3", { timeoutMs: 60, pollIntervalMs: 20 })
      .catch((e: unknown) => e);
    assert.ok(error instanceof GroundedTimeoutError, String(error));
    assert.match(error.message, /job job_3 did not end within 60 ms \(last: running\)/);
    server.clear();
  });

  test("evals.runs.waitForCompletion resolves once the run leaves RUNNING", async () => {
    server.reply(
      { status: 200, body: { id: "run_1", status: "RUNNING" } },
      { status: 200, body: { id: "run_1", status: "COMPLETED", passRate: 1 } },
    );
    const run = await grounded.evals.runs.waitForCompletion("run_1", { pollIntervalMs: 5 });
    assert.equal(run.status, "COMPLETED");
  });
});
