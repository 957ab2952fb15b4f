import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  APIConnectionError,
  APITimeoutError,
  AuthenticationError,
  Grounded,
  InternalServerError,
  NotFoundError,
  parseRetryAfter,
  RateLimitError,
  UnprocessableEntityError,
} from "@grounded/client";
import { FakeServer } from "../../../test-support/server.js";

const agent = { id: "agt_1", orgId: "org_1", name: "bot", createdAt: "2026-11-30T00:00:00Z" };

describe("the transport", () => {
  const server = new FakeServer();
  let url = "";
  let grounded: Grounded;

  before(async () => {
    url = await server.start();
    grounded = new Grounded({ apiKey: "sk_live_test", baseUrl: url, backoffMs: 10 });
  });
  after(() => server.stop());

  test("sends the key, and reaches /api whether the base URL has it or not", async () => {
    for (const baseUrl of [url, `${url}/`, `${url}/api`, `${url}/api/`]) {
      server.reply({ status: 200, body: agent });
      const client = new Grounded({ apiKey: "sk_live_test", baseUrl });
      assert.deepEqual(await client.agents.get("agt_1"), agent);
      const seen = server.seen.at(-1);
      assert.equal(seen?.url, "/api/agents/agt_1");
      assert.equal(seen?.headers.authorization, "Bearer sk_live_test");
    }
  });

  test("retries 5xx and 429 with backoff, then answers", async () => {
    const before = server.seen.length;
    server.reply(
      { status: 503, body: { error: "busy", code: "unavailable" } },
      { status: 429 },
      { status: 200, body: agent },
    );
    assert.deepEqual(await grounded.agents.get("agt_1"), agent);
    assert.equal(server.seen.length - before, 3);
  });

  test("honours Retry-After before trying again", async () => {
    server.reply({
      status: 429,
      headers: { "retry-after": "1" },
      body: { error: "slow down", code: "rate_limited" },
    });
    server.reply({ status: 200, body: agent });
    const started = Date.now();
    await grounded.agents.get("agt_1");
    const [first, second] = server.seen.slice(-2);
    assert.ok(first && second);
    assert.ok(second.at - first.at >= 950, `waited ${second.at - first.at} ms`);
    assert.ok(Date.now() - started >= 950);
  });

  test("gives up after maxRetries with a typed error carrying status, code, message and requestId", async () => {
    const failure = {
      status: 503,
      headers: { "apigw-requestid": "req-42" },
      body: { error: "down", code: "unavailable" },
    };
    server.reply(failure, failure, failure, failure);
    const before = server.seen.length;
    const error = await grounded.agents.get("agt_1").catch((e: unknown) => e);
    assert.ok(error instanceof InternalServerError);
    assert.equal(error.status, 503);
    assert.equal(error.code, "unavailable");
    assert.equal(error.message, "down");
    assert.equal(error.requestId, "req-42");
    assert.equal(server.seen.length - before, 4); // 1 + 3 retries
  });

  test("does not retry what another try cannot fix", async () => {
    for (const [status, Kind] of [
      [401, AuthenticationError],
      [404, NotFoundError],
      [422, UnprocessableEntityError],
    ] as const) {
      const before = server.seen.length;
      server.reply({
        status,
        body: { error: "no", code: "nope", details: [{ field: "name", message: "required" }] },
      });
      const error = await grounded.agents.get("x").catch((e: unknown) => e);
      assert.ok(error instanceof Kind, `${status}`);
      assert.equal(server.seen.length - before, 1);
      if (status === 422)
        assert.deepEqual((error as UnprocessableEntityError).details, [
          { field: "name", message: "required" },
        ]);
    }
  });

  test("a 429 that outlasts the retries is a RateLimitError with retryAfter", async () => {
    const limited = {
      status: 429,
      headers: { "retry-after": "0" },
      body: { error: "slow", code: "rate_limited" },
    };
    server.reply(limited, limited, limited, limited);
    const error = await grounded.agents.get("agt_1").catch((e: unknown) => e);
    assert.ok(error instanceof RateLimitError);
    assert.equal(error.retryAfter, 0);
  });

  test("a POST carries one Idempotency-Key, the same on every retry", async () => {
    server.reply({ status: 502 }, { status: 201, body: agent });
    await grounded.agents.create({ name: "bot" });
    const [first, second] = server.seen.slice(-2);
    assert.ok(first?.headers["idempotency-key"]);
    assert.equal(first?.headers["idempotency-key"], second?.headers["idempotency-key"]);
    assert.deepEqual(second?.body, { name: "bot" });
    server.reply({ status: 201, body: agent });
    await grounded.agents.create({ name: "bot" });
    assert.notEqual(server.seen.at(-1)?.headers["idempotency-key"], first?.headers["idempotency-key"]);
  });

  test("a network failure is retried, then an APIConnectionError", async () => {
    server.reply({ status: 0, hangUp: true }, { status: 200, body: agent });
    assert.deepEqual(await grounded.agents.get("agt_1"), agent);
    const dead = new Grounded({ apiKey: "k", baseUrl: "http://127.0.0.1:9", maxRetries: 1, backoffMs: 1 });
    await assert.rejects(dead.agents.get("agt_1"), APIConnectionError);
  });

  test("a request without an answer times out", async () => {
    server.reply({ status: 0, hang: true });
    const impatient = new Grounded({ apiKey: "k", baseUrl: url, timeoutMs: 200, maxRetries: 0 });
    const error = await impatient.agents.get("agt_1").catch((e: unknown) => e);
    assert.ok(error instanceof APITimeoutError, String(error));
    assert.match(error.message, /200 ms/);
  });

  test("Retry-After as seconds or as an HTTP date", () => {
    assert.equal(parseRetryAfter("3"), 3);
    assert.equal(
      parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2026, 0, 1)),
      10,
    );
    assert.equal(parseRetryAfter("soon"), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
});
